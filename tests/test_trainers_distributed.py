"""Data parallelism on two CPU processes (gloo): no hang, the global token mean, identical
replicas.

Rank 1 is given only a case no reward term applies to, so every one of its groups has no
reward spread and is dropped by dynamic sampling: it has nothing to train on in any step. It
must still take part in every collective (the bug was a hang in ``all_reduce``). Every wait is
bounded (``TRAINERS_DIST_TIMEOUT`` and a join deadline), so a regression fails instead of
hanging the test run.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
import torch.multiprocessing as mp

from mme3dr.cases import Case

ROOT = Path(__file__).resolve().parent.parent
CONFIGS_ACC = ROOT / "trainers" / "configs" / "accelerate"
DEADLINE_S = 300
STEP1 = [{"evaluator": "ground_contacts", "source": "case"},
         {"evaluator": "aspect", "source": "case"}]
STEP2 = [{"evaluator": "support_surface", "source": "case"},
         {"evaluator": "holds_liquid", "source": "case"}]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _blank_case(cid: str) -> Case:
    """A case without checks: every term above is ``source: case``, so none applies and
    every reward is None (no spread in any group)."""
    return Case(id=cid, prompt="a cup", category="stylized",
                suites=("spatial", "functional", "physical"), checks=())


def _config(run_dir: Path, workers: int = 0, **grpo) -> dict:
    return {
        "run_dir": str(run_dir), "steps": 2,
        "policy": {"kind": "reference", "d_model": 16, "n_layers": 1, "n_heads": 2},
        "grpo": {"prompts_per_step": 2, "group_size": 4, "epochs": 2, "minibatches": 2,
                 "micro_batch_rows": 3, "dynamic_sampling": True, "max_resample_rounds": 1,
                 **grpo},
        "rewards": {"workers": workers, "min_parallel": 1, "step1": STEP1, "step2": STEP2},
        "eval": {"every": 0}, "checkpoint": {"every": 0}, "log": {"plot": False},
    }


def _worker(rank: int, world: int, port: int, out: str, workers: int = 0,
            engine: str = "accelerate") -> None:
    """``engine``: ``accelerate`` (what the trainer picks for a process group when accelerate
    is installed), ``hand`` (the fallback without accelerate: hand-summed gradients) or
    ``fsdp2`` (:class:`trainers.engine_fsdp.Fsdp2Engine`; parameters are saved gathered)."""
    os.environ.update(RANK=str(rank), WORLD_SIZE=str(world), LOCAL_RANK=str(rank),
                      MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), OMP_NUM_THREADS="1")
    from trainers import distributed as D
    from trainers import engine as E
    from trainers import trainer as T
    from trainers.config import config_from_dict
    from trainers.toy_cases import toy_cases

    ctx = D.init_from_env("cpu", timeout_s=60)
    cfg = config_from_dict(_config(Path(out) / "run", workers))
    by_id = {c.id: c for c in toy_cases()}
    # the same number of cases on both ranks (the prompt order advances identically)
    cases = [by_id["table-4"], by_id["stool-2"]] if rank == 0 else [_blank_case("b0"),
                                                                    _blank_case("b1")]
    calls: list[dict] = []
    records: list[dict] = []
    rollouts: list = []
    original_loss, original_mb = T.policy_loss_with_stats, T.HiGRPOTrainer._minibatch
    original_update = T.HiGRPOTrainer._update

    def loss_spy(lp, old, ref, adv, mask, normaliser=None, **kw):
        calls.append({"lp": lp.detach().clone(), "old": old.clone(), "ref": ref.clone(),
                      "adv": adv.clone(), "mask": mask.clone(), "kw": kw,
                      "normaliser": float(normaliser)})
        return original_loss(lp, old, ref, adv, mask, normaliser=normaliser, **kw)

    def minibatch_spy(self, *a, **k):
        start = len(calls)
        rec = original_mb(self, *a, **k)
        records.append({"rec": rec, "calls": list(range(start, len(calls)))})
        return rec

    def update_spy(self, ro, *a, **k):
        rollouts.append(ro)
        return original_update(self, ro, *a, **k)

    T.policy_loss_with_stats = loss_spy
    T.HiGRPOTrainer._minibatch = minibatch_spy
    T.HiGRPOTrainer._update = update_spy
    eng = E.Engine(ctx) if engine == "hand" else None
    if engine == "fsdp2":
        from trainers.engine_fsdp import Fsdp2Engine

        eng = Fsdp2Engine(ctx)
    tr = T.HiGRPOTrainer(cfg, train_cases=cases, dist=ctx, quiet=True, engine=eng)
    init = _full_params(tr.policy.module)
    shards = [(tuple(p.shape), p.to_local().numel()) for p in tr.policy.module.parameters()
              ] if engine == "fsdp2" else []
    frozen_calls = []
    frozen_all = tr._frozen_all
    tr._frozen_all = lambda *a: frozen_calls.append(1) or frozen_all(*a)
    tr.train()
    torch.save({"calls": calls, "records": records, "init": init, "frozen": len(frozen_calls),
                "params": _full_params(tr.policy.module), "shards": shards,
                "history": tr.history, "engine": tr.engine.describe(), "rollouts": rollouts},
               Path(out) / f"rank{rank}.pt")
    D.shutdown(ctx)


def _full_params(module: torch.nn.Module) -> list[torch.Tensor]:
    """Every parameter's full value (a DTensor is gathered: a collective on every rank)."""
    from torch.distributed.tensor import DTensor

    return [(p.full_tensor() if isinstance(p, DTensor) else p).detach().clone()
            for p in module.parameters()]


def _spawn_with_deadline(fn, args, nprocs: int) -> None:
    ctx = mp.start_processes(fn, args=args, nprocs=nprocs, join=False, start_method="spawn")
    deadline = time.monotonic() + DEADLINE_S
    while not ctx.join(timeout=5):
        if time.monotonic() > deadline:
            for p in ctx.processes:
                if p.is_alive():
                    p.kill()
            pytest.fail(f"distributed training did not finish in {DEADLINE_S} s (hang)")


def _hand_loss(calls: list[dict]) -> float:
    """Token mean over every call's masked tokens, per step, summed over the two steps: each
    call's own token mean times its tokens, added up, divided by all the tokens."""
    from trainers.hi_grpo import policy_loss

    total = 0.0
    for s in (0, 1):
        mine = calls[s::2]
        num = sum(float(policy_loss(c["lp"], c["old"], c["ref"], c["adv"], c["mask"], **c["kw"]))
                  * float(c["mask"].sum()) for c in mine)
        den = sum(float(c["mask"].sum()) for c in mine)
        total += num / max(1.0, den)
    return total


@pytest.mark.parametrize(("workers", "engine"), [(0, "accelerate"), (1, "accelerate"),
                                                 (0, "fsdp2"), (1, "fsdp2")])
def test_a_rank_with_nothing_to_train_on_does_not_hang(tmp_path, workers, engine):
    """With reward workers (``workers=1``) the frozen log-probs are computed per round while
    the rewards are scored, with their own agreed collectives: still no hang, same checks.
    ``fsdp2``: the sharded engine, whose generation runs on gathered parameters (the ranks
    sample different numbers of rounds' worth of nothing, and still agree)."""
    _spawn_with_deadline(_worker, (2, _free_port(), str(tmp_path), workers, engine), 2)
    r0 = torch.load(tmp_path / "rank0.pt", weights_only=False)
    r1 = torch.load(tmp_path / "rank1.pt", weights_only=False)
    rounds = sum(h["data/rounds"] for h in r0["history"])
    assert r0["frozen"] == r1["frozen"] == (rounds if workers else 0)
    # rank 1 trained on nothing, in every step, and still ran every minibatch
    assert all(h["data/groups_trained"] == 0.5 for h in r0["history"])  # mean of 1 and 0
    assert len(r0["records"]) == len(r1["records"]) == 2 * 2 * 2  # steps x epochs x minibatches
    assert all(float(c["mask"].sum()) == 0 for c in r1["calls"])
    assert any(float(c["mask"].sum()) > 0 for c in r0["calls"])
    # the same number of forwards on both ranks (micro-batches agreed; padding rows on rank 1)
    assert len(r0["calls"]) == len(r1["calls"])
    # the loss is the token mean over both processes' tokens, computed by hand
    checked = 0
    for a, b in zip(r0["records"], r1["records"], strict=True):
        assert a["rec"]["loss/total"] == b["rec"]["loss/total"]
        calls = [r0["calls"][i] for i in a["calls"]] + [r1["calls"][i] for i in b["calls"]]
        hand = _hand_loss(calls)
        assert a["rec"]["loss/total"] == pytest.approx(hand, rel=1e-5, abs=1e-9)
        checked += hand != 0.0
    assert checked > 0
    # identical replicas, and they did move (rank 0's gradient reached rank 1)
    for p0, p1 in zip(r0["params"], r1["params"], strict=True):
        assert torch.equal(p0, p1)
    assert any(not torch.equal(p, q) for p, q in zip(r1["init"], r1["params"], strict=True))
    if engine == "fsdp2":
        assert r0["engine"]["engine"] == r1["engine"]["engine"] == "fsdp2"
        _check_half_shards(r0, r1)


@pytest.mark.parametrize("engine", ["accelerate", "hand", "fsdp2"])
def test_global_token_mean_with_uneven_tokens(tmp_path, engine):
    """Both ranks train, with different numbers of tokens: the logged loss is the global token
    mean, not the mean of the two per-process means; and the step is the one a single process
    takes over both ranks' rows (same gradient norm, same parameters). ``accelerate``: DDP
    through ``Accelerator.prepare`` (what a launch gets); ``hand``: the fallback without
    accelerate (gradients summed by hand)."""
    if engine == "accelerate":
        pytest.importorskip("accelerate")
    port = _free_port()
    _spawn_with_deadline(_uneven_worker, (2, port, str(tmp_path), engine), 2)
    r0 = torch.load(tmp_path / "rank0.pt", weights_only=False)
    r1 = torch.load(tmp_path / "rank1.pt", weights_only=False)
    if engine == "accelerate":
        for r in (r0, r1):
            assert r["engine"]["engine"] == "accelerate"
            assert r["engine"]["distributed_type"] == "MULTI_CPU"
            assert r["engine"]["wrapper"] == "DistributedDataParallel"
    elif engine == "fsdp2":
        for r in (r0, r1):
            assert r["engine"]["engine"] == "fsdp2", r["engine"]
            assert r["engine"]["distributed_type"] == "FSDP2"
            assert r["engine"]["wrapper"] == "FSDPShardRoot"
        _check_half_shards(r0, r1)
    else:
        assert r0["engine"] == {"engine": "plain", "distributed_type": "HAND_SUM",
                                "num_processes": 2}
    a, b = r0["records"][0], r1["records"][0]
    c0 = [r0["calls"][i] for i in a["calls"]]
    c1 = [r1["calls"][i] for i in b["calls"]]
    t0 = sum(float(c["mask"].sum()) for c in c0)
    t1 = sum(float(c["mask"].sum()) for c in c1)
    assert t0 > 0 and t1 > 0 and t0 != t1
    hand = _hand_loss(c0 + c1)
    mean_of_means = (_hand_loss(c0) + _hand_loss(c1)) / 2
    assert a["rec"]["loss/total"] == pytest.approx(hand, rel=1e-5)
    assert abs(hand - mean_of_means) > 1e-4 * max(1e-6, abs(hand))
    for p0, p1 in zip(r0["params"], r1["params"], strict=True):
        assert torch.equal(p0, p1)
    assert any(not torch.equal(p, q) for p, q in zip(r0["init"], r0["params"], strict=True))
    _check_one_process_replay(tmp_path, r0, r1)


def _check_half_shards(r0: dict, r1: dict) -> None:
    """The memory claim of the sharded engine: each rank holds its dim-0 half of every
    parameter (FSDP2 pads dim 0 to a multiple of the world size: rank 0 gets the ceiling)."""
    assert r0["shards"] and len(r0["shards"]) == len(r1["shards"])
    total = local0 = 0
    for (shape, n0), (shape1, n1) in zip(r0["shards"], r1["shards"], strict=True):
        assert shape == shape1
        full = int(torch.Size(shape).numel())
        rest = full // shape[0]
        assert n0 == -(-shape[0] // 2) * rest and n0 + n1 == full, (shape, n0, n1)
        total, local0 = total + full, local0 + n0
    assert local0 <= 0.51 * total, (local0, total)


def _check_one_process_replay(tmp_path: Path, r0: dict, r1: dict, policy=None) -> None:
    """One process, the plain engine, the same initial parameters, one update over both
    ranks' rollouts (one minibatch, one epoch: the row order only changes float sums): the
    same gradient norm (a gradient averaged instead of summed over ranks would be off by the
    number of processes) and the same parameters as the two processes reached. ``policy``:
    train that one instead of the config's, from the ranks' initial parameters."""
    import trainers.trainer as T
    from trainers.config import config_from_dict
    from trainers.rollout import Rollout

    cfg = _uneven_config(config_from_dict(_config(tmp_path / "replay")))
    if policy is not None:
        with torch.no_grad():
            for p, q in zip(policy.module.parameters(), r0["init"], strict=True):
                p.copy_(q)
    tr = T.HiGRPOTrainer(cfg, train_cases=_uneven_cases(0), quiet=True, policy=policy)
    assert tr.engine.describe()["engine"] == "plain" and not tr.dist.enabled
    for p, q in zip(tr.policy.module.parameters(), r0["init"], strict=True):
        assert torch.equal(p.detach(), q)
    tr.model.train()
    ro = Rollout.concat([r0["rollouts"][0], r1["rollouts"][0]])
    stats = tr._update(ro, {})
    assert stats["loss/total"] == pytest.approx(r0["records"][0]["rec"]["loss/total"],
                                                rel=1e-5, abs=1e-8)
    assert stats["loss/grad_norm"] == pytest.approx(r0["records"][0]["rec"]["loss/grad_norm"],
                                                    rel=1e-4)
    # Adam's first step moves a parameter by about lr whatever its gradient's size; float
    # noise in gradients near zero moves it by a little (measured: 4.4e-6 = 0.0044 lr)
    lr = cfg.optim.lr
    for p, q in zip(tr.policy.module.parameters(), r0["params"], strict=True):
        torch.testing.assert_close(p.detach(), q, rtol=0, atol=5e-2 * lr)


def _uneven_cases(rank: int) -> list:
    from trainers.toy_cases import toy_cases

    by_id = {c.id: c for c in toy_cases()}
    names = ["table-4", "cup"] if rank == 0 else ["stool-2", "staircase-3"]
    return [by_id[n] for n in names]


def _uneven_config(cfg):
    """One step, one epoch, one minibatch, no dynamic sampling, rewards every case has."""
    cfg.grpo.dynamic_sampling = False
    cfg.grpo.minibatches = 1
    cfg.grpo.epochs = 1
    cfg.steps = 1
    cfg.rewards.step1 = [{"evaluator": "stable"}, {"evaluator": "floating_parts"}]
    cfg.rewards.step2 = [{"evaluator": "watertight"}, {"evaluator": "parts",
                                                       "params": {"expect": 1}}]
    return cfg


def _uneven_worker(rank: int, world: int, port: int, out: str, engine: str) -> None:
    """Like :func:`_worker` with real cases on both ranks and one minibatch per step."""
    import trainers.trainer as T

    original = T.HiGRPOTrainer.__init__

    def init(self, cfg, **kw):
        kw["train_cases"] = _uneven_cases(rank)
        original(self, _uneven_config(cfg), **kw)

    T.HiGRPOTrainer.__init__ = init
    _worker(rank, world, port, out, engine=engine)


# ---------------------------------------------------------------- the documented launch


@pytest.mark.parametrize("engine", ["accelerate", "fsdp2"])
def test_accelerate_launch_with_an_empty_rank_completes(tmp_path, engine):
    """The documented launch, ``accelerate launch --config_file
    trainers/configs/accelerate/cpu_gloo_2proc.yaml -m trainers.hi_grpo --config FILE`` (accelerate
    starts the processes with torch's elastic launcher, as ``torchrun`` does): two cases, one per
    rank per step, one of which no reward applies to; both ranks finish every step.
    ``fsdp2``: the same launch with ``TRAINERS_ENGINE=fsdp2``, and a held-out evaluation of
    one case (so rank 1 evaluates nothing) before, between and after the steps."""
    pytest.importorskip("accelerate")
    cases = tmp_path / "cases.jsonl"
    from trainers.toy_cases import toy_cases

    table = next(c for c in toy_cases() if c.id == "table-4")
    cases.write_text(json.dumps(table.to_dict()) + "\n"
                     + json.dumps(_blank_case("blank").to_dict()) + "\n")
    cfg = _config(tmp_path / "run", max_resample_rounds=0)
    cfg["data"] = {"train": str(cases), "eval": None}
    cfg["checkpoint"] = {"every": 1, "keep": 1}
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TRAINERS_DIST_TIMEOUT": "60",
           "OMP_NUM_THREADS": "1", "HF_HOME": str(tmp_path / "hf")}  # no user accelerate config
    env.pop("TRAINERS_ENGINE", None)
    if engine == "fsdp2":
        env["TRAINERS_ENGINE"] = "fsdp2"
        held = tmp_path / "held.jsonl"
        held.write_text(json.dumps(table.to_dict()) + "\n")
        cfg["data"]["eval"] = str(held)
        cfg["eval"] = {"every": 1, "samples": 2, "runner": False}
    path = tmp_path / "c.yaml"
    path.write_text(json.dumps(cfg))  # JSON is YAML
    accel = ROOT / "trainers" / "configs" / "accelerate" / "cpu_gloo_2proc.yaml"
    cmd = [sys.executable, "-m", "accelerate.commands.launch", "--config_file", str(accel),
           "--main_process_port", str(_free_port()),
           "-m", "trainers.hi_grpo", "--config", str(path), "--quiet"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True, text=True)
    try:
        out, _ = proc.communicate(timeout=DEADLINE_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"accelerate launch did not finish in {DEADLINE_S} s (hang)")
    assert proc.returncode == 0, out[-3000:]
    rows = [json.loads(x) for x in (tmp_path / "run" / "metrics.jsonl").open()]
    if engine == "fsdp2":
        evals = [r for r in rows if r["kind"] == "eval"]
        assert [r["step"] for r in evals] == [0, 1, 2], evals
        assert all("eval/reward/step2" in r for r in evals)
        rows = [r for r in rows if r["kind"] == "train"]
    assert [r["step"] for r in rows] == [1, 2]
    # the blank case's group is dropped every step (its rank has nothing to train on); the
    # table's rank may have nothing either (a group without spread): both must be survived
    assert all(r["data/groups_dropped"] >= 0.5 and r["data/groups_trained"] <= 0.5 for r in rows)
    # the engine in use: accelerate's DDP on CPU (plain Accelerator() would be NO: no sync)
    eng = json.loads((tmp_path / "run" / "engine.json").read_text())
    if engine == "fsdp2":
        assert eng["engine"] == "fsdp2" and eng["distributed_type"] == "FSDP2", eng
        assert eng["wrapper"] == "FSDPShardRoot" and eng["num_processes"] == 2, eng
        assert eng["sharded_units"] == [1, 1], eng  # the policy's block, the reference's
    else:
        assert eng["engine"] == "accelerate" and eng["distributed_type"] == "MULTI_CPU", eng
        assert eng["wrapper"] == "DistributedDataParallel" and eng["num_processes"] == 2, eng
    ck = tmp_path / "run" / "checkpoints"
    assert (ck / "latest").read_text() == "step-000002"
    # two processes really ran: each saved its own generator state
    assert sorted(p.name for p in (ck / "step-000002").glob("rng-rank*.pt")) == [
        "rng-rank0.pt", "rng-rank1.pt"]


@pytest.mark.parametrize("flag", ["ACCELERATE_USE_DEEPSPEED", "ACCELERATE_USE_FSDP"])
def test_a_sharding_engine_is_refused_in_one_line(tmp_path, monkeypatch, capsys, flag):
    """Under a DeepSpeed/FSDP accelerate config the loop would train unsharded replicas: it
    refuses instead (exit 2, one line)."""
    from trainers.hi_grpo import main

    monkeypatch.setenv(flag, "true")
    path = tmp_path / "c.yaml"
    path.write_text(json.dumps(_config(tmp_path / "run")))
    assert main(["--config", str(path), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "does not shard" in err[0], err
    # the line names what to use instead, with the shipped config for that engine
    want = "zero3_8gpu.yaml" if flag == "ACCELERATE_USE_DEEPSPEED" else "fsdp_8gpu.yaml"
    assert want in err[0] and (CONFIGS_ACC / want).is_file()
    assert "TRAINERS_ENGINE=fsdp2" in err[0]  # the loop's own sharded engine
    assert not (tmp_path / "run" / "metrics.jsonl").exists()


@pytest.mark.parametrize(("value", "why"), [("fsdp2", "at least 2 processes"),
                                          ("zero9", "expected one of")])
def test_a_bad_engine_request_is_refused_in_one_line(tmp_path, monkeypatch, capsys, value,
                                                    why):
    """``TRAINERS_ENGINE=fsdp2`` without a distributed launch, or an unknown engine name: exit
    2, one line."""
    from trainers.hi_grpo import main

    monkeypatch.setenv("TRAINERS_ENGINE", value)
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    path = tmp_path / "c.yaml"
    path.write_text(json.dumps(_config(tmp_path / "run")))
    assert main(["--config", str(path), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and why in err[0] and "TRAINERS_ENGINE" in err[0], err


# ---------------------------------------------------------------- checkpoints under DDP


def _resume_worker(rank: int, world: int, port: int, out: str,
                   engine: str = "accelerate") -> None:
    """Two steps straight, then a fresh trainer resumed from step 1's checkpoint (written by
    rank 0, with the optimiser state read through accelerate's prepared optimiser, or
    gathered to full state dicts by the fsdp2 engine) redoes step 2."""
    os.environ.update(RANK=str(rank), WORLD_SIZE=str(world), LOCAL_RANK=str(rank),
                      MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), OMP_NUM_THREADS="1")
    from trainers import distributed as D
    from trainers import trainer as T
    from trainers.config import config_from_dict

    ctx = D.init_from_env("cpu", timeout_s=60)

    def make():
        cfg = _uneven_config(config_from_dict(_config(Path(out) / "run")))
        cfg.steps = 2
        cfg.checkpoint.every, cfg.checkpoint.keep = 1, 2
        eng = None
        if engine == "fsdp2":
            from trainers.engine_fsdp import Fsdp2Engine

            eng = Fsdp2Engine(ctx)
        return T.HiGRPOTrainer(cfg, train_cases=_uneven_cases(rank), dist=ctx, quiet=True,
                               engine=eng)

    straight = make()
    straight.train()
    resumed = make()
    step = resumed.load_checkpoint(resumed.checkpoint_dir() / "step-000001")
    resumed.train()

    def opt(tr):  # full optimiser state on rank 0 (gathered by a sharding engine)
        return tr.engine.state_dicts(tr.policy, tr.reference, tr.optimizer).get("optimizer")

    torch.save({"engine": resumed.engine.describe(), "step": step,
                "straight": _full_params(straight.policy.module),
                "resumed": _full_params(resumed.policy.module),
                "opt": [opt(straight), opt(resumed)]},
               Path(out) / f"rank{rank}.pt")
    D.shutdown(ctx)


@pytest.mark.parametrize("engine", ["accelerate", "fsdp2"])
def test_resume_is_exact(tmp_path, engine):
    """A resume from a 2-process checkpoint redoes the next step exactly (parameters and
    AdamW state); ``fsdp2``: the checkpoint holds gathered full state dicts in the plain
    layout, so it also loads in a one-process plain trainer."""
    if engine == "accelerate":
        pytest.importorskip("accelerate")
    _spawn_with_deadline(_resume_worker, (2, _free_port(), str(tmp_path), engine), 2)
    r0 = torch.load(tmp_path / "rank0.pt", weights_only=False)
    r1 = torch.load(tmp_path / "rank1.pt", weights_only=False)
    assert r0["engine"]["engine"] == engine and r0["step"] == 1
    for r in (r0, r1):
        for p, q in zip(r["straight"], r["resumed"], strict=True):
            assert torch.equal(p, q)
    for r in (r0, r1) if engine == "accelerate" else (r0,):  # fsdp2: full state on rank 0
        a, b = r["opt"]
        assert a["state"].keys() == b["state"].keys()
        for k in a["state"]:
            for name in ("exp_avg", "exp_avg_sq", "step"):
                assert torch.equal(a["state"][k][name], b["state"][k][name])
    for p, q in zip(r0["resumed"], r1["resumed"], strict=True):
        assert torch.equal(p, q)
    # rank 0 wrote the shared state, each rank its own generators
    ck = tmp_path / "run" / "checkpoints" / "step-000002"
    assert sorted(p.name for p in ck.iterdir()) == ["rng-rank0.pt", "rng-rank1.pt", "state.pt"]
    if engine == "fsdp2":  # the same layout as the plain engine's: one process loads it
        import trainers.trainer as T
        from trainers.config import config_from_dict

        cfg = _uneven_config(config_from_dict(_config(tmp_path / "run")))
        tr = T.HiGRPOTrainer(cfg, train_cases=_uneven_cases(0), quiet=True)
        assert tr.engine.describe()["engine"] == "plain"
        assert tr.load_checkpoint() == 2
        for p, q in zip(tr.policy.module.parameters(), r0["straight"], strict=True):
            assert torch.equal(p.detach(), q)
        mine = tr.optimizer.state_dict()
        assert mine["state"].keys() == r0["opt"][0]["state"].keys()
        for k, st in mine["state"].items():
            assert torch.equal(st["exp_avg"], r0["opt"][0]["state"][k]["exp_avg"])


# ---------------------------------------------------------------- fsdp2: gathered generation


def _gathered_worker(rank: int, world: int, port: int, out: str) -> None:
    """Under ``Fsdp2Engine.gathered`` rank r generates ``1 + 2 r`` times (as ranks whose
    samples stop at different lengths would): no all-gather happens inside, and a training
    step afterwards still pairs every collective."""
    os.environ.update(RANK=str(rank), WORLD_SIZE=str(world), LOCAL_RANK=str(rank),
                      MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), OMP_NUM_THREADS="1")
    import torch.distributed as dist

    from trainers import distributed as D
    from trainers import trainer as T
    from trainers.config import config_from_dict
    from trainers.engine_fsdp import Fsdp2Engine

    ctx = D.init_from_env("cpu", timeout_s=60)
    cfg = _uneven_config(config_from_dict(_config(Path(out) / "run")))
    tr = T.HiGRPOTrainer(cfg, train_cases=_uneven_cases(rank), dist=ctx, quiet=True,
                         engine=Fsdp2Engine(ctx))
    gathers = [0]
    original = dist.all_gather_single

    def counting(*a, **k):
        gathers[0] += 1
        return original(*a, **k)

    dist.all_gather_single = counting  # what FSDP2's default all-gather calls
    g = torch.Generator().manual_seed(rank)
    with tr.engine.gathered(tr.policy):
        entered = gathers[0]
        for _ in range(1 + 2 * rank):
            s1 = tr.policy.generate(["a table"], step=1, generator=g)
            s2 = tr.policy.generate(["a table"], step=2, previous=s1, generator=g)
        inside = gathers[0] - entered
    with torch.no_grad():  # outside: each unit all-gathers in its forward (the counter works)
        before = gathers[0]
        tr.engine.frozen_forward(tr.policy)(s1, s2)
        outside = gathers[0] - before
    tr.train()  # a whole step after the uneven generation: the collectives still pair up
    torch.save({"entered": entered, "inside": inside, "outside": outside,
                "history": tr.history}, Path(out) / f"rank{rank}.pt")
    D.shutdown(ctx)


def test_fsdp2_generation_runs_on_gathered_parameters(tmp_path):
    """The ranks generate different numbers of times inside ``gathered()``: no all-gather
    there (with per-forward all-gathers gloo aborts, ``scripts/check_fsdp2_cpu.py
    --uneven``), the same all-gathers on entry, and the training step after it completes."""
    _spawn_with_deadline(_gathered_worker, (2, _free_port(), str(tmp_path)), 2)
    r0 = torch.load(tmp_path / "rank0.pt", weights_only=False)
    r1 = torch.load(tmp_path / "rank1.pt", weights_only=False)
    assert r0["inside"] == r1["inside"] == 0
    assert r0["entered"] == r1["entered"]
    assert r0["outside"] == r1["outside"] > 0
    assert len(r0["history"]) == len(r1["history"]) == 1


def _hf_uneven_worker(rank: int, world: int, port: int, out: str) -> None:
    """:func:`_uneven_worker` under the fsdp2 engine with the tiny Llama policy (its decoder
    layers are the sharded units; its samples stop at EOS, so the ranks' numbers of
    generation forwards may differ)."""
    from test_trainers_hf import warmed_policy

    import trainers.trainer as T

    T.build_policy = lambda spec, seed=0: warmed_policy()
    _uneven_worker(rank, world, port, out, "fsdp2")


def test_fsdp2_hf_policy_step_equals_one_process_update(tmp_path):
    """The Hugging Face adapter under the fsdp2 engine: one step on two processes equals the
    one-process plain update over both ranks' rollouts; each rank holds half of every
    parameter (the tied embedding/head included)."""
    pytest.importorskip("transformers")
    from test_trainers_hf import warmed_policy

    _spawn_with_deadline(_hf_uneven_worker, (2, _free_port(), str(tmp_path)), 2)
    r0 = torch.load(tmp_path / "rank0.pt", weights_only=False)
    r1 = torch.load(tmp_path / "rank1.pt", weights_only=False)
    assert r0["engine"]["engine"] == "fsdp2" and r0["engine"]["sharded_units"] == [2, 2]
    _check_half_shards(r0, r1)
    for p0, p1 in zip(r0["params"], r1["params"], strict=True):
        assert torch.equal(p0, p1)
    _check_one_process_replay(tmp_path, r0, r1, policy=warmed_policy())
