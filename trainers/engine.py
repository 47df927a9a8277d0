"""The engine boundary: who wraps the model, runs the backward, synchronises and clips.

The Hi-GRPO loop (:mod:`trainers.trainer`) is ours; only the gradient path goes through an
engine. Two engines:

* :class:`AccelerateEngine` (``engine: accelerate``), used whenever the process was launched
  distributed (``WORLD_SIZE > 1``: ``accelerate launch``, ``torchrun``) and ``accelerate`` is
  installed (the ``mme3dr[train]`` extra). ``Accelerator.prepare`` wraps the policy's training
  forward (:class:`JointForward`) in ``DistributedDataParallel`` and the optimiser in accelerate's
  wrapper; backward is ``accelerator.backward``, every micro-batch but the last runs under
  ``accelerator.no_sync`` and clipping is ``accelerator.clip_grad_norm_``. DDP **averages**
  gradients over processes while our losses are divided by the *global* token count, so the
  loss is multiplied by the number of processes before the backward: the averaged gradient is
  then the gradient of the global token mean (exactly, for a power-of-two world). On CPU the
  accelerator is built with ``cpu=True`` (plain ``Accelerator()`` under the shipped CPU config
  reports ``DistributedType.NO`` and would synchronise nothing; checked with accelerate 1.16).
  ``TRAINERS_DIST_TIMEOUT`` (seconds) becomes the process group's timeout. The process group
  is accelerate's (or, when one already exists, that one), so the loop's own collectives in
  :mod:`trainers.distributed` (token counts, metrics) keep working.
* :class:`Engine` (``engine: plain``): a single process without a launcher (no accelerate
  import; plain ``loss.backward()`` and ``torch.nn.utils.clip_grad_norm_``, the same numbers
  an ``Accelerator`` would give there at the cost of a dependency and its start-up), and the
  fallback for a distributed launch without accelerate installed (``distributed_type:
  HAND_SUM``): our own process group, gradients summed by hand after the backward
  (:func:`trainers.distributed.sum_gradients`).

* :class:`trainers.engine_fsdp.Fsdp2Engine` (``engine: fsdp2``), only when asked for with
  ``TRAINERS_ENGINE=fsdp2`` in a distributed launch: torch's FSDP2 (``fully_shard``) over our
  own process group, the policy and the frozen reference sharded per
  :meth:`~trainers.policies.base.Policy.shard_units`, the optimiser built over the shards,
  generation on gathered parameters, full-state-dict checkpoints in the plain layout. Tested
  on CPU with gloo (2 processes) only.

The trainer calls, in order: :meth:`Engine.shard` (before the optimiser is built: a sharding
engine replaces the parameters), :meth:`Engine.prepare`; per step :meth:`Engine.gathered`
around generation, :meth:`Engine.frozen_forward` for the old/reference log-probs,
:meth:`Engine.no_sync` / :meth:`Engine.backward` / :meth:`Engine.finish_gradients` /
:meth:`Engine.clip_grad_norm_` in each minibatch; :meth:`Engine.state_dicts` (every process)
and :meth:`Engine.load_state_dicts` for checkpoints. The plain and accelerate engines leave
the policy as it is (``shard``, ``gathered``: no-ops; frozen passes call ``joint_logprobs``
directly; state dicts are the modules' and the optimiser's own).

The LR scheduler is not prepared (accelerate would step it once per process); under the plain
and accelerate engines generation and the frozen old/reference log-probs use the unwrapped
policy (no gradients, no DDP hooks). Accelerate's own sharding plugins (DeepSpeed, FSDP) are
refused (:func:`trainers.distributed.refuse_sharded_engine`), pointing to
``TRAINERS_ENGINE=fsdp2``.
"""

from __future__ import annotations

import contextlib
import os
from datetime import timedelta
from typing import Any

import torch

from trainers import distributed as D


class JointForward(torch.nn.Module):
    """The policy's training forward (``joint_logprobs``) as one module, so a forward goes
    through the engine's wrapper and its gradient hooks fire. Its parameters are the policy's
    (``net``); the policy itself is kept outside the module tree (no double registration)."""

    def __init__(self, policy: Any):
        super().__init__()
        self.net = policy.module
        object.__setattr__(self, "_policy", policy)

    def forward(self, b1: Any, b2: Any) -> Any:
        return self._policy.joint_logprobs(b1, b2)


class Engine:
    """No engine library: this process's own backward and clip; with a process group (a
    launch without accelerate) gradients are summed by hand after the last micro-batch."""

    name = "plain"

    def __init__(self, dist: D.DistContext | None = None):
        self.dist = dist or D.DistContext()
        self.model: torch.nn.Module | None = None
        self.optimizer: Any = None

    @property
    def distributed_type(self) -> str:
        return "HAND_SUM" if self.dist.enabled else "NO"

    def shard(self, policy: Any, reference: Any | None = None) -> None:
        """Shard the policy and the frozen reference in place before the optimiser is built
        (only :class:`trainers.engine_fsdp.Fsdp2Engine` does anything)."""

    def prepare(self, policy: Any, optimizer: Any) -> tuple[torch.nn.Module, Any]:
        """``(training forward module, optimiser)`` to use in the loop."""
        self.model, self.optimizer = JointForward(policy), optimizer
        return self.model, self.optimizer

    def frozen_forward(self, policy: Any) -> Any:
        """What computes ``policy``'s frozen (no-gradient) joint log-probs: its own
        ``joint_logprobs`` (no wrapper, no DDP hooks)."""
        return policy.joint_logprobs

    def gathered(self, policy: Any) -> contextlib.AbstractContextManager:
        """Where ``policy`` generates (a number of forwards that may differ per process):
        nothing to do for a full replica."""
        return contextlib.nullcontext()

    def state_dicts(self, policy: Any, reference: Any, optimizer: Any) -> dict[str, Any]:
        """``model``, ``reference``, ``optimizer`` state dicts for ``state.pt`` (called on
        every process; rank 0 writes)."""
        return {"model": policy.module.state_dict(), "reference": reference.module.state_dict(),
                "optimizer": optimizer.state_dict()}

    def load_state_dicts(self, policy: Any, reference: Any, optimizer: Any,
                         state: dict[str, Any]) -> None:
        policy.module.load_state_dict(state["model"])
        reference.module.load_state_dict(state["reference"])
        optimizer.load_state_dict(state["optimizer"])

    def no_sync(self) -> contextlib.AbstractContextManager:
        """Where a micro-batch's backward must not synchronise gradients (all but the last)."""
        return contextlib.nullcontext()

    def backward(self, loss: torch.Tensor) -> None:
        loss.backward()

    def finish_gradients(self) -> None:
        """After the last micro-batch: gradients of the global token mean on every process."""
        D.sum_gradients(self.model, self.dist)

    def clip_grad_norm_(self, max_norm: float) -> torch.Tensor:
        return torch.nn.utils.clip_grad_norm_(self.model.parameters(), max_norm)

    def describe(self) -> dict[str, Any]:
        """What ran (``RUN_DIR/engine.json``)."""
        return {"engine": self.name, "distributed_type": self.distributed_type,
                "num_processes": self.dist.world}

    def shutdown(self) -> None:
        D.shutdown(self.dist)


class AccelerateEngine(Engine):
    """``accelerate.Accelerator``: DDP over the prepared :class:`JointForward`, see the module
    docstring for why the loss is multiplied by the number of processes."""

    name = "accelerate"

    def __init__(self, accelerator: Any):
        self.accelerator = accelerator
        super().__init__(D.DistContext(rank=accelerator.process_index,
                                       world=accelerator.num_processes,
                                       local_rank=accelerator.local_process_index))

    @property
    def distributed_type(self) -> str:
        return str(self.accelerator.distributed_type).split(".")[-1]

    def prepare(self, policy: Any, optimizer: Any) -> tuple[torch.nn.Module, Any]:
        self.model, self.optimizer = self.accelerator.prepare(JointForward(policy), optimizer)
        return self.model, self.optimizer

    def no_sync(self) -> contextlib.AbstractContextManager:
        return self.accelerator.no_sync(self.model)

    def backward(self, loss: torch.Tensor) -> None:
        # DDP averages over processes; the loss is already over the global token count
        self.accelerator.backward(loss * self.dist.world)

    def finish_gradients(self) -> None:
        """Nothing: DDP reduced the gradients during the last micro-batch's backward."""

    def clip_grad_norm_(self, max_norm: float) -> torch.Tensor:
        return self.accelerator.clip_grad_norm_(self.model.parameters(), max_norm)

    def describe(self) -> dict[str, Any]:
        import accelerate

        return {"engine": self.name, "distributed_type": self.distributed_type,
                "num_processes": self.dist.world, "wrapper": type(self.model).__name__,
                "accelerate": accelerate.__version__}

    def shutdown(self) -> None:
        self.accelerator.end_training()  # trackers, then the process group


def _timeout_s(timeout_s: float | None) -> float | None:
    if timeout_s is None and os.environ.get("TRAINERS_DIST_TIMEOUT"):
        return float(os.environ["TRAINERS_DIST_TIMEOUT"])
    return timeout_s


def accelerate_available() -> bool:
    try:
        import accelerate  # noqa: F401
    except ImportError:
        return False
    return True


def make_accelerator(device: str = "cpu", timeout_s: float | None = None) -> Any:
    """An ``Accelerator`` for this launch (``cpu=True`` on CPU; the timeout from
    ``TRAINERS_DIST_TIMEOUT`` unless given). Joins an existing process group if there is one."""
    from accelerate import Accelerator
    from accelerate.utils import InitProcessGroupKwargs

    timeout_s = _timeout_s(timeout_s)
    handlers = ([] if timeout_s is None
                else [InitProcessGroupKwargs(timeout=timedelta(seconds=timeout_s))])
    return Accelerator(cpu=str(device) == "cpu", kwargs_handlers=handlers)


#: ``TRAINERS_ENGINE`` values: ``auto`` (unset: accelerate's DDP when distributed, else plain)
#: and ``fsdp2`` (:class:`trainers.engine_fsdp.Fsdp2Engine`, distributed launches only)
ENGINE_CHOICES = ("auto", "fsdp2")


def requested_engine() -> str:
    """``TRAINERS_ENGINE`` (default ``auto``); anything else is a one-line ``ConfigError``."""
    from mme3dr.errors import ConfigError

    name = os.environ.get("TRAINERS_ENGINE", "").strip().lower() or "auto"
    if name not in ENGINE_CHOICES:
        raise ConfigError(f"TRAINERS_ENGINE={name!r}: expected one of {', '.join(ENGINE_CHOICES)}")
    return name


def _fsdp2(dist: D.DistContext, device: str) -> Engine:
    from trainers.engine_fsdp import Fsdp2Engine

    return Fsdp2Engine(dist, device)


def for_context(dist: D.DistContext | None, device: str = "cpu") -> Engine:
    """The engine for a process that already knows where it stands: FSDP2 under
    ``TRAINERS_ENGINE=fsdp2``; else accelerate when ``dist`` is distributed and accelerate is
    installed (it joins the existing process group), the plain engine otherwise."""
    if requested_engine() == "fsdp2":
        return _fsdp2(dist or D.DistContext(), device)
    if dist is not None and dist.enabled and accelerate_available():
        eng = AccelerateEngine(make_accelerator(device))
        if (eng.dist.rank, eng.dist.world) != (dist.rank, dist.world):
            raise RuntimeError(f"accelerate sees rank {eng.dist.rank} of {eng.dist.world}, "
                               f"the process group rank {dist.rank} of {dist.world}")
        return eng
    return Engine(dist)


def from_env(device: str = "cpu", timeout_s: float | None = None) -> Engine:
    """The engine for this launch: refuse accelerate's sharded engines;
    ``TRAINERS_ENGINE=fsdp2`` gets :class:`trainers.engine_fsdp.Fsdp2Engine` over our own
    process group; else a single process gets the plain engine (no process group), a
    distributed launch accelerate's DDP or, without accelerate installed, our own process
    group (:func:`trainers.distributed.init_from_env`) and hand-summed gradients."""
    D.refuse_sharded_engine()
    if requested_engine() == "fsdp2":
        return _fsdp2(D.init_from_env(device, timeout_s=_timeout_s(timeout_s)), device)
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1:
        return Engine()
    if not accelerate_available():
        return Engine(D.init_from_env(device, timeout_s=timeout_s))
    return AccelerateEngine(make_accelerator(device, timeout_s))


__all__ = ["ENGINE_CHOICES", "AccelerateEngine", "Engine", "JointForward",
           "accelerate_available", "for_context", "from_env", "make_accelerator",
           "requested_engine"]
