"""Log-probabilities of chosen tokens without a full-vocabulary tensor.

A causal LM's last hidden states ``h`` ``[N, L, d]`` and its output head (``d -> V``) give
``log p(token) = z[token] - logsumexp(z)`` with ``z = head(h) / temperature``. Building ``z``
for every position at once costs ``N * L * V`` floats (about 60 GB in float32 for 32 rows x
3k tokens x a 152k vocabulary), so :func:`chosen_token_logprobs`:

* computes only the positions where some target is needed (the sampled tokens of a step, not
  the prompt or the padding);
* walks them in chunks of ``chunk`` positions: one ``[chunk, V]`` float32 block at a time;
* under autograd, wraps each chunk in activation checkpointing, so the block is recomputed in
  the backward pass instead of being kept: peak memory beyond the model's own activations is
  one chunk, whatever the vocabulary size (``scripts/bench_logprobs.py`` measures it).

Several target sets can share one pass (the same positions, different tokens): Hi-GRPO reads
step-1 and step-2 log-probabilities from one forward over the step-2 sequence, where the two
differ only at the step-1 ``<eos>`` (:meth:`trainers.policies.hf.HFCausalLMPolicy.joint_logprobs`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch.utils.checkpoint import checkpoint

#: float32 logits per chunk when the chunk is left to :func:`auto_chunk` (256 MB).
CHUNK_ELEMENTS = 2**26


def auto_chunk(vocab_size: int, elements: int = CHUNK_ELEMENTS) -> int:
    """Positions per chunk so one ``[chunk, V]`` float32 block holds about ``elements``
    numbers (441 positions for a 152k vocabulary), at least 16."""
    return max(16, elements // max(1, int(vocab_size)))


def _chunk_logprobs(
    h: torch.Tensor, targets: torch.Tensor, head: Callable[[torch.Tensor], torch.Tensor],
    temperature: float,
) -> tuple[torch.Tensor, torch.Tensor]:
    """``h`` ``[P, d]``, ``targets`` ``[K, P]`` -> log-probs ``[K, P]`` and entropy ``[P]``."""
    z = head(h).float() / temperature  # [P, V]: the only vocabulary-sized tensor
    lse = torch.logsumexp(z, dim=-1)
    lp = z.gather(1, targets.t()).t() - lse[None]
    with torch.no_grad():
        p = torch.softmax(z, dim=-1)
        ent = lse - (p * z).sum(-1)
    return lp, ent.detach()


def chosen_token_logprobs(
    hidden: torch.Tensor,
    head: Callable[[torch.Tensor], torch.Tensor],
    targets: Sequence[torch.Tensor],
    need: torch.Tensor,
    temperature: float = 1.0,
    chunk: int | None = None,
) -> tuple[list[torch.Tensor], torch.Tensor]:
    """Log-probabilities of ``targets`` where ``need`` is true, chunk by chunk.

    ``hidden`` ``[N, L, d]``: ``hidden[:, t]`` predicts the token at ``t + 1``; ``targets``:
    ``K`` long tensors ``[N, L]`` (column ``t`` holds the token at position ``t``); ``need``
    ``[N, L]`` bool: the positions to compute (column 0 is never a target). Returns ``K``
    float32 tensors ``[N, L]`` (0 where not needed; differentiable with respect to
    ``hidden`` and the head when gradients are on) and the entropy ``[N, L]`` of the
    predictive distribution at those positions (no gradient; nats). ``chunk`` is the number
    of positions per block (default :func:`auto_chunk` of the head's output size).
    """
    if chunk is None:
        out_features = getattr(head, "out_features", None) or getattr(head, "num_embeddings", 0)
        chunk = auto_chunk(out_features or CHUNK_ELEMENTS // 1024)
    n, width = need.shape
    need = need.clone()
    need[:, 0] = False
    rows, cols = need.nonzero(as_tuple=True)
    h = hidden[rows, cols - 1]  # [P, d]
    tg = torch.stack([t[rows, cols] for t in targets])  # [K, P]
    grad = torch.is_grad_enabled() and (h.requires_grad or any(
        p.requires_grad for p in getattr(head, "parameters", lambda: [])()))
    lps: list[torch.Tensor] = []
    ents: list[torch.Tensor] = []
    for a in range(0, h.shape[0], max(1, chunk)):
        args = (h[a: a + chunk], tg[:, a: a + chunk], head, temperature)
        if grad:
            lp, ent = checkpoint(_chunk_logprobs, *args, use_reentrant=False)
        else:
            lp, ent = _chunk_logprobs(*args)
        lps.append(lp)
        ents.append(ent)
    k = len(targets)
    dev = hidden.device
    flat_lp = torch.cat(lps, 1) if lps else torch.zeros(k, 0, device=dev)
    flat_ent = torch.cat(ents) if ents else torch.zeros(0, device=dev)
    outs = []
    for i in range(k):
        full = torch.zeros(n, width, dtype=torch.float32, device=dev)
        outs.append(full.index_put((rows, cols), flat_lp[i]))
    entropy = torch.zeros(n, width, dtype=torch.float32, device=dev)
    entropy = entropy.index_put((rows, cols), flat_ent.float())
    return outs, entropy
