"""A sharded engine for the two-step loop: torch's FSDP2 (``fully_shard``), chosen explicitly.

Selected with ``TRAINERS_ENGINE=fsdp2`` in a distributed launch (``torchrun`` or ``accelerate
launch`` of a DDP/CPU config: accelerate only starts the processes, it does not prepare
anything here). :func:`trainers.engine.from_env` then builds :class:`Fsdp2Engine` over our own
process group (:func:`trainers.distributed.init_from_env`, timeout ``TRAINERS_DIST_TIMEOUT``).

What it does (tested on CPU with gloo, 2 processes; not run on GPU/nccl):

* :meth:`Fsdp2Engine.shard`: ``fully_shard`` on each of the policy's
  :meth:`~trainers.policies.base.Policy.shard_units` (the reference policy's transformer
  blocks, a Hugging Face model's decoder layers), then on a root module that holds the
  policy's module (:class:`~trainers.engine.JointForward`: the training forward, so the
  parameters outside the units, embeddings, final norm, output head, are gathered by the
  root around every training forward, also for a policy whose log-probs call the decoder and
  the head separately). The frozen reference gets the same treatment (a second sharded tree,
  no optimiser). Each process then holds ``1/world`` of every parameter (dim-0 shards,
  DTensors). The trainer builds the optimiser afterwards, over the sharded parameters.
* Gradients: FSDP2 reduce-scatters the **mean** over processes and our loss is divided by
  the global token count, so the backward is ``(loss * world).backward()`` (as DDP); every
  micro-batch but the last runs with ``set_requires_gradient_sync(False)`` (FSDP2 then keeps
  the *unsharded* gradient until the last micro-batch: less communication, more memory);
  clipping is ``torch.nn.utils.clip_grad_norm_`` over the DTensor parameters (the norm is
  all-reduced; returned as a plain tensor).
* Generation and evaluation (:meth:`Fsdp2Engine.gathered`): the number of forwards differs
  per process (sampling until EOS, eval cases per rank), and a per-forward all-gather would
  then pair different collectives across processes (gloo aborts, measured:
  ``scripts/check_fsdp2_cpu.py --uneven``). So every unit and the root are ``unshard()``-ed
  first (the same collectives on every process), the units are told not to reshard after
  forward, the policy generates on full parameters without any collective, and everything
  is ``reshard()``-ed after. The frozen old/reference log-prob passes run the agreed number
  of micro-batches on every process; they go through the root (per-unit all-gathers).
* Checkpoints keep the plain layout (``state.pt``: ``model``, ``reference``, ``optimizer``
  with integer parameter ids): gathered with ``get_model_state_dict`` /
  ``get_optimizer_state_dict`` (``full_state_dict=True, cpu_offload=True``: rank 0 receives
  full CPU tensors, the others an empty dict), loaded with ``set_model_state_dict`` /
  ``set_optimizer_state_dict`` (``full_state_dict=True``: every process reads the full state
  and keeps its shard). A checkpoint of this engine loads in the plain engine and back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import torch
import torch.distributed as dist

from trainers import distributed as D
from trainers.engine import Engine, JointForward


class ShardRoot(JointForward):
    """The FSDP2 root over a policy's module: its forward is the policy's training forward;
    :meth:`touch` is a registered FSDP forward method doing nothing, called once after
    sharding so FSDP2 sets this module up as the root (its lazy initialisation) before any
    inner module is forwarded on its own (generation calls the policy's module directly)."""

    def forward(self, b1: Any, b2: Any) -> Any:
        # fresh tensors, not views of one log-prob tensor (FSDP2 hooks the outputs for its
        # backward and warns about views)
        (lp1, e1), (lp2, e2) = super().forward(b1, b2)
        return (lp1.clone(), e1.clone()), (lp2.clone(), e2.clone())

    def touch(self) -> None:
        return None


def _full(t: Any) -> Any:
    """A DTensor's full value (a collective), anything else as it is."""
    from torch.distributed.tensor import DTensor

    return t.full_tensor() if isinstance(t, DTensor) else t


class Fsdp2Engine(Engine):
    """torch FSDP2 over the policy (and the frozen reference); see the module docstring."""

    name = "fsdp2"

    def __init__(self, dist_ctx: D.DistContext, device: str = "cpu"):
        from mme3dr.errors import ConfigError

        if not dist_ctx.enabled or not dist.is_initialized():
            raise ConfigError(
                "TRAINERS_ENGINE=fsdp2 needs a distributed launch with at least 2 processes "
                "(torchrun --nproc_per_node K, or accelerate launch of a DDP/CPU config)")
        super().__init__(dist_ctx)
        self.device = str(device)
        self.roots: dict[int, ShardRoot] = {}
        self.units: dict[int, list[torch.nn.Module]] = {}

    @property
    def distributed_type(self) -> str:
        return "FSDP2"

    # ------------------------------------------------------------------ sharding

    def _mesh(self) -> Any:
        from torch.distributed.device_mesh import init_device_mesh

        kind = "cuda" if self.device.startswith("cuda") else "cpu"
        return init_device_mesh(kind, (self.dist.world,))

    def _shard_one(self, policy: Any, mesh: Any) -> ShardRoot:
        from torch.distributed.fsdp import fully_shard, register_fsdp_forward_method

        units = list(policy.shard_units())
        for u in units:
            fully_shard(u, mesh=mesh, reshard_after_forward=True)
        root = ShardRoot(policy)
        fully_shard(root, mesh=mesh)
        register_fsdp_forward_method(root, "touch")
        with torch.no_grad():
            root.touch()  # FSDP2's lazy root set-up (all-gathers the root's own parameters)
        root.reshard()
        self.roots[id(policy)] = root
        self.units[id(policy)] = units
        return root

    def shard(self, policy: Any, reference: Any | None = None) -> None:
        mesh = self._mesh()
        self._shard_one(policy, mesh)
        if reference is not None:
            self._shard_one(reference, mesh)

    def prepare(self, policy: Any, optimizer: Any) -> tuple[torch.nn.Module, Any]:
        if id(policy) not in self.roots:
            raise RuntimeError("Fsdp2Engine.prepare before shard(): build the optimiser over "
                               "the sharded parameters")
        self.model, self.optimizer = self.roots[id(policy)], optimizer
        return self.model, self.optimizer

    def frozen_forward(self, policy: Any) -> Callable:
        return self.roots[id(policy)]

    @contextlib.contextmanager
    def gathered(self, policy: Any) -> Iterator[None]:
        """Full parameters of ``policy`` on every process, no collective per forward (call on
        every process, the same number of times, whatever each process then runs)."""
        units, root = self.units[id(policy)], self.roots[id(policy)]
        for u in units:
            u.set_reshard_after_forward(False, recurse=False)
        for u in [*units, root]:
            u.unshard()
        try:
            yield
        finally:
            for u in [*units, root]:
                u.reshard()
            for u in units:
                u.set_reshard_after_forward(True, recurse=False)

    # ----------------------------------------------------------------- gradients

    def no_sync(self) -> contextlib.AbstractContextManager:
        @contextlib.contextmanager
        def off() -> Iterator[None]:
            self.model.set_requires_gradient_sync(False)
            try:
                yield
            finally:
                self.model.set_requires_gradient_sync(True)

        return off()

    def backward(self, loss: torch.Tensor) -> None:
        # FSDP2 reduce-scatters the mean; the loss is already over the global token count
        (loss * self.dist.world).backward()

    def finish_gradients(self) -> None:
        """Nothing: the last micro-batch's backward reduce-scattered the gradients."""

    def clip_grad_norm_(self, max_norm: float) -> torch.Tensor:
        norm = torch.nn.utils.clip_grad_norm_(
            [p for p in self.model.parameters() if p.requires_grad], max_norm)
        return _full(norm)

    # --------------------------------------------------------------- checkpoints

    def _opt_names(self, policy: Any, optimizer: Any) -> list[str]:
        """The optimiser's parameters in order, by name in ``policy.module``."""
        names = {id(p): n for n, p in policy.module.named_parameters()}
        return [names[id(p)] for g in optimizer.param_groups for p in g["params"]]

    def state_dicts(self, policy: Any, reference: Any, optimizer: Any) -> dict[str, Any]:
        """Full state dicts on rank 0 (empty dicts elsewhere); a collective."""
        from torch.distributed.checkpoint.state_dict import (
            StateDictOptions,
            get_model_state_dict,
            get_optimizer_state_dict,
        )

        opts = StateDictOptions(full_state_dict=True, cpu_offload=True)
        model = get_model_state_dict(policy.module, options=opts)
        ref = get_model_state_dict(reference.module, options=opts)
        osd = get_optimizer_state_dict(policy.module, optimizer, options=opts)
        if not self.dist.is_main:
            return {}
        ids = {n: i for i, n in enumerate(self._opt_names(policy, optimizer))}
        osd = {"state": {ids[n]: s for n, s in osd["state"].items()},
               "param_groups": [{**g, "params": [ids[n] for n in g["params"]]}
                                for g in osd["param_groups"]]}
        return {"model": model, "reference": ref, "optimizer": osd}

    def load_state_dicts(self, policy: Any, reference: Any, optimizer: Any,
                         state: dict[str, Any]) -> None:
        """Every process passes the full state (read from ``state.pt``) and keeps its shard."""
        from torch.distributed.checkpoint.state_dict import (
            StateDictOptions,
            set_model_state_dict,
            set_optimizer_state_dict,
        )

        opts = StateDictOptions(full_state_dict=True)
        set_model_state_dict(policy.module, dict(state["model"]), options=opts)
        set_model_state_dict(reference.module, dict(state["reference"]), options=opts)
        names = self._opt_names(policy, optimizer)
        osd = state["optimizer"]
        osd = {"state": {names[int(i)]: s for i, s in osd["state"].items()},
               "param_groups": [{**g, "params": [names[int(i)] for i in g["params"]]}
                                for g in osd["param_groups"]]}
        set_optimizer_state_dict(policy.module, optimizer, osd, options=opts)

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out["wrapper"] = type(self.model).__name__ if self.model is not None else None
        out["sharded_units"] = [len(u) for u in self.units.values()]
        out["torch"] = torch.__version__
        return out


__all__ = ["Fsdp2Engine", "ShardRoot"]
