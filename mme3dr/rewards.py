"""mme3dr evaluators as reward functions: batched, optionally parallel, TRL-compatible.

A reward is a weighted combination of evaluator scores on one ``(case, mesh)`` pair, the same
evaluators ``mme3dr eval`` runs (one code path for evaluation and reward).

Normalisation and weighting (the contract of :class:`RewardSpec`):

* each term takes an evaluator's ``score`` (already in [0, 1]) or its raw ``value``, and maps
  it linearly from its ``range`` ``[lo, hi]`` onto [0, 1], clipped:
  ``r = clip((x - lo) / (hi - lo), 0, 1)``. The default range ``[0, 1]`` leaves scores as
  they are; ``lo > hi`` turns a lower-is-better value into a reward;
* the reward is the weighted mean of the terms that apply to the case,
  ``R = sum(w_i r_i) / sum(w_i)``, so every reward lies in [0, 1] whatever the terms;
* a term with ``source="case"`` applies only when the case lists that check (and runs with
  the case's parameters); ``source="always"`` runs on every case with the term's ``params``;
* the scoring rules of :mod:`mme3dr.scoring` apply, as in ``mme3dr eval``: an applicable
  evaluator that errors on the mesh gives its term **0** (counted, the reason recorded in
  :attr:`RewardResult.error`), never a good score and never dropped; a ``skipped`` or
  ``not_applicable`` evaluator's term is left out;
* when the mesh is missing or unusable the reward is ``None`` with ``undecodable=True``: the
  caller decides (trainers apply a configurable ``undecodable`` reward; the benchmark itself
  scores such a case 0 on every measurable suite).

Three forms:

* :class:`MeshReward` scores a batch of ``(case, mesh)`` pairs, in worker processes for large
  batches (``workers``; CPU-bound geometry), returning :class:`RewardResult` per pair;
* :func:`eval_reward_spec` reproduces the benchmark's own judgement: the case's overall score as
  ``mme3dr eval`` computes it (:func:`overall_reward`);
* :func:`trl_reward` adapts any of them to TRL's ``GRPOTrainer``: a picklable callable
  :class:`mme3dr.trl_rewards.TRLMeshReward`,
  ``reward_func(prompts, completions, completion_ids, **kwargs) -> list[float | None]``.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mme3dr.cases import Case

SOURCES = ("case", "always")
FIELDS = ("score", "value")


@dataclass(frozen=True)
class RewardTerm:
    """One evaluator in a reward.

    ``evaluator`` is a registry name (``mme3dr checks`` lists them). ``source="case"``: the term
    applies only to cases whose ``checks`` list this evaluator, with the case's parameters (a
    case listing it twice gives two terms); ``source="always"``: it runs on every case with
    ``params``. ``field`` picks the evaluator's ``score`` (in [0, 1]) or its raw ``value``;
    ``range`` ``[lo, hi]`` is mapped linearly onto [0, 1] (clipped). ``name`` labels the term
    in metrics (default: the evaluator name).
    """

    evaluator: str
    weight: float = 1.0
    source: str = "always"
    params: Mapping[str, Any] = field(default_factory=dict)
    field: str = "score"
    range: tuple[float, float] = (0.0, 1.0)
    name: str = ""

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(
                f"{self.evaluator}: source must be one of {SOURCES}, got {self.source!r}"
            )
        if self.field not in FIELDS:
            raise ValueError(f"{self.evaluator}: field must be one of {FIELDS}, got {self.field!r}")
        lo, hi = (float(x) for x in self.range)
        if lo == hi or not (math.isfinite(lo) and math.isfinite(hi)):
            raise ValueError(f"{self.evaluator}: range must be two different finite numbers")
        if not (self.weight >= 0 and math.isfinite(self.weight)):
            raise ValueError(f"{self.evaluator}: weight must be finite and >= 0")
        object.__setattr__(self, "range", (lo, hi))
        object.__setattr__(self, "params", dict(self.params))
        if not self.name:
            object.__setattr__(self, "name", self.evaluator)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> RewardTerm:
        known = {"evaluator", "weight", "source", "params", "field", "range", "name"}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ValueError(
                f"reward term: unknown key(s) {', '.join(unknown)}; known: {sorted(known)}"
            )
        kw = dict(d)
        if "range" in kw:
            kw["range"] = tuple(kw["range"])
        return cls(**kw)

    def normalise(self, x: float) -> float:
        lo, hi = self.range
        return float(min(1.0, max(0.0, (x - lo) / (hi - lo))))


@dataclass(frozen=True)
class RewardSpec:
    """A named list of terms; :meth:`score` judges one mesh (see the module docstring)."""

    terms: tuple[RewardTerm, ...]
    name: str = "reward"

    def __post_init__(self) -> None:
        object.__setattr__(self, "terms", tuple(self.terms))
        from mme3dr.evaluators import registry

        for t in self.terms:
            registry.get(t.evaluator)  # KeyError naming the known evaluators

    @classmethod
    def from_list(cls, items: Iterable[Mapping[str, Any] | RewardTerm], name: str = "reward"):
        return cls(
            tuple(t if isinstance(t, RewardTerm) else RewardTerm.from_dict(t) for t in items),
            name=name,
        )

    def plan(self, case: Case) -> list[tuple[RewardTerm, dict[str, Any]]]:
        """The ``(term, params)`` pairs that apply to ``case``."""
        out: list[tuple[RewardTerm, dict[str, Any]]] = []
        for t in self.terms:
            if t.source == "always":  # the case's controls ("run", boolean "expect") still apply
                control = {
                    k: v for chk in case.checks if chk.get("check") == t.evaluator
                    for k, v in chk.items()
                    if k == "run" or (k == "expect" and isinstance(v, bool))
                }
                out.append((t, dict(t.params) | control))
                continue
            for chk in case.checks:
                if chk.get("check") == t.evaluator:
                    out.append((t, {k: v for k, v in chk.items() if k != "check"}))
        return out

    def score(self, case: Case, mesh: Any) -> RewardResult:
        """Reward of ``mesh`` (a ``trimesh.Trimesh``, or ``None`` when undecodable) for ``case``.

        Terms follow the scoring rules of :mod:`mme3dr.scoring`: an evaluator that errors on
        the mesh gives its term 0 (counted, reason kept in ``error``); a ``skipped`` or
        ``not_applicable`` evaluator's term is left out. ``None`` only when the mesh is
        unusable (``undecodable``) or no term could score.
        """
        t0 = time.perf_counter()
        asset, why = _asset_of(case, mesh)
        if asset is None:
            return RewardResult(None, error=why, seconds=time.perf_counter() - t0,
                                undecodable=True)
        from mme3dr.evaluators import registry
        from mme3dr.evaluators.base import Sample
        from mme3dr.scoring import EXCLUDED_STATUSES

        sample = Sample(case=case, asset=asset)
        planned = self.plan(case)
        if not planned:
            return RewardResult(
                None, error=f"no term of {self.name!r} applies to case {case.id!r}",
                seconds=time.perf_counter() - t0,
            )
        terms: dict[str, float | None] = {}
        raw: dict[str, Any] = {}
        notes: list[str] = []
        total = wsum = 0.0
        for i, (term, params) in enumerate(planned):
            key = term.name if term.name not in terms else f"{term.name}#{i}"
            try:
                ev = registry.build_check({"check": term.evaluator, **params})
            except ValueError as exc:  # a configuration error, not the mesh's fault
                return RewardResult(None, terms, raw, f"{key}: {exc}",
                                    time.perf_counter() - t0)
            if ev is None:  # the case switches this evaluator off
                terms[key] = None
                notes.append(f"{key}: switched off by the case")
                continue
            s = ev.score(sample)
            x = s.score if term.field == "score" else s.value
            raw[key] = x
            if s.status in EXCLUDED_STATUSES:
                terms[key] = None
                notes.append(f"{key}: {s.status}: {s.reason or 'no reason given'}")
                continue
            if s.status != "ok" or x is None or not _finite(x):
                r = 0.0  # scoring rule 3: a failure scores 0 and is counted
                notes.append(f"{key}: {s.status}: {s.reason or 'no number'} (scored 0)")
            else:
                r = term.normalise(float(x))
            terms[key] = r
            total += term.weight * r
            wsum += term.weight
        seconds = time.perf_counter() - t0
        note = "; ".join(notes) or None
        if wsum <= 0:
            why = note or "all applicable weights are 0"
            return RewardResult(None, terms, raw, f"no term could score: {why}", seconds)
        return RewardResult(total / wsum, terms, raw, note, seconds)


def _asset_of(case: Case, mesh: Any) -> tuple[Any, str]:
    """``(Asset, "")`` for a usable mesh, ``(None, reason)`` for ``None`` or an unusable one."""
    if mesh is None:
        return None, "undecodable: no mesh"
    from mme3dr.assets import Asset

    try:
        return Asset.from_trimesh(mesh, name=f"{case.id}.mesh"), ""
    except Exception as exc:  # noqa: BLE001 - a bad mesh is a failed reward, not a crash
        return None, f"undecodable: invalid mesh: {exc}"


def _finite(x: Any) -> bool:
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


@dataclass
class RewardResult:
    """The reward of one sample: ``reward`` in [0, 1] or ``None`` (see ``error``).

    ``terms`` holds each applicable term's normalised value (0 where the evaluator failed,
    ``None`` where it was left out), ``raw`` the evaluator's number before normalisation,
    ``error`` what went wrong (also set, with a number, when some term failed and scored 0),
    ``undecodable`` whether the mesh was missing or unusable, ``seconds`` the time spent.
    """

    reward: float | None
    terms: dict[str, float | None] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    seconds: float = 0.0
    undecodable: bool = False

    @property
    def ok(self) -> bool:
        return self.reward is not None


# ------------------------------------------------------------------------- benchmark reward


def overall_reward(case: Case, mesh: Any, suites: tuple[str, ...] | None = None) -> RewardResult:
    """The case's ``overall`` exactly as ``mme3dr eval`` computes it (:mod:`mme3dr.scoring`).

    An unusable mesh (``None`` or one the loader refuses) is ``undecodable``: the reward is
    ``None`` and the caller's policy applies (``mme3dr eval`` scores such a case 0 on every
    measurable suite; trainers default to the same 0). ``None`` too when no suite is present.
    """
    t0 = time.perf_counter()
    asset, why = _asset_of(case, mesh)
    if asset is None:
        return RewardResult(None, error=why, undecodable=True)
    from mme3dr.scoring import score_pairs

    (record,) = score_pairs([(case, asset)], suites)
    terms = {f"suite/{k}": v for k, v in record.suites.items()}
    failed = [
        f"{s['evaluator']}: {s['status']}: {s.get('reason', '')}"
        for s in record.scores if s.get("status") != "ok"
    ]
    err = None if record.overall is not None else "no suite produced a score"
    if err is None and failed:
        err = "; ".join(failed)
    return RewardResult(record.overall, terms, {}, err, time.perf_counter() - t0)


# ------------------------------------------------------------------------------ batching


def _score_items(items: list[tuple[Any, dict[str, Any], Any, Any]]) -> list[RewardResult]:
    """Worker entry point: ``(spec | None, case dict, vertices, faces)`` -> results."""
    import trimesh

    out = []
    for spec, case_d, vertices, faces in items:
        case = _case_from_dict(case_d)
        mesh = None
        if vertices is not None:
            mesh = trimesh.Trimesh(vertices=vertices, faces=faces, process=False)
        out.append(spec.score(case, mesh) if spec is not None else overall_reward(case, mesh))
    return out


def _case_from_dict(d: Mapping[str, Any]) -> Case:
    return Case(
        id=d["id"],
        prompt=d["prompt"],
        category=d["category"],
        suites=tuple(d.get("suites", ())),
        checks=tuple(dict(c) for c in d.get("checks", ())),
        tags=tuple(d.get("tags", ())),
        difficulty=d.get("difficulty"),
        meta=dict(d.get("meta", {})),
    )


class MeshReward:
    """Score batches of ``(case, mesh)`` with a :class:`RewardSpec` (or the benchmark overall).

    ``workers`` > 0 runs batches of at least ``min_parallel`` samples in a pool of worker
    processes (``forkserver`` where available, else ``spawn``: never ``fork``, which is unsafe
    with threads in torch); smaller batches run in this process. The pool starts on first use
    and lives until :meth:`close`. Results come back in input order.
    """

    def __init__(
        self,
        spec: RewardSpec | None = None,
        workers: int = 0,
        min_parallel: int = 8,
        name: str | None = None,
    ):
        self.spec = spec
        self.workers = max(0, int(workers))
        self.min_parallel = max(1, int(min_parallel))
        self.name = name or (spec.name if spec is not None else "overall")
        self._pool: Executor | None = None

    def __call__(self, cases: Sequence[Case], meshes: Sequence[Any]) -> list[RewardResult]:
        if len(cases) != len(meshes):
            raise ValueError(f"{len(cases)} cases but {len(meshes)} meshes")
        items = [
            (
                self.spec,
                c.to_dict() | {"meta": dict(c.meta)},
                None if m is None else np.asarray(m.vertices, dtype=np.float64),
                None if m is None else np.asarray(m.faces, dtype=np.int64),
            )
            for c, m in zip(cases, meshes, strict=True)
        ]
        if self.workers == 0 or len(items) < self.min_parallel:
            return _score_items(items)
        pool = self._ensure_pool()
        n = min(self.workers * 2, len(items))
        chunks = [items[i::n] for i in range(n)]  # strided: neighbours differ in cost
        results: list[RewardResult | None] = [None] * len(items)
        for k, chunk_out in enumerate(pool.map(_score_items, chunks)):
            for j, res in enumerate(chunk_out):
                results[k + j * n] = res
        missing = [i for i, r in enumerate(results) if r is None]
        if missing:  # never shift results onto the wrong samples
            raise RuntimeError(f"reward workers returned no result for samples {missing}")
        return results  # type: ignore[return-value]

    def _ensure_pool(self) -> Executor:
        if self._pool is None:
            methods = multiprocessing.get_all_start_methods()
            ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx)
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> MeshReward:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_pool"] = None
        return state


def default_workers() -> int:
    """Worker processes to use by default: the CPUs this process may use, minus one."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:
        n = os.cpu_count() or 1
    return max(0, n - 1)


def eval_reward_spec(suites: tuple[str, ...] | None = None) -> Callable[[Case, Any], RewardResult]:
    """A ``(case, mesh) -> RewardResult`` giving the benchmark's overall score for the case."""

    def reward(case: Case, mesh: Any) -> RewardResult:
        return overall_reward(case, mesh, suites)

    return reward


# ---------------------------------------------------------------------------------- TRL


def completion_text(completion: Any) -> str:
    """The text of a TRL completion: a string, or a conversation (list of ``{"content": ...}``)."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, Mapping):
        return str(completion.get("content", ""))
    if isinstance(completion, Sequence):
        return "".join(completion_text(m) for m in completion)
    return str(completion)


def case_from_columns(prompt: str, columns: Mapping[str, Any], i: int) -> Case:
    """Rebuild the case of row ``i`` from dataset columns TRL passes as keyword arguments.

    Understands the columns of :meth:`mme3dr.cases.CaseSet.to_dataset` (``id``, ``category``,
    ``suites``, ``checks`` as a JSON string or a list, ``tags``); missing columns fall back to
    the prompt alone (then only ``source="always"`` terms apply).
    """
    import json

    def col(name: str, default: Any) -> Any:
        values = columns.get(name)
        return values[i] if values is not None else default

    checks = col("checks", [])
    if isinstance(checks, str):
        checks = json.loads(checks) if checks else []
    return Case(
        id=str(col("id", f"row-{i}")),
        prompt=prompt,
        category=str(col("category", "stylized")),
        suites=tuple(col("suites", ("spatial", "functional", "physical"))),
        checks=tuple(dict(c) for c in checks),
        tags=tuple(col("tags", ())),
    )


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
    columns TRL forwards (:func:`case_from_columns`). ``name`` is the ``__name__`` TRL logs.
    """
    from mme3dr.trl_rewards import TRLMeshReward

    return TRLMeshReward(reward, decode, tokenizer=tokenizer, cases=cases, name=name,
                         undecodable=undecodable)


def mesh_from_obj_text(text: str, start: str | None = None, end: str | None = None) -> Any:
    """Parse OBJ text (``v x y z`` and ``f a b c ...`` lines, 1-based, ``a/b/c`` allowed) to a mesh.

    With ``start``/``end`` markers only the text between them is read (both must be present).
    Polygons are fanned into triangles. Raises ``ValueError`` when no face can be built: the
    caller's reward is then ``None`` (LLaMA-Mesh-style models emit OBJ text like this).
    """
    import trimesh

    if start is not None or end is not None:
        i = text.find(start) if start else 0
        j = text.find(end, i + len(start or "")) if end else len(text)
        if i < 0 or j < 0:
            raise ValueError("mesh markers not found")
        text = text[i + len(start or ""):j]
    vertices: list[list[float]] = []
    faces: list[list[int]] = []
    for line in text.splitlines():
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "v" and len(parts) >= 4:
            vertices.append([float(x) for x in parts[1:4]])
        elif parts[0] == "f" and len(parts) >= 4:
            idx = [int(p.split("/")[0]) for p in parts[1:]]
            idx = [k - 1 if k > 0 else len(vertices) + k for k in idx]
            faces.extend([idx[0], idx[k], idx[k + 1]] for k in range(1, len(idx) - 1))
    if not faces:
        raise ValueError("no faces in the OBJ text")
    f = np.asarray(faces, dtype=np.int64)
    if f.min() < 0 or f.max() >= len(vertices):
        raise ValueError("face index out of range")
    return trimesh.Trimesh(vertices=np.asarray(vertices, dtype=np.float64), faces=f, process=False)
