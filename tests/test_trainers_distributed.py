"""Data parallelism: two CPU processes (gloo) agree on the averaged gradients."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import torch
import torch.multiprocessing as mp


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _worker(rank: int, world: int, port: int, out: str) -> None:
    os.environ.update(RANK=str(rank), WORLD_SIZE=str(world), LOCAL_RANK=str(rank),
                      MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    from trainers import distributed as D
    from trainers import trainer as T
    from trainers.config import config_from_dict

    ctx = D.init_from_env("cpu")
    cfg = config_from_dict({
        "run_dir": str(Path(out) / "run"), "steps": 1,
        "policy": {"kind": "reference", "d_model": 16, "n_layers": 1, "n_heads": 2},
        "grpo": {"prompts_per_step": 4, "group_size": 4, "epochs": 1, "minibatches": 1,
                 "dynamic_sampling": False},
        "rewards": {"workers": 0}, "eval": {"every": 0}, "checkpoint": {"every": 1},
        "log": {"plot": False},
    })
    captured: dict[str, list[torch.Tensor]] = {}
    original = D.average_gradients

    def spy(module, c):
        captured.setdefault("local", [p.grad.clone() for p in module.parameters()])
        original(module, c)
        captured.setdefault("averaged", [p.grad.clone() for p in module.parameters()])

    T.D.average_gradients = spy
    tr = T.HiGRPOTrainer(cfg, dist=ctx, quiet=True)
    tr.train()
    captured["params"] = [p.detach().clone() for p in tr.policy.module.parameters()]
    captured["prompts"] = [c.prompt for c in tr.sampler.cases]
    torch.save(captured, Path(out) / f"rank{rank}.pt")
    D.shutdown(ctx)


def test_two_gloo_processes_average_gradients(tmp_path):
    mp.spawn(_worker, args=(2, _free_port(), str(tmp_path)), nprocs=2, join=True)
    r0 = torch.load(tmp_path / "rank0.pt")
    r1 = torch.load(tmp_path / "rank1.pt")
    differ = any(not torch.allclose(a, b) for a, b in zip(r0["local"], r1["local"], strict=True))
    assert differ, "each process should see its own prompts, hence its own gradient"
    for a0, a1, l0, l1 in zip(r0["averaged"], r1["averaged"], r0["local"], r1["local"],
                              strict=True):
        assert torch.equal(a0, a1)
        assert torch.allclose(a0, (l0 + l1) / 2, atol=1e-7)
    for p0, p1 in zip(r0["params"], r1["params"], strict=True):
        assert torch.equal(p0, p1)
    assert (tmp_path / "run" / "checkpoints" / "step-000001" / "rng-rank1.pt").is_file()
