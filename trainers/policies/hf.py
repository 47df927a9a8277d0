"""Adapter for Hugging Face causal language models that write meshes as tokens.

Models in the style of ShapeLLM-Omni emit a mesh as discrete tokens between ``<mesh-start>``
and ``<mesh-end>`` (codes of a 3D VQ-VAE); LLaMA-Mesh-style models write OBJ text. The adapter
runs Hi-GRPO's two steps as two completions of one conversation:

.. code-block:: text

    step 1 context:  step1_template.format(prompt=...)            e.g. "{prompt}\\nPlan:"
    step 1 output:   plan text <mesh-start> coarse mesh tokens <mesh-end> <eos>
    step 2 context:  step-1 context + step-1 output + step2_template   e.g. "\\nRefine:"
    step 2 output:   detail plan <mesh-start> refined mesh tokens <mesh-end> <eos>

Step 2 is conditioned on the prompt and the whole step-1 completion (token ids are
concatenated, never re-tokenised). Each step's mesh is the span between the markers of that
step's completion, handed as token strings to a pluggable ``mesh_decoder(tokens) ->
trimesh.Trimesh``; a completion without both markers, or one the decoder rejects, is
undecodable (its reward fails and it is masked out of the loss).

Sampling is this module's own loop over ``model(...)`` with a key/value cache: it draws from
``softmax(logits / temperature)`` over the whole vocabulary (no top-k/top-p), the same
distribution :meth:`HFCausalLMPolicy.logprobs` scores, so the importance ratio is exact. It
uses the given ``torch.Generator`` only, so a seeded generator reproduces a batch. Padding is on
the left of the context and on the right of the completion; position ids follow the attention
mask. Loading never downloads (``local_files_only=True``).

Log-probabilities never build a full-vocabulary tensor: the decoder's last hidden states go
through the output head in chunks of ``logprob_chunk`` sampled positions
(:mod:`trainers.policies.logprobs`; default: about 256 MB of float32 logits per chunk),
and both steps come from one forward over the step-2
sequence (:meth:`HFCausalLMPolicy.joint_logprobs`). The trainer splits rows into
micro-batches (``grpo.micro_batch_rows``).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

from trainers.policies.base import Policy, StepBatch
from trainers.policies.logprobs import chosen_token_logprobs

MESH_START = "<mesh-start>"
MESH_END = "<mesh-end>"

MeshDecoder = Callable[[list[str]], Any]


class VoxelIndexDecoder:
    """A simple mesh-token decoder: token ``<mesh-i>`` fills cell ``i`` of an occupancy grid.

    Cell ``i = x + X * (y + Y * z)`` (bottom layer first, +Z up), decoded with
    :func:`trainers.voxels.occupancy_to_mesh`. Tokens that do not match ``pattern`` or fall
    outside the grid make the sample undecodable (``ValueError``), as does an empty span.
    Stand-in for a real VQ-VAE decoder in tests and examples.
    """

    def __init__(self, grid: Sequence[int] = (4, 4, 4), pattern: str = r"<mesh-(\d+)>"):
        self.grid = tuple(int(g) for g in grid)
        self.pattern = re.compile(pattern)

    def __call__(self, tokens: list[str]) -> Any:
        from trainers.voxels import occupancy_to_mesh

        x, y, z = self.grid
        occ = np.zeros(x * y * z, dtype=bool)
        for t in tokens:
            m = self.pattern.fullmatch(t)
            if m is None or int(m.group(1)) >= occ.size:
                raise ValueError(f"not a mesh token of this grid: {t!r}")
            occ[int(m.group(1))] = True
        return occupancy_to_mesh(occ.reshape(z, y, x).transpose(2, 1, 0))


#: how :meth:`HFCausalLMPolicy.generate` samples (``policy.generation`` in the config)
GENERATION_BACKENDS = ("hf_generate", "loop")


class HFCausalLMPolicy(Policy):
    """Hi-GRPO policy around a ``transformers`` causal LM and its tokenizer."""

    kind = "hf"

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        mesh_decoder: MeshDecoder,
        *,
        step1_template: str = "{prompt}\nPlan:",
        step2_template: str = "\nRefine:",
        max_new_tokens: Sequence[int] = (256, 512),
        temperature: float = 1.0,
        mesh_start: str = MESH_START,
        mesh_end: str = MESH_END,
        logprob_chunk: int | None = None,
        generation: str = "hf_generate",
        source: dict[str, Any] | None = None,
    ):
        if temperature <= 0:
            raise ValueError("temperature must be > 0")
        if generation not in GENERATION_BACKENDS:
            raise ValueError(f"generation must be one of {GENERATION_BACKENDS}, "
                             f"got {generation!r}")
        self.generation = generation
        self.model = model
        self.tokenizer = tokenizer
        self.mesh_decoder = mesh_decoder
        self.step1_template = step1_template
        self.step2_template = step2_template
        self.max_new_tokens = tuple(int(n) for n in max_new_tokens)
        self.temperature = float(temperature)
        self.mesh_start, self.mesh_end = mesh_start, mesh_end
        self.source = dict(source or {})
        self.logprob_chunk = None if logprob_chunk is None else max(1, int(logprob_chunk))
        self._head_checked = False
        self._keep_kw: dict[str, Any] | None = None
        self.eos_id = tokenizer.eos_token_id
        if self.eos_id is None:
            raise ValueError("the tokenizer needs an eos_token")
        self.pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else self.eos_id

    @property
    def module(self) -> torch.nn.Module:
        return self.model

    def config(self) -> dict[str, Any]:
        return {"kind": self.kind, **self.source}

    def shard_units(self) -> list[torch.nn.Module]:
        """The decoder layers (``get_decoder().layers``, as in Llama, Qwen, Mistral); the
        embeddings, the final norm and the (possibly tied) output head go with the root.
        Models without ``layers`` fall back to the first ``ModuleList``."""
        layers = getattr(self.model.get_decoder(), "layers", None)
        if isinstance(layers, torch.nn.ModuleList) and len(layers):
            return list(layers)
        return super().shard_units()

    # --------------------------------------------------------------------- helpers

    def _device(self) -> torch.device:
        return next(self.model.parameters()).device

    def _last_logits_only(self) -> dict[str, Any]:
        """``logits_to_keep=1`` where the model takes it: the prefill then returns logits
        for the last position only, not ``[N, context, V]``."""
        if self._keep_kw is None:
            import inspect

            params = inspect.signature(self.model.forward).parameters
            self._keep_kw = {"logits_to_keep": 1} if "logits_to_keep" in params else {}
        return self._keep_kw

    @staticmethod
    def _positions(att: torch.Tensor) -> torch.Tensor:
        return (att.long().cumsum(-1) - 1).clamp_min(0)

    def _contexts(self, prompts: list[str], step: int, previous: StepBatch | None
                  ) -> list[list[int]]:
        if step == 1:
            return [self.tokenizer.encode(self.step1_template.format(prompt=p),
                                          add_special_tokens=True) for p in prompts]
        if previous is None or previous.step != 1:
            raise ValueError("step 2 needs the step-1 batch as `previous`")
        suffix = self.tokenizer.encode(self.step2_template, add_special_tokens=False)
        out = []
        for i in range(len(previous)):
            ids = previous.sequences[i][previous.attention_mask[i].bool()].tolist()
            if ids and ids[-1] == self.eos_id:  # the step-1 <eos> ends that turn only
                ids = ids[:-1]
            out.append(ids + suffix)
        return out

    # -------------------------------------------------------------------- generate

    @torch.no_grad()
    def generate(
        self,
        prompts: list[str],
        step: int,
        previous: StepBatch | None = None,
        generator: torch.Generator | None = None,
        greedy: bool = False,
    ) -> StepBatch:
        """Sample one turn (``step`` 1 or 2) for each prompt, left-padded contexts.

        ``generation: hf_generate`` (default) calls the model's own ``generate`` (``do_sample``
        at ``temperature``, no top-k/top-p, stopping at ``<eos>``); its sampler draws from
        torch's global generator, which is seeded for the call from ``generator`` (one draw)
        inside ``torch.random.fork_rng``, so a run stays reproducible and resumable and the
        caller's global RNG is untouched. ``generation: loop`` is this adapter's own loop with
        a KV cache, sampling from ``generator`` directly. Greedy decoding gives the same tokens
        either way (tested)."""
        if step not in (1, 2):
            raise ValueError(f"step must be 1 or 2, got {step}")
        contexts = self._contexts(prompts, step, previous)
        n, width = len(contexts), max(len(c) for c in contexts)
        ctx = torch.full((n, width), self.pad_id, dtype=torch.long)
        ctx_att = torch.zeros(n, width, dtype=torch.long)
        for i, c in enumerate(contexts):
            ctx[i, width - len(c):] = torch.tensor(c)
            ctx_att[i, width - len(c):] = 1
        limit = self.max_new_tokens[step - 1]
        if self.generation == "hf_generate":
            new, new_att = self._hf_generate(ctx, ctx_att, limit, generator, greedy)
        else:
            new, new_att = self._loop_generate(ctx, ctx_att, limit, generator, greedy)
        seq = torch.cat([ctx, new], 1)
        mask = torch.cat([ctx_att, new_att], 1)
        loss_mask = torch.cat([torch.zeros(n, width), new_att.float()], 1)
        batch = StepBatch(step, list(prompts), seq, mask, loss_mask,
                          extra={"context_len": torch.full((n,), width, dtype=torch.long)})
        batch.texts = [self.completion_text(batch, i) for i in range(n)]
        return batch

    def _hf_generate(self, ctx: torch.Tensor, ctx_att: torch.Tensor, limit: int,
                     generator: torch.Generator | None, greedy: bool
                     ) -> tuple[torch.Tensor, torch.Tensor]:
        """New tokens ``[n, steps]`` and their mask from ``model.generate`` (see
        :meth:`generate`): the tokens up to and including each row's first ``<eos>`` count,
        the padding after it does not."""
        dev = self._device()
        seed = int(torch.randint(0, 2**62, (1,), generator=generator))
        kw: dict[str, Any] = {"do_sample": False} if greedy else {
            "do_sample": True, "temperature": self.temperature, "top_k": 0, "top_p": 1.0}
        was = self.model.training
        self.model.eval()
        try:
            with torch.random.fork_rng(devices=[dev] if dev.type == "cuda" else []):
                torch.manual_seed(seed)
                out = self.model.generate(
                    input_ids=ctx.to(dev), attention_mask=ctx_att.to(dev),
                    max_new_tokens=limit, min_new_tokens=0, eos_token_id=self.eos_id,
                    pad_token_id=self.pad_id, num_beams=1, repetition_penalty=1.0,
                    use_cache=True, **kw)
        finally:
            self.model.train(was)
        new = out[:, ctx.shape[1]:].cpu()
        ended = (new == self.eos_id).long().cumsum(1)
        # a token counts until (and including) the row's first <eos>
        new_att = ((ended == 0) | ((ended == 1) & (new == self.eos_id))).long()
        new = torch.where(new_att.bool(), new, torch.full_like(new, self.pad_id))
        return new, new_att

    def _loop_generate(self, ctx: torch.Tensor, ctx_att: torch.Tensor, limit: int,
                       generator: torch.Generator | None, greedy: bool
                       ) -> tuple[torch.Tensor, torch.Tensor]:
        """New tokens ``[n, steps]`` and their mask from this adapter's KV-cache loop."""
        dev = self._device()
        n = ctx.shape[0]
        new = torch.full((n, limit), self.pad_id, dtype=torch.long)
        new_att = torch.zeros(n, limit, dtype=torch.long)
        done = torch.zeros(n, dtype=torch.bool)
        was = self.model.training
        self.model.eval()
        try:
            att = ctx_att.to(dev)
            out = self.model(input_ids=ctx.to(dev), attention_mask=att,
                             position_ids=self._positions(att), use_cache=True,
                             **self._last_logits_only())
            cache = out.past_key_values
            logits = out.logits[:, -1].float().cpu()
            steps = 0
            for t in range(limit):
                if greedy:
                    tok = logits.argmax(-1)
                else:
                    probs = torch.softmax(logits / self.temperature, -1)
                    tok = torch.multinomial(probs, 1, generator=generator)[:, 0]
                tok = torch.where(done, torch.full_like(tok, self.pad_id), tok)
                new[:, t] = tok
                new_att[:, t] = (~done).long()
                done |= tok == self.eos_id
                steps = t + 1
                if done.all() or t + 1 == limit:
                    break
                att = torch.cat([ctx_att, new_att[:, : t + 1]], 1).to(dev)
                pos = self._positions(att)[:, -1:]
                out = self.model(input_ids=tok[:, None].to(dev), attention_mask=att,
                                 position_ids=pos, past_key_values=cache, use_cache=True)
                cache = out.past_key_values
                logits = out.logits[:, -1].float().cpu()
        finally:
            self.model.train(was)
        return new[:, :steps], new_att[:, :steps]

    # -------------------------------------------------------------------- logprobs

    def _hidden(self, seq: torch.Tensor, att: torch.Tensor) -> torch.Tensor:
        """Last hidden states ``[N, L, d]`` of the decoder (no vocabulary-sized output)."""
        out = self.model.get_decoder()(input_ids=seq, attention_mask=att,
                                       position_ids=self._positions(att), use_cache=False)
        return out.last_hidden_state

    def _head(self) -> torch.nn.Module:
        head = self.model.get_output_embeddings()
        if head is None:
            raise ValueError(f"{type(self.model).__name__} has no output embeddings (lm head)")
        if not self._head_checked:
            self._check_head(head)
        return head

    @torch.no_grad()
    def _check_head(self, head: torch.nn.Module) -> None:
        """The chunked path computes ``head(decoder(x))``; refuse models whose logits are
        something else (final soft-capping, logit scaling) rather than train on wrong ratios."""
        was = self.model.training
        self.model.eval()
        try:
            dev = self._device()
            ids = torch.tensor([[self.eos_id, self.pad_id, self.eos_id]], device=dev)
            att = torch.ones_like(ids)
            full = self.model(input_ids=ids, attention_mask=att,
                              position_ids=self._positions(att)).logits.float()
            mine = head(self._hidden(ids, att)).float()
        finally:
            self.model.train(was)
        tol = 1e-3 * max(1.0, float(full.abs().max()))
        if full.shape != mine.shape or float((full - mine).abs().max()) > tol:
            raise ValueError(
                f"{type(self.model).__name__}: its logits are not lm_head(last hidden state) "
                "(soft-capping or scaling after the head?); the chunked log-prob path does "
                "not support it")
        self._head_checked = True

    def logprobs(self, batch: StepBatch) -> tuple[torch.Tensor, torch.Tensor]:
        """Log-probabilities and entropies at temperature ``temperature`` of the sampled
        tokens (0 elsewhere), chunked over positions (:mod:`trainers.policies.logprobs`)."""
        dev = self._device()
        seq, att = batch.sequences.to(dev), batch.attention_mask.to(dev)
        need = batch.loss_mask.to(dev) > 0
        (lp,), ent = chosen_token_logprobs(self._hidden(seq, att), self._head(), [seq], need,
                                           self.temperature, self.logprob_chunk)
        return lp, ent

    def joint_logprobs(
        self, step1: StepBatch, step2: StepBatch
    ) -> tuple[tuple[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]:
        """Both steps from one forward over the step-2 sequences.

        Row ``i``'s step-2 tokens start with its step-1 context and completion (re-padded on
        the left), except the step-1 ``<eos>``, replaced by the step-2 template: the logits
        predicting that position are the same, so its step-1 log-probability is read with
        the step-1 token as the target. Falls back to two forwards if the rows do not line
        up (a batch not made by :meth:`generate`).
        """
        dev = self._device()
        s1, a1, m1 = step1.sequences, step1.attention_mask, step1.loss_mask > 0
        s2, a2, m2 = step2.sequences, step2.attention_mask, step2.loss_mask > 0
        n, w1 = s1.shape
        w2 = s2.shape[1]
        off = a2.long().argmax(1) - a1.long().argmax(1)  # left padding difference per row
        cols = torch.arange(w1)[None] + off[:, None]  # step-1 column -> step-2 column
        real = a1 > 0
        if n == 0 or bool(((cols < 0) | (cols >= w2))[real].any()):
            return super().joint_logprobs(step1, step2)
        rows = torch.arange(n)[:, None].expand(n, w1)
        mapped = s2[rows, cols.clamp(0, w2 - 1)]
        last = real & ~torch.cat([real[:, 1:], torch.zeros(n, 1, dtype=torch.bool)], 1)
        same = (mapped == s1) | (last & (s1 == self.eos_id))
        if not bool(same[real].all()):
            return super().joint_logprobs(step1, step2)
        tgt1 = s2.clone()
        need1 = torch.zeros_like(m2)
        tgt1[rows[m1], cols[m1]] = s1[m1]
        need1[rows[m1], cols[m1]] = True
        (lp2, lp1_in2), ent = chosen_token_logprobs(
            self._hidden(s2.to(dev), a2.to(dev)), self._head(), [s2.to(dev), tgt1.to(dev)],
            (m2 | need1).to(dev), self.temperature, self.logprob_chunk)
        c = cols.clamp(0, w2 - 1).to(dev)
        r = rows.to(dev)
        keep = m1.to(dev)
        lp1 = torch.where(keep, lp1_in2[r, c], torch.zeros_like(lp1_in2[r, c]))
        ent1 = torch.where(keep, ent[r, c], torch.zeros_like(ent[r, c]))
        ent2 = torch.where(m2.to(dev), ent, torch.zeros_like(ent))
        return (lp1, ent1), (lp2, ent2)

    # ---------------------------------------------------------------------- decode

    def completion_ids(self, batch: StepBatch, i: int) -> list[int]:
        return batch.sequences[i][batch.loss_mask[i] > 0].tolist()

    def completion_text(self, batch: StepBatch, i: int) -> str:
        return self.tokenizer.decode(self.completion_ids(batch, i), skip_special_tokens=False)

    def mesh_tokens(self, batch: StepBatch, i: int) -> list[str]:
        """Token strings strictly between the first ``mesh_start`` and the next ``mesh_end``."""
        toks = self.tokenizer.convert_ids_to_tokens(self.completion_ids(batch, i))
        if self.mesh_start not in toks:
            raise ValueError(f"no {self.mesh_start} in the completion")
        a = toks.index(self.mesh_start) + 1
        if self.mesh_end not in toks[a:]:
            raise ValueError(f"no {self.mesh_end} after {self.mesh_start}")
        b = toks.index(self.mesh_end, a)
        return toks[a:b]

    def decode(self, batch: StepBatch, i: int) -> Any:
        return self.mesh_decoder(self.mesh_tokens(batch, i))


def load_object(spec: str) -> Any:
    """``"package.module:attribute"`` -> the attribute."""
    if ":" not in spec:
        raise ValueError(f"expected 'module:attribute', got {spec!r}")
    mod, attr = spec.split(":", 1)
    return getattr(importlib.import_module(mod), attr)


def policy_from_config(spec: dict[str, Any], seed: int = 0) -> HFCausalLMPolicy:
    """Build the adapter from a config mapping (local files only, nothing is downloaded).

    Keys: ``model`` (a local folder), ``tokenizer`` (default: ``model``), ``decoder``
    (``{"kind": "voxel_index", "grid": [X, Y, Z]}`` or ``"module:factory"`` returning a
    decoder), ``dtype`` (``float32``/``bfloat16``/``float16``), ``trust_remote_code``, and
    the :class:`HFCausalLMPolicy` keywords ``step1_template``, ``step2_template``,
    ``max_new_tokens``, ``temperature``, ``mesh_start``, ``mesh_end``, ``logprob_chunk``,
    ``generation`` (``hf_generate``, the default, or ``loop``).
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    spec = dict(spec)
    source = dict(spec)
    path = spec.pop("model", None)
    if not path:
        raise ValueError("policy.model (a local model folder) is required for kind: hf")
    tok_path = spec.pop("tokenizer", None) or path
    dec = spec.pop("decoder", {"kind": "voxel_index"})
    dtype = getattr(torch, spec.pop("dtype", "float32"))
    remote = bool(spec.pop("trust_remote_code", False))
    tokenizer = AutoTokenizer.from_pretrained(tok_path, local_files_only=True,
                                              trust_remote_code=remote)
    model = AutoModelForCausalLM.from_pretrained(path, local_files_only=True, dtype=dtype,
                                                 trust_remote_code=remote)
    if isinstance(dec, str):
        decoder = load_object(dec)()
    elif isinstance(dec, dict) and dec.get("kind") == "voxel_index":
        decoder = VoxelIndexDecoder(**{k: v for k, v in dec.items() if k != "kind"})
    else:
        raise ValueError(f"policy.decoder: unknown decoder {dec!r}")
    torch.manual_seed(seed)
    return HFCausalLMPolicy(model, tokenizer, decoder, source=source, **spec)
