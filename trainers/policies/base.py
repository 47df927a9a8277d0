"""The policy interface Hi-GRPO trains: two-step generation, log-probabilities, decoding.

A policy turns prompts into token sequences in two steps and shape tokens into meshes:

* :meth:`Policy.generate` ``(prompts, step=1)`` samples the step-1 completion (plan + coarse
  shape tokens) for each prompt; ``(prompts, step=2, previous=step1_batch)`` samples the step-2
  completion (detail plan + refined shape tokens) conditioned on the prompt and the whole step-1
  completion. Both return a :class:`StepBatch`;
* :meth:`Policy.logprobs` gives per-token log-probabilities (and entropies) of the tokens of a
  :class:`StepBatch` under the current parameters, with gradients;
* :meth:`Policy.decode` turns sample ``i`` of a batch into a ``trimesh.Trimesh``, raising when
  it cannot (the sample's reward then fails and it is masked out of the loss).

Token tensors are ``[N, L]``: the whole sequence (context and completion). ``logp[i, t]`` is
``log p(sequences[i, t] | sequences[i, :t])``; position 0 is never a target. ``loss_mask`` is
1 exactly where the policy *sampled* the token in this step (forced grammar tokens, the context
and padding are 0).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

import torch


@dataclass
class StepBatch:
    """One step's sampled completions for ``N`` prompts (rows in prompt order).

    ``sequences`` ``[N, L]`` long: context + completion; ``attention_mask`` ``[N, L]``: 1 for
    real tokens, 0 for padding; ``loss_mask`` ``[N, L]`` float: 1 on sampled tokens;
    ``texts``: a readable rendering of each completion; ``extra``: policy-specific tensors and
    lists indexed like the rows (see :meth:`select`).
    """

    step: int
    prompts: list[str]
    sequences: torch.Tensor
    attention_mask: torch.Tensor
    loss_mask: torch.Tensor
    texts: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.sequences.shape[0])

    def lengths(self) -> torch.Tensor:
        """``[N]`` number of sampled tokens per row."""
        return self.loss_mask.sum(dim=1)

    def select(self, index: torch.Tensor | list[int]) -> StepBatch:
        """The rows ``index`` (tensors and lists in ``extra`` are indexed too)."""
        idx = torch.as_tensor(index, dtype=torch.long)
        rows = idx.tolist()

        def pick(v: Any) -> Any:
            if torch.is_tensor(v) and v.ndim >= 1 and v.shape[0] == len(self):
                return v[idx]
            if isinstance(v, list) and len(v) == len(self):
                return [v[i] for i in rows]
            return v

        return StepBatch(
            step=self.step,
            prompts=[self.prompts[i] for i in rows],
            sequences=self.sequences[idx],
            attention_mask=self.attention_mask[idx],
            loss_mask=self.loss_mask[idx],
            texts=[self.texts[i] for i in rows] if self.texts else [],
            extra={k: pick(v) for k, v in self.extra.items()},
        )

    @staticmethod
    def concat(batches: list[StepBatch], pad_id: int = 0) -> StepBatch:
        """Rows of several batches of the same step, right-padded to a common length."""
        if len(batches) == 1:
            return batches[0]
        width = max(b.sequences.shape[1] for b in batches)

        def padded(t: torch.Tensor, value: float) -> torch.Tensor:
            extra_cols = width - t.shape[1]
            if extra_cols == 0:
                return t
            return torch.nn.functional.pad(t, (0, extra_cols), value=value)

        extra: dict[str, Any] = {}
        for k, v in batches[0].extra.items():
            vals = [b.extra[k] for b in batches]
            if torch.is_tensor(v) and v.ndim >= 2:  # right-pad dim 1 to a common size
                cols = max(x.shape[1] for x in vals)
                extra[k] = torch.cat(
                    [torch.nn.functional.pad(x, (0, 0) * (x.ndim - 2) + (0, cols - x.shape[1]))
                     for x in vals]
                )
            elif torch.is_tensor(v):
                extra[k] = torch.cat(vals)
            elif isinstance(v, list):
                extra[k] = [x for b in vals for x in b]
            else:
                extra[k] = v
        return StepBatch(
            step=batches[0].step,
            prompts=[p for b in batches for p in b.prompts],
            sequences=torch.cat([padded(b.sequences, pad_id) for b in batches]),
            attention_mask=torch.cat([padded(b.attention_mask, 0) for b in batches]),
            loss_mask=torch.cat([padded(b.loss_mask, 0.0) for b in batches]),
            texts=[t for b in batches for t in b.texts],
            extra=extra,
        )


class Policy(ABC):
    """What Hi-GRPO needs from a model. Subclasses wrap one ``torch.nn.Module``."""

    #: a short name for logs and checkpoints.
    kind: str = "policy"

    @property
    @abstractmethod
    def module(self) -> torch.nn.Module:
        """The trainable module (its parameters go to the optimiser and are synchronised)."""

    @abstractmethod
    def generate(
        self,
        prompts: list[str],
        step: int,
        previous: StepBatch | None = None,
        generator: torch.Generator | None = None,
        greedy: bool = False,
    ) -> StepBatch:
        """Sample one completion per prompt for ``step`` (1 or 2; step 2 needs ``previous``).

        Sampling draws from ``generator`` only, so a seeded generator reproduces the batch.
        ``greedy`` takes the most likely token instead (evaluation).
        """

    @abstractmethod
    def logprobs(self, batch: StepBatch) -> tuple[torch.Tensor, torch.Tensor]:
        """``(logp, entropy)``, both ``[N, L]``; values where ``loss_mask`` is 0 are arbitrary."""

    def joint_logprobs(
        self, step1: StepBatch, step2: StepBatch
    ) -> tuple[tuple[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]:
        """``((logp1, entropy1), (logp2, entropy2))`` for the same rows' two steps.

        Shapes follow each batch (``[N, L1]`` and ``[N, L2]``). The default makes two
        :meth:`logprobs` calls; policies whose step-2 sequence contains the step-1 one
        override it with a single forward pass over the step-2 sequence.
        """
        return self.logprobs(step1), self.logprobs(step2)

    @abstractmethod
    def decode(self, batch: StepBatch, i: int) -> Any:
        """The mesh of row ``i`` (a ``trimesh.Trimesh``); raises when it cannot be decoded."""

    def shard_units(self) -> list[torch.nn.Module]:
        """The submodules a sharding engine shards one by one (transformer blocks); the rest
        of :attr:`module` is sharded with the root. Default: the entries of the first
        ``torch.nn.ModuleList`` found in :attr:`module` (breadth first), else none."""
        queue = [self.module]
        while queue:
            m = queue.pop(0)
            if isinstance(m, torch.nn.ModuleList) and len(m):
                return list(m)
            queue.extend(m.children())
        return []

    def frozen_copy(self) -> Policy:
        """A deep copy with gradients off, in eval mode: the KL reference policy."""
        import copy

        ref = copy.deepcopy(self)
        ref.module.requires_grad_(False)
        ref.module.eval()
        return ref

    def config(self) -> dict[str, Any]:
        """What rebuilds this policy's architecture (stored in checkpoints)."""
        return {"kind": self.kind}


def disable_dropout(module: torch.nn.Module) -> int:
    """Set every dropout probability in ``module`` to 0, in place; returns how many were set.

    Covers ``torch.nn`` dropout layers (``p``) and the float attributes that Hugging Face
    attention modules pass to their attention kernels (names containing ``dropout``, e.g.
    Llama's ``attention_dropout``), which no module's ``eval()`` is needed to read. The module
    stays in its training mode, so gradient checkpointing and other train-only paths still
    run (as TRL's ``disable_dropout``, which covers the layers only).
    """
    changed = 0
    for sub in module.modules():
        if isinstance(sub, torch.nn.modules.dropout._DropoutNd):
            if sub.p != 0:
                sub.p = 0.0
                changed += 1
            continue
        for name, value in list(vars(sub).items()):
            if "dropout" in name and isinstance(value, float) and value != 0.0:
                setattr(sub, name, 0.0)
                changed += 1
    return changed
