"""Hi-GRPO trainer: voxel decoding, the reference policy, configs, a short learning run,
checkpoints with exact resume, and the command line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from mme3dr.errors import ConfigError
from trainers.config import config_from_dict, load_config
from trainers.hi_grpo import group_spread
from trainers.policies.base import StepBatch
from trainers.policies.reference import PATTERNS, ReferencePolicy
from trainers.rollout import collect
from trainers.toy_cases import toy_cases, toy_split
from trainers.trainer import HiGRPOTrainer, PromptSampler
from trainers.voxels import EmptyShapeError, occupancy_to_mesh, refine

CONFIGS = Path(__file__).resolve().parent.parent / "trainers" / "configs"


def tiny_policy(seed=0):
    return ReferencePolicy(seed=seed, d_model=16, n_layers=1, n_heads=2)


def small_cfg(tmp_path, **over):
    d = {
        "run_dir": str(tmp_path / "run"),
        "steps": 2,
        "policy": {"kind": "reference", "d_model": 16, "n_layers": 1, "n_heads": 2},
        "grpo": {"prompts_per_step": 2, "group_size": 4, "epochs": 2, "minibatches": 2},
        "rewards": {"workers": 0},
        "eval": {"every": 0},
        "checkpoint": {"every": 1, "keep": 5},
        "log": {"plot": False},
    }
    for k, v in over.items():
        d.setdefault(k, {})
        d[k] = {**d[k], **v} if isinstance(v, dict) else v
    return config_from_dict(d)


# ------------------------------------------------------------------------------ voxels


def test_occupancy_mesh_is_closed_and_sized():
    occ = np.zeros((3, 3, 2), bool)
    occ[:, :, 0] = True
    occ[1, 1, 1] = True
    m = occupancy_to_mesh(occ)
    assert m.is_watertight and m.is_winding_consistent
    assert m.volume == pytest.approx(10.0)
    assert m.bounds.tolist() == [[0, 0, 0], [3, 3, 2]]
    with pytest.raises(EmptyShapeError):
        occupancy_to_mesh(np.zeros((2, 2, 2), bool))


def test_refine_places_patterns_per_occupied_cell():
    coarse = np.zeros((2, 1, 1), bool)
    coarse[1, 0, 0] = True
    fine = refine(coarse, PATTERNS, np.array([2]), 2)  # pattern 2: top half
    assert fine.shape == (4, 2, 2)
    assert fine[2:, :, 1].all() and not fine[2:, :, 0].any() and not fine[:2].any()
    with pytest.raises(ValueError):
        refine(coarse, PATTERNS, np.array([0, 1]), 2)


# ---------------------------------------------------------------------- reference policy


def test_reference_policy_grammar_masks_and_decoding():
    pol = tiny_policy()
    g = torch.Generator().manual_seed(0)
    prompts = ["a table with 4 legs", "a cup", "words never seen"]
    b1 = pol.generate(prompts, 1, generator=g)
    b2 = pol.generate(prompts, 2, previous=b1, generator=g)
    lay, v = pol.layout, pol.vocab
    coarse = b1.sequences[:, lay.coarse]
    assert set(coarse.unique().tolist()) <= {v["<empty>"], v["<full>"]}
    cells = int(np.prod(pol.cfg.grid))
    assert b1.lengths().tolist() == [cells + pol.cfg.plan_len] * 3
    occupied = (coarse == v["<full>"]).sum(1)
    assert b2.lengths().tolist() == (occupied + pol.cfg.detail_len).tolist()
    assert torch.equal(b2.sequences[:, : lay.len1], b1.sequences)
    assert (b2.loss_mask[:, : lay.len1] == 0).all()
    for i in range(3):
        assert len(pol.decode(b1, i).faces) > 0
        fine = pol.fine_grid(b2, i)
        assert fine.shape == tuple(2 * s for s in pol.cfg.grid)
        assert len(pol.decode(b2, i).faces) > 0
    assert b1.texts[0].startswith("plan: ") and b2.texts[0].startswith("detail: ")


def test_generation_cache_agrees_with_full_forward():
    """Greedy tokens from the cached sampler are the argmax of the full-sequence model."""
    pol = tiny_policy(seed=3)
    b1 = pol.generate(["a bowl", "a stool with 3 legs"], 1, greedy=True)
    b2 = pol.generate(["a bowl", "a stool with 3 legs"], 2, previous=b1, greedy=True)
    logits, _ = pol.model(b2.sequences[:, :-1], b2.attention_mask[:, :-1])
    masked = pol._masked_logits(logits, 1)
    best = masked.argmax(-1)
    on = b2.loss_mask[:, 1:] > 0
    assert torch.equal(best[on], b2.sequences[:, 1:][on])
    lp, ent = pol.logprobs(b2)
    assert torch.isfinite(lp).all() and (lp[b2.loss_mask > 0] <= 0).all()
    assert (ent[b2.loss_mask > 0] >= 0).all()


def test_empty_coarse_grid_is_masked_not_invented(tmp_path):
    pol = tiny_policy()
    b1 = pol.generate(["a cup"] * 2, 1, generator=torch.Generator().manual_seed(0))
    b1.sequences[0, pol.layout.coarse] = pol.vocab["<empty>"]
    with pytest.raises(EmptyShapeError):
        pol.decode(b1, 0)


def test_step_batch_select_and_concat():
    pol = tiny_policy()
    b = pol.generate(["a cup", "a bowl", "a bench with 2 legs"], 1,
                     generator=torch.Generator().manual_seed(1))
    s = b.select([2, 0])
    assert s.prompts == ["a bench with 2 legs", "a cup"]
    assert torch.equal(s.sequences[1], b.sequences[0])
    c = StepBatch.concat([s, b.select([1])])
    assert len(c) == 3 and c.texts[2] == b.texts[1]


# --------------------------------------------------------------------------- config


def test_shipped_configs_load_and_bad_keys_fail(tmp_path):
    cfg = load_config(CONFIGS / "tiny.yaml")
    assert cfg.grpo.eps_low == 0.2 and cfg.grpo.eps_high == 0.28 and cfg.grpo.beta == 0.01
    assert cfg.grpo.lam == 1.0 and cfg.grpo.epochs * cfg.grpo.minibatches > 1
    over = load_config(CONFIGS / "tiny.yaml", ["optim.lr=2e-3", "grpo.group_size=4"])
    assert over.optim.lr == 0.002 and over.grpo.group_size == 4
    for name in sorted(p.name for p in CONFIGS.glob("*.yaml")):
        load_config(CONFIGS / name)
    with pytest.raises(ConfigError, match="unknown key"):
        config_from_dict({"grpo": {"epsilon": 0.2}})
    with pytest.raises(ConfigError, match="group_size"):
        config_from_dict({"grpo": {"group_size": 1}})
    with pytest.raises(ConfigError, match="rewards.step1"):
        config_from_dict({"rewards": {"step1": [{"evaluator": "nope"}]}})


def test_toy_cases_are_valid_and_split():
    from mme3dr.scoring import plan_case

    train, held = toy_split()
    assert len(train) + len(held) == len(toy_cases()) and held
    assert not {c.prompt for c in train} & {c.prompt for c in held}
    train_words = {w for c in train for w in c.prompt.split()}
    assert all(w in train_words for c in held for w in c.prompt.split())
    for c in toy_cases():
        assert plan_case(c, None).evaluators  # every check builds


def test_prompt_sampler_is_seeded_and_restorable():
    cases = toy_cases()
    a = PromptSampler(cases, 5)
    first = [c.id for c in a.take(20)]
    b = PromptSampler(cases, 5)
    b.take(7)
    c = PromptSampler(cases, 5)
    c.load(b.state())
    assert [x.id for x in c.take(13)] == first[7:]


# ----------------------------------------------------------------------- training


def _flaky_rollout(tr):
    original = tr.policy.decode

    def flaky(batch, i):
        if i == 0:
            raise ValueError("cannot decode")
        return original(batch, i)

    tr.policy.decode = flaky
    return collect(tr.policy, tr.train_cases[:2], 4, tr.reward1, tr.reward2,
                   torch.Generator().manual_seed(0))


def test_undecodable_samples_are_masked_when_asked(tmp_path):
    """``rewards.undecodable: null``: a NaN reward, its reason, and no loss tokens."""
    cfg = small_cfg(tmp_path, rewards={"workers": 0, "undecodable": None})
    tr = HiGRPOTrainer(cfg, policy=tiny_policy(), quiet=True)
    ro = _flaky_rollout(tr)
    assert np.isnan(ro.rewards(1)[0].item()) and np.isnan(ro.rewards(2)[0].item())
    assert "undecodable" in ro.results1[0].error
    assert ro.undecodable(1).tolist() == [True] + [False] * 7
    assert torch.isnan(tr._rewards(ro, 1)[0])
    m: dict = {}
    tr._update(ro, m)
    assert m["data/rows_step1"] <= 7 and m["data/rows_step2"] <= 7


def test_undecodable_samples_get_the_configured_reward(tmp_path):
    """By default an undecodable sample is rewarded 0 (kept in the loss, pushed down), and
    counted; a configured penalty is used as given."""
    tr = HiGRPOTrainer(small_cfg(tmp_path), policy=tiny_policy(), quiet=True)
    assert tr.cfg.rewards.undecodable == 0.0
    ro = _flaky_rollout(tr)
    r1, r2 = tr._rewards(ro, 1), tr._rewards(ro, 2)
    assert r1[0].item() == 0.0 and r2[0].item() == 0.0
    assert torch.equal(r1[1:], ro.rewards(1)[1:])
    r_t = tr._hier(ro)
    assert torch.isfinite(r_t[0])  # row 0 takes part in its group's advantages
    m: dict = {}
    tr._update(ro, m)
    spread = group_spread(r_t, 4).repeat_interleave(4)
    assert m["data/rows_step1"] == float((torch.isfinite(r_t) & spread).sum())
    from trainers.rollout import reward_breakdown

    out = reward_breakdown(ro.results1, "r", ro.undecodable(1).tolist(), 0.0)
    assert out["r/undecodable"] == 1 / 8
    ok = [r.reward for r in ro.results1 if r.ok]
    assert out["r/mean"] == pytest.approx(sum(ok) / (len(ok) + 1))
    tr2 = HiGRPOTrainer(small_cfg(tmp_path / "p", rewards={"workers": 0, "undecodable": -0.5}),
                        policy=tiny_policy(), quiet=True)
    assert tr2._rewards(ro, 2)[0].item() == -0.5
    with pytest.raises(ConfigError, match="undecodable"):
        small_cfg(tmp_path, rewards={"workers": 0, "undecodable": "bad"})


def test_exact_resume_matches_uninterrupted_run(tmp_path):
    straight = HiGRPOTrainer(small_cfg(tmp_path / "a"), quiet=True)
    straight.train()
    first = HiGRPOTrainer(small_cfg(tmp_path / "b", steps=1), quiet=True)
    first.train()
    resumed = HiGRPOTrainer(small_cfg(tmp_path / "b"), quiet=True)
    assert resumed.load_checkpoint() == 1
    resumed.train()
    for p, q in zip(straight.policy.module.parameters(), resumed.policy.module.parameters(),
                    strict=True):
        assert torch.equal(p, q)
    rows = [json.loads(x) for x in (tmp_path / "b" / "run" / "metrics.jsonl").open()]
    assert [r["step"] for r in rows] == [1, 2]
    a = [json.loads(x) for x in (tmp_path / "a" / "run" / "metrics.jsonl").open()]
    assert rows[1]["reward/step1/mean"] == a[1]["reward/step1/mean"]
    ck = tmp_path / "b" / "run" / "checkpoints"
    assert (ck / "latest").read_text() == "step-000002"


def test_metrics_cover_rewards_advantages_clip_kl_entropy_lengths_times(tmp_path):
    tr = HiGRPOTrainer(small_cfg(tmp_path, steps=1), quiet=True)
    m = tr.train()
    for key in ("reward/step1/mean", "reward/step2/mean", "reward/step1/term/stable",
                "reward/step2/term/watertight", "reward/step1_tilde/mean", "adv/step1/abs_mean",
                "loss/clip_fraction", "loss/kl", "loss/entropy_step1", "length/step2",
                "time/generate", "time/decode", "time/reward", "time/update",
                "data/groups_dropped"):
        assert key in m, key


def test_short_training_raises_held_out_reward(tmp_path):
    """A short version of trainers/configs/tiny.yaml: the held-out reward must rise."""
    cfg = load_config(CONFIGS / "tiny.yaml", [
        f"run_dir={tmp_path / 'run'}", "steps=20", "rewards.workers=0", "eval.every=20",
        "eval.samples=8", "eval.runner=false", "checkpoint.every=0",
        "log.plot=true",
    ])
    tr = HiGRPOTrainer(cfg, quiet=True)
    tr.train()
    rows = [json.loads(x) for x in (tmp_path / "run" / "metrics.jsonl").open()]
    evals = [r for r in rows if r["kind"] == "eval"]
    before, after = evals[0]["eval/reward/tilde"], evals[-1]["eval/reward/tilde"]
    assert after > before + 0.05, (before, after)
    assert (tmp_path / "run" / "reward.png").stat().st_size > 1000


def test_cli_runs_and_reports_usage_errors(tmp_path, capsys):
    from trainers.hi_grpo import main

    cfg = tmp_path / "c.yaml"
    cfg.write_text("steps: 1\npolicy: {kind: reference, d_model: 16, n_layers: 1, n_heads: 2}\n"
                   "grpo: {prompts_per_step: 1, group_size: 2, epochs: 1, minibatches: 1}\n"
                   "rewards: {workers: 0}\neval: {every: 0}\nlog: {plot: false}\n")
    assert main(["--config", str(cfg), "--out", str(tmp_path / "r"), "--quiet"]) == 0
    assert (tmp_path / "r" / "checkpoints" / "latest").is_file()
    assert main(["--config", str(cfg), "--out", str(tmp_path / "r"), "--resume",
                 "--steps", "2", "--quiet"]) == 0
    assert main(["--config", str(tmp_path / "missing.yaml")]) == 2
    assert main(["--config", str(cfg), "--set", "grpo.nope=1"]) == 2
    assert "unknown key" in capsys.readouterr().err


def test_bad_yaml_is_a_one_line_usage_error(tmp_path, capsys):
    from trainers.hi_grpo import main

    bad = tmp_path / "bad.yaml"
    bad.write_text("steps: 1\n.x: a: b\n")
    assert main(["--config", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "bad.yaml: not valid YAML" in err[0] and "line 2" in err[0]
    assert main(["--config", str(CONFIGS / "tiny.yaml"), "--set", "seed=["]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--set seed" in err[0]



@pytest.mark.parametrize("mode", ["step1_only", "step2_only", "plain"])
def test_ablation_modes_train_only_what_they_say(tmp_path, mode):
    """Table 6 variants: step-1-only trains no step-2 token, step-2-only no step-1 token, and
    plain GRPO scores only the final mesh, with every term, one advantage per completion."""
    cheap = {"workers": 0, "step1": [{"evaluator": "floating_parts"}, {"evaluator": "aspect",
                                                                       "source": "case"}],
             "step2": [{"evaluator": "watertight"}]}
    cfg = small_cfg(tmp_path, steps=1, rewards=cheap,
                    grpo={"prompts_per_step": 1, "group_size": 4, "epochs": 1, "minibatches": 1,
                          "mode": mode, "dynamic_sampling": False})
    tr = HiGRPOTrainer(cfg, quiet=True)
    ro = collect(tr.policy, tr.train_cases[:1], 4, tr.reward1, tr.reward2,
                 torch.Generator().manual_seed(0))
    a, b = tr._trained_rewards(ro)
    if mode == "step1_only":
        assert b is None and torch.equal(a, ro.rewards(1, 0.0))
    elif mode == "step2_only":
        assert a is None and torch.equal(b, ro.rewards(2, 0.0))
    else:
        assert tr.reward1 is None and a is b
        names = [t.evaluator for t in tr.reward2.spec.terms]
        assert names == ["floating_parts", "aspect", "watertight"]
        assert ro.results1 is ro.results2
    m = tr.train_step()
    if mode == "step1_only":
        assert m["data/rows_step2"] == 0 and m["loss/step2"] == 0.0
    elif mode == "step2_only":
        assert m["data/rows_step1"] == 0 and m["loss/step1"] == 0.0
    else:
        assert m["data/rows_step1"] == m["data/rows_step2"]
    with pytest.raises(ConfigError, match="grpo.mode"):
        small_cfg(tmp_path, grpo={"mode": "nope"})


def test_heldout_scores_go_through_the_scoring_core(tmp_path):
    """Table 6's held-out figure is the mean of score_pairs' overall over every sample (an
    undecodable sample is a missing case: overall 0)."""
    from mme3dr.scoring import score_pairs
    from trainers.ablation import heldout_scores

    cfg = small_cfg(tmp_path)
    pol = tiny_policy()
    case = toy_split()[1][:1]
    got = heldout_scores(pol, case, cfg, samples=3, seed=5)
    ro = collect(pol, case, 3, None, _overall_free_reward(), torch.Generator().manual_seed(5))
    meshes = []
    for i in range(3):
        try:
            meshes.append(pol.decode(ro.step2, i))
        except Exception:  # noqa: BLE001
            meshes.append(None)
    want = [r.overall or 0.0 for r in score_pairs([(case[0], m) for m in meshes])]
    assert got["overall"] == pytest.approx(sum(want) / 3)
    assert 0.0 <= got["r_high"] <= 1.0 and 0.0 <= got["r_low"] <= 1.0


def _overall_free_reward():
    from mme3dr.rewards import MeshReward, RewardSpec

    return MeshReward(RewardSpec.from_list([{"evaluator": "watertight"}]))


def test_overlapped_and_reused_rewards_change_no_number(tmp_path):
    """Scoring while step 2 is sampled and the frozen log-probs are computed (``overlap``),
    and scoring identical samples once (``dedup``, ``cache``), train exactly as waiting for
    every reward of every row: same rewards, same losses, same parameters."""
    runs = {}
    for name, extra in (("wait", {"overlap": False, "dedup": False, "cache": 0}),
                        ("overlap", {"overlap": True, "dedup": True, "cache": 64})):
        cfg = small_cfg(tmp_path / name, rewards={"workers": 2, "min_parallel": 2, **extra},
                        checkpoint={"every": 0})
        tr = HiGRPOTrainer(cfg, policy=tiny_policy(), eval_cases=[], quiet=True)
        calls = []
        frozen_all = tr._frozen_all
        tr._frozen_all = lambda *a, _f=frozen_all, _c=calls: _c.append(1) or _f(*a)
        try:
            rows = [tr.train_step() for _ in range(2)]
        finally:
            tr.close_rewards()
        runs[name] = rows, [p.detach().clone() for p in tr.policy.module.parameters()]
        # the overlapped run computes the frozen log-probs during the rewards, once a round
        assert len(calls) == (sum(r["data/rounds"] for r in rows) if name == "overlap" else 0)
    (wait, p_wait), (ovl, p_ovl) = runs["wait"], runs["overlap"]
    for a, b in zip(wait, ovl, strict=True):
        for k in ("reward/step1/mean", "reward/step2/mean", "data/rows_step1",
                  "data/groups_trained"):
            assert a[k] == b[k], k
        assert a["loss/total"] == pytest.approx(b["loss/total"], rel=1e-5, abs=1e-7)
        assert a["reward/reused"] == 0 and a["reward/scored"] > 0
        assert b["reward/scored"] + b["reward/reused"] == a["reward/scored"]
        assert b["time/logprobs"] > 0
    for x, y in zip(p_wait, p_ovl, strict=True):
        assert torch.allclose(x, y, rtol=1e-5, atol=1e-6)
