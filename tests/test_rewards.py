"""mme3dr.rewards: normalisation, weighting, failures, batching in workers, the TRL form."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import trimesh

from mme3dr.cases import Case
from mme3dr.evaluators import registry
from mme3dr.rewards import (
    MeshReward,
    RewardSpec,
    RewardTerm,
    mesh_from_obj_text,
    overall_reward,
)
from mme3dr.trl_rewards import trl_reward


def _box(x=1.0, y=1.0, z=1.0):
    m = trimesh.creation.box(extents=(x, y, z))
    m.apply_translation((0, 0, z / 2))
    return m


def _table(legs=4):
    top = trimesh.creation.box(extents=(1.0, 1.0, 0.1))
    top.apply_translation((0, 0, 0.75))
    parts = [top]
    corners = [(-0.4, -0.4), (0.4, 0.4), (0.4, -0.4), (-0.4, 0.4)][:legs]
    for cx, cy in corners:
        leg = trimesh.creation.box(extents=(0.1, 0.1, 0.7))
        leg.apply_translation((cx, cy, 0.35))
        parts.append(leg)
    return trimesh.util.concatenate(parts)


CASE = Case(id="t4", prompt="a table with 4 legs", category="mechanical_affordances",
            suites=("spatial", "physical"), checks=({"check": "ground_contacts", "expect": 4},))


def test_term_normalisation_and_inversion():
    t = RewardTerm("watertight", range=(0.5, 1.0))
    assert t.normalise(0.75) == pytest.approx(0.5)
    assert t.normalise(0.2) == 0.0 and t.normalise(2.0) == 1.0
    inv = RewardTerm("self_intersection", field="value", range=(0.1, 0.0))  # lower is better
    assert inv.normalise(0.0) == 1.0 and inv.normalise(0.05) == pytest.approx(0.5)
    with pytest.raises(ValueError):
        RewardTerm("watertight", range=(1.0, 1.0))
    with pytest.raises(ValueError):
        RewardTerm.from_dict({"evaluator": "watertight", "wieght": 2})
    with pytest.raises(KeyError):
        RewardSpec.from_list([{"evaluator": "no_such_check"}])


def test_weighted_mean_of_case_and_always_terms():
    spec = RewardSpec.from_list([
        {"evaluator": "ground_contacts", "source": "case", "weight": 3.0},
        {"evaluator": "horizontal_layers", "source": "case"},  # not in the case: absent
        {"evaluator": "watertight", "weight": 1.0},
    ])
    res = spec.score(CASE, _table(3))  # 3 legs for an expected 4
    gc = math.exp(-2 * 1 / 4)  # the count grading of docs/checks.md
    assert res.terms["ground_contacts"] == pytest.approx(gc)
    assert "horizontal_layers" not in res.terms
    wt = res.terms["watertight"]
    assert res.reward == pytest.approx((3 * gc + wt) / 4)
    assert spec.score(CASE, _table(4)).terms["ground_contacts"] == 1.0


def test_failures_never_become_a_good_score():
    spec = RewardSpec.from_list([{"evaluator": "watertight"}])
    res = spec.score(CASE, None)
    assert res.reward is None and res.undecodable and "undecodable" in res.error

    class Boom(registry.get("watertight")):
        def evaluate(self, sample):
            raise RuntimeError("kaput")

    boom = RewardSpec((RewardTerm("watertight"),))
    orig = registry._REGISTRY["watertight"]
    registry._REGISTRY["watertight"] = Boom
    try:
        res = boom.score(CASE, _box())
    finally:
        registry._REGISTRY["watertight"] = orig
    # scoring rule 3: an evaluator that errors on a usable mesh scores 0, counted, reason kept
    assert res.reward == 0.0 and not res.undecodable
    assert "kaput" in res.error and res.terms["watertight"] == 0.0
    nothing = RewardSpec.from_list([{"evaluator": "ground_contacts", "source": "case"}])
    bare = Case(id="b", prompt="a box", category="stylized")
    assert nothing.score(bare, _box()).reward is None


def test_parallel_workers_match_in_process():
    spec = RewardSpec.from_list([{"evaluator": "ground_contacts", "source": "case"},
                                 {"evaluator": "stable"}])
    meshes = [_table(k % 4 + 1) for k in range(6)] + [None]
    cases = [CASE] * len(meshes)
    local = MeshReward(spec)(cases, meshes)
    with MeshReward(spec, workers=2, min_parallel=2) as pooled:
        remote = pooled(cases, meshes)
    assert [r.reward for r in remote] == [r.reward for r in local]
    assert remote[-1].reward is None
    assert [r.terms for r in remote[:-1]] == [r.terms for r in local[:-1]]


def test_overall_reward_matches_the_benchmark_suites():
    res = overall_reward(CASE, _table(4))
    assert res.ok and 0 < res.reward <= 1
    assert set(res.terms) == {"suite/spatial", "suite/physical"}
    assert res.terms["suite/spatial"] == 1.0
    assert res.reward == pytest.approx(np.mean(list(res.terms.values())))


def _obj(mesh):
    lines = [f"v {x} {y} {z}" for x, y, z in mesh.vertices]
    lines += [f"f {a + 1} {b + 1} {c + 1}" for a, b, c in mesh.faces]
    return "\n".join(lines)


def test_obj_text_decoder():
    m = mesh_from_obj_text("junk <mesh-start>\n" + _obj(_box()) + "\n<mesh-end> tail",
                           "<mesh-start>", "<mesh-end>")
    assert len(m.faces) == 12
    quad = mesh_from_obj_text("v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nf 1/1 2/2 3/3 4/4\n")
    assert len(quad.faces) == 2
    with pytest.raises(ValueError):
        mesh_from_obj_text("v 0 0 0\n")
    with pytest.raises(ValueError):
        mesh_from_obj_text(_obj(_box()), "<mesh-start>", "<mesh-end>")


def test_trl_reward_function_signature_and_columns():
    spec = RewardSpec.from_list([{"evaluator": "ground_contacts", "source": "case"},
                                 {"evaluator": "watertight"}])
    func = trl_reward(spec, lambda text: mesh_from_obj_text(text), name="mme3dr_table")
    assert func.__name__ == "mme3dr_table"
    prompts = ["a table with 4 legs"] * 3
    completions = [_obj(_table(4)), [{"role": "assistant", "content": _obj(_table(2))}], "garbage"]
    out = func(prompts, completions, id=["a", "b", "c"], checks=[json.dumps(list(CASE.checks))] * 3,
               category=["mechanical_affordances"] * 3)
    assert len(out) == 3 and out[2] == 0.0  # undecodable: the default penalty
    assert out[0] > out[1] > 0.0
    assert func.counts == {"samples": 3, "undecodable": 1, "failed": 0}
    masked = trl_reward(spec, mesh_from_obj_text, cases={CASE.prompt: CASE}, undecodable=None)
    assert masked(prompts, completions)[2] is None
    harsh = trl_reward(spec, mesh_from_obj_text, cases={CASE.prompt: CASE}, undecodable=-0.5)
    assert harsh(prompts, completions)[2] == -0.5
    # cases given by prompt instead of columns
    by_prompt = trl_reward(spec, mesh_from_obj_text, cases={CASE.prompt: CASE})
    assert by_prompt(prompts[:1], completions[:1]) == pytest.approx(out[:1])


def test_trl_reward_is_a_picklable_class_and_round_trips():
    import pickle

    from mme3dr.trl_rewards import ObjTextDecoder, TRLMeshReward

    spec = RewardSpec.from_list([{"evaluator": "ground_contacts", "source": "case"},
                                 {"evaluator": "watertight"}])
    func = TRLMeshReward(MeshReward(spec, workers=2), ObjTextDecoder("<mesh-start>", "<mesh-end>"),
                         cases={CASE.prompt: CASE}, name="mme3dr_table")
    completions = [f"<mesh-start>{_obj(_table(4))}<mesh-end>", "<mesh-start>v 0 0 0<mesh-end>",
                   f"<mesh-start>{_obj(_table(2))}<mesh-end>"]
    prompts = [CASE.prompt] * 3
    want = func(prompts, completions)
    back = pickle.loads(pickle.dumps(func))
    assert back.__name__ == "mme3dr_table" and isinstance(back, TRLMeshReward)
    assert back(prompts, completions) == want
    assert want[1] == 0.0 and want[0] > want[2] > 0.0
    logged: dict[str, float] = {}
    back(prompts, completions, log_metric=lambda k, v: logged.__setitem__(k, v))
    assert logged["mme3dr_table/undecodable"] == pytest.approx(1 / 3)
    assert func.counts["undecodable"] == 1 and back.counts["undecodable"] == 3  # counts travel


def test_trl_reward_decodes_completion_ids_with_special_tokens_kept():
    """TRL's text drops special tokens; the reward must read the ids with the tokenizer."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    from mme3dr.trl_rewards import MarkedTokenDecoder, TRLMeshReward

    specials = ["<pad>", "<eos>", "<unk>", "<mesh-start>", "<mesh-end>", "<mesh-0>", "<mesh-1>"]
    vocab = {t: i for i, t in enumerate(specials + ["a", "cube"])}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="<eos>",
                                   unk_token="<unk>")
    fast.add_special_tokens({"additional_special_tokens": specials[3:]})
    seen: list[list[str]] = []

    def boxes(tokens: list[str]):
        seen.append(tokens)
        if not tokens:
            raise ValueError("empty span")
        return _box()

    spec = RewardSpec.from_list([{"evaluator": "watertight"}])
    ids = [[3, 5, 6, 4, 1, 0], [7, 8, 1]]  # a mesh span (then eos, pad); no mesh at all
    text = fast.batch_decode(ids, skip_special_tokens=True)
    assert "<mesh-0>" not in text[0]  # what TRL would hand over
    func = TRLMeshReward(spec, MarkedTokenDecoder(boxes), tokenizer=fast, undecodable=-1.0)
    out = func(["a cube"] * 2, text, completion_ids=ids)
    assert out[0] == pytest.approx(1.0) and out[1] == -1.0
    assert seen == [["<mesh-0>", "<mesh-1>"]]
    # without ids it falls back to the text, where the mesh tokens are gone: undecodable
    assert func(["a cube"] * 2, text) == [-1.0, -1.0]


def test_reused_rewards_are_the_numbers_mme3dr_eval_gives():
    """Scoring identical ``(case, mesh)`` rows once (dedup in a batch, the cache across
    batches) changes no number: the rewards equal scoring every row, and each term's raw
    number is the score ``mme3dr eval``'s scoring path (``score_pairs``) records for the same
    case and mesh."""
    from mme3dr.scoring import score_pairs

    spec = RewardSpec.from_list([{"evaluator": "ground_contacts", "source": "case", "weight": 2},
                                 {"evaluator": "stable"}, {"evaluator": "watertight"}])
    meshes = [_table(3), _table(4), _table(3), _box(), _table(4), None]
    cases = [CASE] * len(meshes)
    fresh = MeshReward(spec, dedup=False)(cases, meshes)
    reward = MeshReward(spec, cache_size=16)
    first = reward(cases, meshes)
    assert [r.reward for r in first] == [r.reward for r in fresh]
    assert [r.terms for r in first] == [r.terms for r in fresh]
    assert [r.reused for r in first] == [False, False, True, False, True, False]
    assert reward.counts == {"scored": 4, "reused": 2}
    first[2].terms["stable"] = -1.0  # results are copies: editing one leaks nowhere
    first[0].error = "edited"
    second = reward(cases, meshes)
    assert [r.reused for r in second] == [True] * 5 + [False]
    assert [r.reward for r in second] == [r.reward for r in fresh]
    assert [r.terms for r in second] == [r.terms for r in fresh]
    assert second[0].error == fresh[0].error
    # the same mesh for another case is another sample
    three = Case(id="t3", prompt="a table with 3 legs", category="mechanical_affordances",
                 suites=("spatial", "physical"),
                 checks=({"check": "ground_contacts", "expect": 3},))
    (other,) = reward([three], [_table(3)])
    assert not other.reused and other.terms["ground_contacts"] == 1.0
    assert first[0].terms["ground_contacts"] < 1.0
    # same case, same mesh, same number as mme3dr eval
    for mesh, res in ((_table(3), first[0]), (_table(4), second[1]), (_box(), second[3])):
        (rec,) = score_pairs([(CASE, mesh)])
        by_name = {s["evaluator"]: s["score"] for s in rec.scores}
        assert {"ground_contacts", "stable"} <= set(by_name)
        for name in set(by_name) & set(res.raw):
            assert res.raw[name] == by_name[name]
    # a sample without a reward (no term applies) is not kept: it is scored again
    nothing = MeshReward(RewardSpec.from_list([{"evaluator": "ground_contacts",
                                                "source": "case"}]), cache_size=4)
    bare = Case(id="b", prompt="a box", category="stylized")
    assert [r.reused for r in nothing([bare], [_box()]) + nothing([bare], [_box()])] == [
        False, False]
    overall = MeshReward(None, cache_size=4)
    got = overall(cases, meshes)
    assert got[2].reused
    want = [rec.overall for rec in score_pairs([(CASE, m) for m in meshes[:5]])]
    assert [r.reward for r in got[:5]] == want


def test_submitted_rewards_run_in_shared_workers_and_match():
    """``submit`` returns before the workers finish; two rewards sharing one pool give the
    in-process numbers, with duplicates scored once."""
    from mme3dr.rewards import RewardWorkers

    spec1 = RewardSpec.from_list([{"evaluator": "ground_contacts", "source": "case"},
                                  {"evaluator": "stable"}])
    spec2 = RewardSpec.from_list([{"evaluator": "watertight"}])
    meshes = [_table(k % 3 + 2) for k in range(6)] + [None]
    cases = [CASE] * len(meshes)
    pool = RewardWorkers(2)
    try:
        a = MeshReward(spec1, pool, min_parallel=2)
        b = MeshReward(spec2, pool, min_parallel=2)
        pa, pb = a.submit(cases, meshes), b.submit(cases, meshes)
        assert (pa.scored, pa.reused) == (4, 3)  # 3 distinct tables + None; 3 repeats
        got_a, got_b = pa.result(), pb.result()
        assert pa.done() and pa.result() is got_a
        a.close()  # a shared pool is closed by its owner only
        assert pool._pool is not None
    finally:
        pool.close()
    assert [r.reward for r in got_a] == [r.reward for r in MeshReward(spec1)(cases, meshes)]
    assert [r.reward for r in got_b] == [r.reward for r in MeshReward(spec2)(cases, meshes)]
    assert got_a[-1].reward is None and got_a[-1].undecodable
