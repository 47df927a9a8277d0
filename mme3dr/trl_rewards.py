"""mme3dr rewards in the form TRL's ``GRPOTrainer`` calls: a picklable callable class.

TRL (``trl>=0.20``, checked against 1.16) calls every reward function as
``func(prompts=..., completions=..., completion_ids=..., **columns)`` where ``completions`` is
the text it decoded with ``skip_special_tokens=True`` and ``completion_ids`` the sampled token
ids (one list per completion, no padding), and names it by its ``__name__`` in its logs. A
model whose mesh tokens are *special* tokens (as real mesh-token models register them) loses
every mesh token in that text, so :class:`TRLMeshReward` decodes from ``completion_ids`` with
the tokenizer, special tokens kept, whenever it has a tokenizer and TRL passes the ids; from
the text otherwise.

Returned values (one per completion):

* the reward in [0, 1] (:class:`mme3dr.rewards.RewardSpec` or the benchmark overall);
* ``undecodable`` (default ``0.0``, the lowest reward a term gives, so the policy is pushed
  toward well-formed output; ``None`` lets TRL ignore the row) when the completion holds no
  usable mesh: the decoder raised, or the mesh is unusable. Counted in :attr:`counts` and, when
  TRL passes ``log_metric``, logged as ``<name>/undecodable`` (fraction of the batch);
* ``None`` when the mesh is usable but no term could score (an evaluator skipped, a case no
  term applies to): that is not the policy's fault, so TRL leaves the row out. Counted as
  ``failed``.

Everything held (spec, decoder, tokenizer, case mapping) must itself pickle; the decoders here
do (:class:`ObjTextDecoder`, :class:`MarkedTokenDecoder`), and so do ``transformers`` fast
tokenizers. Worker pools are dropped on pickling and restart on first use.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from mme3dr.cases import Case
from mme3dr.rewards import (
    MeshReward,
    RewardSpec,
    case_from_columns,
    completion_text,
    mesh_from_obj_text,
)

MESH_START = "<mesh-start>"
MESH_END = "<mesh-end>"


class ObjTextDecoder:
    """``text -> Trimesh`` for OBJ text (LLaMA-Mesh style), optionally between two markers.

    Raises ``ValueError`` when the text holds no face (see :func:`mesh_from_obj_text`).
    """

    def __init__(self, start: str | None = None, end: str | None = None):
        self.start, self.end = start, end

    def __call__(self, text: str) -> Any:
        return mesh_from_obj_text(text, self.start, self.end)


class MarkedTokenDecoder:
    """``text -> Trimesh`` for mesh-token text: the ``<...>`` tokens strictly between the first
    ``start`` marker and the next ``end`` marker, handed as a list of token strings to
    ``token_decoder`` (e.g. ``trainers.policies.hf.VoxelIndexDecoder``).

    Raises ``ValueError`` when a marker is missing; ``token_decoder`` raises on bad tokens.
    ``token_pattern`` is a regular expression matching one token in the decoded text.
    """

    def __init__(self, token_decoder: Callable[[list[str]], Any], start: str = MESH_START,
                 end: str = MESH_END, token_pattern: str = r"<[^<>\s]+>"):
        self.token_decoder = token_decoder
        self.start, self.end = start, end
        self.token_pattern = token_pattern

    def __call__(self, text: str) -> Any:
        i = text.find(self.start)
        if i < 0:
            raise ValueError(f"no {self.start} in the completion")
        j = text.find(self.end, i + len(self.start))
        if j < 0:
            raise ValueError(f"no {self.end} after {self.start}")
        span = text[i + len(self.start): j]
        return self.token_decoder(re.findall(self.token_pattern, span))


class TRLMeshReward:
    """A TRL reward function over mme3dr evaluators (picklable; ``__name__`` for TRL's logs).

    ``reward``: a :class:`RewardSpec`, a list of term dicts, or a :class:`MeshReward` (its
    ``workers`` score large batches in processes). ``decode(text) -> Trimesh`` raises when the
    text holds no usable mesh. ``tokenizer`` (optional): decode ``completion_ids`` with it,
    special tokens kept (pad tokens dropped). ``cases``: ``{prompt text: Case}``; otherwise each
    row's case comes from the dataset columns TRL forwards (:func:`case_from_columns`).
    ``undecodable``: the reward of an undecodable completion (``None``: no reward).
    """

    def __init__(
        self,
        reward: RewardSpec | MeshReward | Sequence[Mapping[str, Any]],
        decode: Callable[[str], Any],
        tokenizer: Any = None,
        cases: Mapping[str, Case] | None = None,
        name: str | None = None,
        undecodable: float | None = 0.0,
    ):
        if isinstance(reward, MeshReward):
            self.scorer = reward
        elif isinstance(reward, RewardSpec):
            self.scorer = MeshReward(reward)
        else:
            self.scorer = MeshReward(RewardSpec.from_list(reward))
        self.decode = decode
        self.tokenizer = tokenizer
        self.cases = dict(cases) if cases is not None else None
        self.undecodable = None if undecodable is None else float(undecodable)
        self.__name__ = name or f"mme3dr_{self.scorer.name}"
        #: cumulative counts over calls: samples, undecodable, failed (usable mesh, no score)
        self.counts = {"samples": 0, "undecodable": 0, "failed": 0}

    def texts(self, completions: Sequence[Any], completion_ids: Sequence[Any] | None
              ) -> list[str]:
        """The text each completion is decoded from: ids through the tokenizer with special
        tokens kept when both are available, else TRL's text."""
        if self.tokenizer is None or completion_ids is None:
            return [completion_text(c) for c in completions]
        pad = getattr(self.tokenizer, "pad_token_id", None)
        out = []
        for ids in completion_ids:
            ids = [int(t) for t in (ids.tolist() if hasattr(ids, "tolist") else ids)]
            ids = [t for t in ids if pad is None or t != pad]
            out.append(self.tokenizer.decode(ids, skip_special_tokens=False))
        return out

    def __call__(self, prompts: Sequence[Any], completions: Sequence[Any],
                 completion_ids: Sequence[Any] | None = None, **kwargs: Any
                 ) -> list[float | None]:
        if len(prompts) != len(completions):
            raise ValueError(f"{len(prompts)} prompts but {len(completions)} completions")
        case_list: list[Case] = []
        meshes: list[Any] = []
        for i, (p, text) in enumerate(zip(prompts, self.texts(completions, completion_ids),
                                          strict=True)):
            text_p = completion_text(p)
            case = self.cases.get(text_p) if self.cases is not None else None
            case_list.append(case if case is not None else case_from_columns(text_p, kwargs, i))
            try:
                meshes.append(self.decode(text))
            except Exception:  # noqa: BLE001 - undecodable: the configured reward, counted
                meshes.append(None)
        out: list[float | None] = []
        n_undec = n_failed = 0
        for res in self.scorer(case_list, meshes):
            if res.undecodable:
                n_undec += 1
                out.append(self.undecodable)
            else:
                n_failed += res.reward is None
                out.append(res.reward)
        self.counts["samples"] += len(out)
        self.counts["undecodable"] += n_undec
        self.counts["failed"] += n_failed
        log_metric = kwargs.get("log_metric")
        if callable(log_metric) and out:
            log_metric(f"{self.__name__}/undecodable", n_undec / len(out))
            log_metric(f"{self.__name__}/failed", n_failed / len(out))
        return out

    def close(self) -> None:
        """Stop the scorer's worker processes, if any."""
        self.scorer.close()


__all__ = ["MESH_END", "MESH_START", "MarkedTokenDecoder", "ObjTextDecoder", "TRLMeshReward"]


def trl_reward(
    reward: RewardSpec | MeshReward,
    decode: Callable[[str], Any],
    cases: Mapping[str, Case] | None = None,
    name: str | None = None,
    tokenizer: Any = None,
    undecodable: float | None = 0.0,
) -> Any:
    """A TRL ``GRPOTrainer`` reward function over mme3dr evaluators: a
    :class:`mme3dr.trl_rewards.TRLMeshReward` (a picklable callable class; see there).

    ``decode(text) -> trimesh.Trimesh`` raises on failure; the completion is then undecodable
    and gets ``undecodable`` (default 0.0; ``None``: no reward, TRL ignores the row). With a
    ``tokenizer`` the text is decoded from TRL's ``completion_ids`` with special tokens kept.
    The case of each row comes from ``cases[prompt]`` when given, else from the dataset
    columns TRL forwards (:func:`mme3dr.rewards.case_from_columns`). ``name`` is the
    ``__name__`` TRL logs.
    """
    return TRLMeshReward(reward, decode, tokenizer=tokenizer, cases=cases, name=name,
                         undecodable=undecodable)
