"""Data parallelism over prompts: the process group's facts and the loop's own collectives.

Each process samples, decodes and rewards its own share of the step's prompts (whole groups,
so advantages never need other processes). The loss is the token mean over the *whole* batch:
each process divides its token sums by the global token count (:func:`all_sum`) and the
engine (:mod:`trainers.engine`) turns the processes' gradients into the gradient of that
global mean before every optimiser step: accelerate's ``DistributedDataParallel`` (gradients
averaged, the loss multiplied by the number of processes) whenever accelerate is installed,
or :func:`sum_gradients` (the fallback without it). Every process starts from the same
parameters (same seed, :func:`broadcast_parameters`, DDP's own broadcast) and applies the same
update, so the replicas stay identical.

**Every process takes part in every collective of every step, in the same order**, whatever
its data: a process whose groups were all dropped (no reward spread, undecodable) still runs
the same number of resampling rounds, minibatches and micro-batches, forwarding a padding row
with an all-zero mask (zero loss, zero tokens, zero gradient). So one process with nothing to
train on cannot leave the others blocked in ``all_reduce`` (ours or DDP's).
``TRAINERS_DIST_TIMEOUT`` (seconds) bounds how long a collective may wait before the process
group raises.

Launch with ``accelerate launch --config_file trainers/configs/accelerate/<name>.yaml -m
trainers.hi_grpo --config FILE`` (``cpu_gloo_2proc``, ``single_gpu``, ``ddp_8gpu``) or
``torchrun --nproc_per_node K -m trainers.hi_grpo --config FILE``: both set ``RANK``,
``WORLD_SIZE``, ``LOCAL_RANK``, ``MASTER_ADDR`` and ``MASTER_PORT``. The ``Accelerator``
(:func:`trainers.engine.from_env`) creates the process group from them; without accelerate,
:func:`init_from_env` does. The collectives here are plain ``torch.distributed`` calls on
that group (token counts, metrics, agreement on rounds and micro-batches). Multi-node works
the same way. The backend is ``nccl`` on CUDA, ``gloo`` otherwise.

Under accelerate's engines every process holds a full replica (DDP); an accelerate config
that selects DeepSpeed or FSDP is refused by :func:`refuse_sharded_engine` (one line) rather
than silently train unsharded replicas. Sharding is torch's FSDP2 over our own process group
(``TRAINERS_ENGINE=fsdp2``, :mod:`trainers.engine_fsdp`), whose engine shards after
:func:`init_from_env`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import torch
import torch.distributed as dist


@dataclass
class DistContext:
    """Where this process stands: ``rank`` of ``world`` (``world == 1``: not distributed)."""

    rank: int = 0
    world: int = 1
    local_rank: int = 0

    @property
    def enabled(self) -> bool:
        return self.world > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def shard(self, items: list[Any]) -> list[Any]:
        """This process's share: items ``rank, rank + world, ...``."""
        return items[self.rank :: self.world]


def init_from_env(
    device: str = "cpu", backend: str | None = None, timeout_s: float | None = None
) -> DistContext:
    """Join the process group described by the launcher's environment (no-op without one).

    ``timeout_s`` (default: ``TRAINERS_DIST_TIMEOUT`` from the environment, else torch's
    default) bounds every collective's wait.
    """
    refuse_sharded_engine()
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return DistContext()
    rank = int(os.environ["RANK"])
    local = int(os.environ.get("LOCAL_RANK", rank))
    if timeout_s is None and os.environ.get("TRAINERS_DIST_TIMEOUT"):
        timeout_s = float(os.environ["TRAINERS_DIST_TIMEOUT"])
    if not dist.is_initialized():
        backend = backend or ("nccl" if device.startswith("cuda") else "gloo")
        kw = {} if timeout_s is None else {"timeout": timedelta(seconds=timeout_s)}
        dist.init_process_group(backend=backend, rank=rank, world_size=world, **kw)
    if device.startswith("cuda"):
        torch.cuda.set_device(local)
    return DistContext(rank=rank, world=world, local_rank=local)


#: environment flags ``accelerate launch`` sets for engines that shard parameters
SHARDED_ENGINE_FLAGS = {"ACCELERATE_USE_DEEPSPEED": "DeepSpeed", "ACCELERATE_USE_FSDP": "FSDP"}

#: why each accelerate sharding plugin is refused, and what else to use (one line each)
_REFUSALS = {
    "DeepSpeed": (
        "a ZeRO-3 port would need generation under GatheredParameters, the reference as a "
        "second engine and ZeRO checkpoints; or use TRL's GRPOTrainer with "
        "mme3dr.trl_rewards.TRLMeshReward under trainers/configs/accelerate/zero3_8gpu.yaml"),
    "FSDP": (
        "on a machine without GPUs accelerate runs an FSDP config as plain CPU DDP (checked "
        "with accelerate 1.16 and torch 2.14); or use TRL's GRPOTrainer with "
        "mme3dr.trl_rewards.TRLMeshReward under trainers/configs/accelerate/fsdp_8gpu.yaml"),
}


def refuse_sharded_engine() -> None:
    """Raise ``ConfigError`` when launched under a DeepSpeed or FSDP accelerate config.

    The loop is prepared through accelerate as DDP only (a full replica per process); under
    accelerate's DeepSpeed or FSDP config it would quietly not shard, which is not what the
    config asked. Sharding is :class:`trainers.engine_fsdp.Fsdp2Engine`, chosen with
    ``TRAINERS_ENGINE=fsdp2``. The one-line message names the engine and what to use
    instead.
    """
    from mme3dr.errors import ConfigError

    for flag, engine in SHARDED_ENGINE_FLAGS.items():
        if os.environ.get(flag, "").strip().lower() in ("1", "true", "yes"):
            raise ConfigError(
                f"launched with {engine} ({flag}=true), but the Hi-GRPO loop does not shard "
                f"parameters through accelerate's {engine} plugin; to shard, launch a DDP/CPU "
                f"config (or torchrun) with TRAINERS_ENGINE=fsdp2 (torch FSDP2, "
                f"trainers/engine_fsdp.py); {_REFUSALS[engine]}")


def sum_gradients(module: torch.nn.Module, ctx: DistContext) -> None:
    """All-reduce (sum) every parameter gradient, in place (the engine without accelerate;
    accelerate's DDP reduces during the backward instead).

    The trainer's losses are already divided by the global token count, so the sum of the
    processes' gradients is the gradient of the global token mean. Parameters without a
    gradient on this process get a zero gradient first, so every process takes part in the
    same collectives in the same order.
    """
    if not ctx.enabled:
        return
    for p in module.parameters():
        if not p.requires_grad:
            continue
        if p.grad is None:
            p.grad = torch.zeros_like(p)
        dist.all_reduce(p.grad, op=dist.ReduceOp.SUM)


def _comm_device() -> torch.device:
    """Where a collective's tensor must live: the current GPU under nccl (which cannot reduce
    CPU tensors), the CPU otherwise."""
    if dist.is_initialized() and dist.get_backend() == "nccl":
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device("cpu")


def _all_reduce(t: torch.Tensor, op: Any) -> torch.Tensor:
    """All-reduce ``t`` (a CPU tensor) on the backend's device; returns a CPU tensor."""
    dev = _comm_device()
    if dev.type == "cpu":
        dist.all_reduce(t, op=op)
        return t
    moved = t.to(dev)
    dist.all_reduce(moved, op=op)
    return moved.cpu()


def all_sum(values: torch.Tensor, ctx: DistContext) -> torch.Tensor:
    """The element-wise sum of ``values`` over processes (a new float64 CPU tensor)."""
    out = values.detach().to("cpu", torch.float64).clone()
    if ctx.enabled:
        out = _all_reduce(out, dist.ReduceOp.SUM)
    return out


def all_max(value: int, ctx: DistContext) -> int:
    """The largest ``value`` over processes."""
    if not ctx.enabled:
        return int(value)
    t = _all_reduce(torch.tensor([int(value)], dtype=torch.int64), dist.ReduceOp.MAX)
    return int(t.item())


def all_max_float(value: float, ctx: DistContext) -> float:
    """The largest float ``value`` over processes."""
    if not ctx.enabled:
        return float(value)
    t = _all_reduce(torch.tensor([float(value)], dtype=torch.float64), dist.ReduceOp.MAX)
    return float(t.item())


def any_true(flag: bool, ctx: DistContext) -> bool:
    """Whether ``flag`` is true on at least one process (every process gets the same answer)."""
    return all_max(int(bool(flag)), ctx) > 0


def mean_over_processes(values: dict[str, float], ctx: DistContext) -> dict[str, float]:
    """Average scalar metrics over processes (NaN-aware: a NaN or a key missing on one rank is
    skipped; processes may report different keys, e.g. reward terms of different cases)."""
    if not ctx.enabled:
        return values
    everyone: list[Any] = [None] * ctx.world
    dist.all_gather_object(everyone, sorted(values))
    keys = sorted({k for ks in everyone for k in ks})
    nan = float("nan")
    v = torch.tensor([float(values.get(k, nan)) for k in keys], dtype=torch.float64)
    finite = torch.isfinite(v)
    both = torch.stack([torch.where(finite, v, torch.zeros_like(v)), finite.double()])
    both = _all_reduce(both, dist.ReduceOp.SUM)
    means = both[0] / both[1].clamp_min(1)
    means = torch.where(both[1] > 0, means, torch.full_like(means, float("nan")))
    return dict(zip(keys, means.tolist(), strict=True))


def broadcast_parameters(module: torch.nn.Module, ctx: DistContext) -> None:
    """Copy rank 0's parameters to every process (belt and braces after construction)."""
    if not ctx.enabled:
        return
    for p in module.parameters():
        dist.broadcast(p.data, src=0)


def barrier(ctx: DistContext) -> None:
    if ctx.enabled:
        dist.barrier()


def shutdown(ctx: DistContext) -> None:
    if ctx.enabled and dist.is_initialized():
        dist.destroy_process_group()
