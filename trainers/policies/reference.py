"""A small text-to-3D policy that trains on a CPU: a causal transformer over voxel tokens.

The reference policy exists so anyone can watch Hi-GRPO work end to end in minutes without a
GPU. It is a GPT-style decoder (learned absolute positions, pre-norm blocks) over one shared
vocabulary, generating with a fixed grammar:

.. code-block:: text

    step 1:  [pad.. <bos> prompt words] <plan> p_1..p_P <coarse> c_0 .. c_{C-1}
    step 2:  (step 1) <detail> d_1..d_D <fine> f_0 .. f_{C-1} <eos>

* prompt: lower-cased words (unknown words become ``<unk>``), left-padded to ``prompt_len``;
* ``p_j``: the high-level plan, words from :data:`PLAN_WORDS` (text tokens, free for the model
  to use as it likes: the reward never reads them);
* ``c_i``: the coarse shape, one ``<empty>``/``<full>`` token per cell of an ``X x Y x Z``
  occupancy grid (default 3 x 3 x 4), cell ``i = x + X * (y + Y * z)``: bottom layer first.
  Decoded to the coarse mesh (:func:`trainers.voxels.occupancy_to_mesh`);
* ``d_j``: the detail plan, words from :data:`DETAIL_WORDS`;
* ``f_i``: one refinement token per coarse cell: for an occupied cell, one of
  :data:`PATTERNS` (which of its ``2 x 2 x 2`` sub-cells are filled); for an empty cell the
  grammar forces ``<none>``. Decoded to the final mesh on the ``2X x 2Y x 2Z`` grid.

The grammar is part of the policy: at every position the logits are restricted to the tokens
allowed there (softmax over the allowed set), for sampling and for log-probabilities alike.
Forced tokens (markers, ``<none>``, ``<eos>``) have probability 1, are not sampled and are
never in the loss mask. Because the layout is fixed, every position always predicts the same
slot (the same cell), so position embeddings tell the model which cell it is filling.

A coarse grid with no occupied cell is undecodable (:class:`trainers.voxels.EmptyShapeError`):
its rewards fail and the sample is masked out, as Hi-GRPO requires.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from trainers.policies.base import Policy, StepBatch
from trainers.voxels import occupancy_to_mesh, refine

SPECIALS = ("<pad>", "<bos>", "<eos>", "<unk>", "<plan>", "<coarse>", "<detail>", "<fine>",
            "<none>", "<empty>", "<full>")
PLAN_WORDS = ("table", "stool", "bench", "staircase", "cup", "bowl", "legs", "steps",
              "1", "2", "3", "4", "wide", "tall")
DETAIL_WORDS = ("solid", "thin", "hollow", "flat")


def _patterns() -> np.ndarray:
    """The refinement patterns, bool ``[P, 2, 2, 2]`` indexed ``[dx, dy, dz]``."""
    pats = []
    full = np.ones((2, 2, 2), bool)
    pats.append(full)
    for axis in (2, 0, 1):  # bottom/top halves, then x and y halves
        for side in (0, 1):
            p = np.zeros((2, 2, 2), bool)
            sl: list[Any] = [slice(None)] * 3
            sl[axis] = side
            p[tuple(sl)] = True
            pats.append(p)
    for dx in (0, 1):  # four corner columns (thin legs, posts)
        for dy in (0, 1):
            p = np.zeros((2, 2, 2), bool)
            p[dx, dy, :] = True
            pats.append(p)
    return np.stack(pats)


#: refinement patterns: full, bottom, top, x-low, x-high, y-low, y-high, 4 corner columns.
PATTERNS = _patterns()
PATTERN_NAMES = ("full", "bottom", "top", "x0", "x1", "y0", "y1", "col00", "col01", "col10",
                 "col11")


@dataclass
class ReferenceConfig:
    """Architecture and grammar of the reference policy (all stored in checkpoints)."""

    grid: tuple[int, int, int] = (3, 3, 4)
    d_model: int = 64
    n_layers: int = 2
    n_heads: int = 4
    prompt_len: int = 8
    plan_len: int = 2
    detail_len: int = 1
    temperature: float = 1.0
    words: list[str] = field(default_factory=list)  # prompt words; default: the toy prompts

    def __post_init__(self) -> None:
        self.grid = tuple(int(g) for g in self.grid)  # type: ignore[assignment]
        if len(self.grid) != 3 or min(self.grid) < 1:
            raise ValueError(f"grid must be three positive sizes, got {self.grid}")
        if self.d_model % self.n_heads:
            raise ValueError("d_model must be a multiple of n_heads")
        if self.temperature <= 0:
            raise ValueError("temperature must be > 0")
        if not self.words:
            from trainers.toy_cases import toy_words

            self.words = toy_words()


class Vocab:
    """Token ids: specials, words (prompt, plan, detail), then refinement patterns."""

    def __init__(self, words: list[str]):
        tokens = list(SPECIALS)
        for w in [*words, *PLAN_WORDS, *DETAIL_WORDS]:
            if w not in tokens:
                tokens.append(w)
        self.pattern_start = len(tokens)
        tokens += [f"<{n}>" for n in PATTERN_NAMES]
        self.tokens = tokens
        self.ids = {t: i for i, t in enumerate(tokens)}

    def __len__(self) -> int:
        return len(self.tokens)

    def __getitem__(self, token: str) -> int:
        return self.ids[token]

    def encode_words(self, text: str) -> list[int]:
        return [self.ids.get(w, self.ids["<unk>"]) for w in text.lower().split()]


class Layout:
    """Fixed positions of the grammar and the tokens allowed at each target position."""

    def __init__(self, cfg: ReferenceConfig, vocab: Vocab):
        self.cells = int(np.prod(cfg.grid))
        c, p, d = self.cells, cfg.plan_len, cfg.detail_len
        self.plan_marker = cfg.prompt_len
        self.plan = list(range(self.plan_marker + 1, self.plan_marker + 1 + p))
        self.coarse_marker = self.plan_marker + 1 + p
        self.coarse = list(range(self.coarse_marker + 1, self.coarse_marker + 1 + c))
        self.len1 = self.coarse[-1] + 1
        self.detail_marker = self.len1
        self.detail = list(range(self.detail_marker + 1, self.detail_marker + 1 + d))
        self.fine_marker = self.detail_marker + 1 + d
        self.fine = list(range(self.fine_marker + 1, self.fine_marker + 1 + c))
        self.eos = self.fine[-1] + 1
        self.len2 = self.eos + 1
        v = len(vocab)
        allowed = torch.zeros(self.len2, v, dtype=torch.bool)
        allowed[:, vocab["<pad>"]] = True  # the prompt region is given, never sampled
        plan_ids = [vocab[w] for w in PLAN_WORDS]
        detail_ids = [vocab[w] for w in DETAIL_WORDS]
        pattern_ids = list(range(vocab.pattern_start, vocab.pattern_start + len(PATTERNS)))
        for pos in self.plan:
            allowed[pos] = False
            allowed[pos, plan_ids] = True
        for pos in self.coarse:
            allowed[pos] = False
            allowed[pos, [vocab["<empty>"], vocab["<full>"]]] = True
        for pos in self.detail:
            allowed[pos] = False
            allowed[pos, detail_ids] = True
        for pos in self.fine:
            allowed[pos] = False
            allowed[pos, pattern_ids] = True
        self.allowed = allowed  # [len2, V]
        self.pattern_ids = pattern_ids


class _Block(nn.Module):
    def __init__(self, d: int, heads: int):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def forward(
        self, x: torch.Tensor, attn_mask: torch.Tensor, past: tuple | None = None
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """``x`` ``[N, T, d]`` for the last ``T`` positions; ``past`` caches earlier keys/values."""
        n, t, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).view(n, t, 3, self.heads, d // self.heads).unbind(2)
        q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
        if past is not None:
            k, v = torch.cat([past[0], k], 2), torch.cat([past[1], v], 2)
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask)
        x = x + self.proj(y.transpose(1, 2).reshape(n, t, d))
        return x + self.mlp(self.ln2(x)), (k, v)


class VoxelTransformer(nn.Module):
    """Causal transformer: token + position embeddings, pre-norm blocks, tied output head."""

    def __init__(self, vocab_size: int, max_len: int, cfg: ReferenceConfig):
        super().__init__()
        self.tok = nn.Embedding(vocab_size, cfg.d_model)
        self.pos = nn.Embedding(max_len, cfg.d_model)
        self.blocks = nn.ModuleList(_Block(cfg.d_model, cfg.n_heads) for _ in range(cfg.n_layers))
        self.ln = nn.LayerNorm(cfg.d_model)
        nn.init.normal_(self.tok.weight, std=0.02)
        nn.init.normal_(self.pos.weight, std=0.02)

    def forward(
        self,
        ids: torch.Tensor,
        attention_mask: torch.Tensor,
        cache: list | None = None,
    ) -> tuple[torch.Tensor, list]:
        """Logits ``[N, T, V]`` for ``ids`` at positions ``[S, S + T)`` and the new cache.

        Row ``t`` predicts the token after it. ``attention_mask`` covers positions
        ``[0, S + T)`` (0 = padding); ``cache`` (from the previous call) holds positions
        ``[0, S)``. Padding keys are ignored, except that a padding query sees itself (no
        all-masked rows, hence no NaN).
        """
        n, t = ids.shape
        start = 0 if cache is None else cache[0][0].shape[2]
        total = start + t
        qpos = torch.arange(start, total, device=ids.device)
        kpos = torch.arange(total, device=ids.device)
        causal = kpos[None, :] <= qpos[:, None]  # [T, S+T]
        keys = attention_mask[:, :total].bool()[:, None, None, :]
        mask = causal & (keys | (kpos[None, :] == qpos[:, None]))
        x = self.tok(ids) + self.pos(qpos)[None]
        new_cache = []
        for i, block in enumerate(self.blocks):
            x, kv = block(x, mask, None if cache is None else cache[i])
            new_cache.append(kv)
        return self.ln(x) @ self.tok.weight.T, new_cache


class ReferencePolicy(Policy):
    """The CPU reference policy (see the module docstring)."""

    kind = "reference"

    def __init__(self, cfg: ReferenceConfig | None = None, seed: int = 0, **overrides: Any):
        cfg = cfg or ReferenceConfig(**overrides)
        self.cfg = cfg
        self.vocab = Vocab(cfg.words)
        self.layout = Layout(cfg, self.vocab)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.model = VoxelTransformer(len(self.vocab), self.layout.len2, cfg)

    @property
    def module(self) -> nn.Module:
        return self.model

    def config(self) -> dict[str, Any]:
        return {"kind": self.kind, **asdict(self.cfg)}

    def shard_units(self) -> list[nn.Module]:
        """The transformer blocks (embeddings and the final norm go with the root)."""
        return list(self.model.blocks)

    # ------------------------------------------------------------------------ tokens

    def encode_prompts(self, prompts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        """``(ids, attention_mask)`` ``[N, prompt_len]``: ``<bos>`` + words, left-padded."""
        n, lp = len(prompts), self.cfg.prompt_len
        ids = torch.full((n, lp), self.vocab["<pad>"], dtype=torch.long)
        att = torch.zeros(n, lp, dtype=torch.long)
        for i, p in enumerate(prompts):
            toks = [self.vocab["<bos>"], *self.vocab.encode_words(p)][: lp]
            ids[i, lp - len(toks):] = torch.tensor(toks)
            att[i, lp - len(toks):] = 1
        return ids, att

    def _masked_logits(self, logits: torch.Tensor, start: int) -> torch.Tensor:
        """Restrict logits predicting positions ``start..`` to the grammar, apply temperature."""
        allowed = self.layout.allowed[start: start + logits.shape[1]].to(logits.device)
        return (logits / self.cfg.temperature).masked_fill(~allowed[None], -math.inf)

    # ---------------------------------------------------------------------- generate

    @torch.no_grad()
    def generate(
        self,
        prompts: list[str],
        step: int,
        previous: StepBatch | None = None,
        generator: torch.Generator | None = None,
        greedy: bool = False,
    ) -> StepBatch:
        lay, v = self.layout, self.vocab
        if step == 1:
            ids, att = self.encode_prompts(prompts)
            n = len(prompts)
            seq = torch.full((n, lay.len1), v["<pad>"], dtype=torch.long)
            mask = torch.zeros(n, lay.len1, dtype=torch.long)
            seq[:, : ids.shape[1]], mask[:, : ids.shape[1]] = ids, att
            mask[:, ids.shape[1]:] = 1
            forced = {lay.plan_marker: v["<plan>"], lay.coarse_marker: v["<coarse>"]}
            sample_at = lay.plan + lay.coarse
        elif step == 2:
            if previous is None or previous.step != 1:
                raise ValueError("step 2 needs the step-1 batch as `previous`")
            n = len(previous)
            seq = torch.full((n, lay.len2), v["<pad>"], dtype=torch.long)
            mask = torch.ones(n, lay.len2, dtype=torch.long)
            seq[:, : lay.len1] = previous.sequences
            mask[:, : lay.len1] = previous.attention_mask
            forced = {lay.detail_marker: v["<detail>"], lay.fine_marker: v["<fine>"],
                      lay.eos: v["<eos>"]}
            sample_at = lay.detail + lay.fine
        else:
            raise ValueError(f"step must be 1 or 2, got {step}")
        loss_mask = torch.zeros(seq.shape, dtype=torch.float32)
        occupied = None
        fine_set = set(lay.fine)
        if step == 2:
            occupied = previous.sequences[:, lay.coarse] == v["<full>"]  # [N, C]
        positions = sorted([*forced, *sample_at])
        was_training = self.model.training
        self.model.eval()
        try:
            # prefill everything before the first decided position, then one token at a time
            # with cached keys/values; logits[:, -1] always predicts position `pos`
            first = positions[0]
            logits, cache = self.model(seq[:, :first], mask[:, :first])
            for pos in positions:
                if pos in forced:
                    seq[:, pos] = forced[pos]
                else:
                    rows = torch.ones(n, dtype=torch.bool)
                    if step == 2 and pos in fine_set:
                        rows = occupied[:, pos - lay.fine[0]]
                        seq[~rows, pos] = v["<none>"]
                    if rows.any():
                        lg = self._masked_logits(logits[:, -1:], pos)[:, 0]
                        if greedy:
                            tok = lg.argmax(dim=-1)
                        else:
                            tok = torch.multinomial(torch.softmax(lg, -1), 1, generator=generator)
                            tok = tok[:, 0]
                        seq[rows, pos] = tok[rows]
                        loss_mask[rows, pos] = 1.0
                if pos + 1 < seq.shape[1]:
                    logits, cache = self.model(seq[:, pos: pos + 1], mask[:, : pos + 1], cache)
        finally:
            self.model.train(was_training)
        batch = StepBatch(step, list(prompts), seq, mask, loss_mask)
        batch.texts = [self.render_text(batch, i) for i in range(n)]
        return batch

    # ---------------------------------------------------------------------- logprobs

    def logprobs(self, batch: StepBatch) -> tuple[torch.Tensor, torch.Tensor]:
        """Per-token log-probabilities and entropies over the grammar's allowed sets.

        Positions whose token the grammar forces (or that belong to the prompt) get 0.
        """
        seq, att = batch.sequences, batch.attention_mask
        logits, _ = self.model(seq[:, :-1], att[:, :-1])
        logits = self._masked_logits(logits, 1)
        logps = torch.log_softmax(logits, dim=-1)  # [N, L-1, V]
        target = torch.gather(logps, 2, seq[:, 1:, None])[..., 0]
        # forced tokens (markers, <none>, the prompt) lie outside the sampled sets: report 0
        target = torch.where(torch.isfinite(target), target, torch.zeros_like(target))
        probs = logps.exp()
        entropy = -(probs * torch.where(probs > 0, logps, torch.zeros_like(logps))).sum(-1)
        zero = torch.zeros(seq.shape[0], 1, dtype=target.dtype)
        return torch.cat([zero, target], 1), torch.cat([zero, entropy], 1)

    def joint_logprobs(
        self, step1: StepBatch, step2: StepBatch
    ) -> tuple[tuple[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]:
        """One forward over the step-2 sequences, whose first ``len1`` columns are the step-1
        sequences (same tokens, same positions, same grammar), sliced for step 1."""
        width = step1.sequences.shape[1]
        if not torch.equal(step2.sequences[:, :width], step1.sequences):
            return super().joint_logprobs(step1, step2)
        lp, ent = self.logprobs(step2)
        return (lp[:, :width], ent[:, :width]), (lp, ent)

    # ------------------------------------------------------------------------ decode

    def coarse_grid(self, batch: StepBatch, i: int) -> np.ndarray:
        """Bool ``[X, Y, Z]`` occupancy of row ``i`` (cell ``x + X (y + Y z)``)."""
        x, y, z = self.cfg.grid
        toks = batch.sequences[i, self.layout.coarse].numpy()
        flat = toks == self.vocab["<full>"]
        return flat.reshape(z, y, x).transpose(2, 1, 0)

    def fine_grid(self, batch: StepBatch, i: int) -> np.ndarray:
        """Bool ``[2X, 2Y, 2Z]`` occupancy of row ``i`` of a step-2 batch."""
        coarse = self.coarse_grid(batch, i)
        x, y, z = self.cfg.grid
        toks = batch.sequences[i, self.layout.fine].numpy().reshape(z, y, x).transpose(2, 1, 0)
        codes = toks[coarse] - self.vocab.pattern_start  # C order of np.argwhere(coarse)
        if (codes < 0).any() or (codes >= len(PATTERNS)).any():
            raise ValueError("a refinement token is not a pattern")
        return refine(coarse, PATTERNS, codes, 2)

    def decode(self, batch: StepBatch, i: int) -> Any:
        grid = self.coarse_grid(batch, i) if batch.step == 1 else self.fine_grid(batch, i)
        return occupancy_to_mesh(grid)

    def render_text(self, batch: StepBatch, i: int) -> str:
        """A readable completion: plan words and the occupancy per layer, bottom first."""
        lay, toks = self.layout, self.vocab.tokens
        seq = batch.sequences[i]
        x, y, z = self.cfg.grid
        if batch.step == 1:
            plan = " ".join(toks[int(t)] for t in seq[lay.plan])
            grid = self.coarse_grid(batch, i)
            layers = "/".join(
                "".join("#" if grid[a, b, c] else "." for b in range(y) for a in range(x))
                for c in range(z)
            )
            return f"plan: {plan} | coarse: {layers}"
        detail = " ".join(toks[int(t)] for t in seq[lay.detail])
        fine = [toks[int(t)].strip("<>") for t in seq[lay.fine] if toks[int(t)] != "<none>"]
        return f"detail: {detail} | fine: {' '.join(fine)}"
