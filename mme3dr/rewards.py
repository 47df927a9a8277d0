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
* :func:`mme3dr.trl_rewards.trl_reward` adapts any of them to TRL's ``GRPOTrainer``: a
  picklable callable :class:`mme3dr.trl_rewards.TRLMeshReward`,
  ``reward_func(prompts, completions, completion_ids, **kwargs) -> list[float | None]``.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
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
    ``undecodable`` whether the mesh was missing or unusable, ``seconds`` the time spent,
    ``reused`` whether it is a copy of the result of an identical sample (``seconds`` 0).
    """

    reward: float | None
    terms: dict[str, float | None] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    seconds: float = 0.0
    undecodable: bool = False
    reused: bool = False

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
        case = Case.from_dict(case_d)
        mesh = None
        if vertices is not None:
            mesh = trimesh.Trimesh(vertices=vertices, faces=faces, process=False)
        out.append(spec.score(case, mesh) if spec is not None else overall_reward(case, mesh))
    return out


def sample_key(case_d: Mapping[str, Any], vertices: np.ndarray, faces: np.ndarray) -> str:
    """Digest of one ``(case, mesh)`` pair: equal exactly when the case (every field, as
    :meth:`Case.to_dict` plus ``meta``) and the mesh (``float64`` vertices and ``int64`` faces,
    bit for bit, in order) are equal. Two pairs with one key get one reward (the evaluators are
    deterministic functions of the case and the mesh)."""
    import hashlib
    import json

    h = hashlib.blake2b(digest_size=20)
    h.update(json.dumps(case_d, sort_keys=True, default=str).encode())
    for a in (vertices, faces):
        h.update(repr(a.shape).encode())
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


def _reused(r: RewardResult) -> RewardResult:
    """A copy of ``r`` for another row with the same case and mesh (no time spent on it)."""
    return replace(r, terms=dict(r.terms), raw=dict(r.raw), seconds=0.0, reused=True)


class RewardWorkers:
    """A pool of reward worker processes that several :class:`MeshReward` may share.

    ``forkserver`` where available, else ``spawn``: never ``fork``, which is unsafe with
    threads in torch. The processes start on first use and live until :meth:`close`, so their
    start-up is paid once per run, not per batch.
    """

    def __init__(self, workers: int):
        self.workers = max(0, int(workers))
        self._pool: Executor | None = None

    def executor(self) -> Executor:
        if self._pool is None:
            methods = multiprocessing.get_all_start_methods()
            ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx)
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __getstate__(self) -> dict[str, Any]:
        return {"workers": self.workers, "_pool": None}


class PendingRewards:
    """Rewards of one batch being scored (by :meth:`MeshReward.submit`); :meth:`result`
    waits for them. ``scored`` samples are computed, ``reused`` ones copy the reward of an
    identical ``(case, mesh)`` pair (earlier in the batch, or in the reward's cache);
    ``wait_seconds`` is how long :meth:`result` blocked."""

    def __init__(self, owner: MeshReward, rows: list[tuple[int, RewardResult | None]],
                 keys: list[str | None], parts: list[Any], stride: int, n_items: int):
        self._owner, self._rows, self._keys = owner, rows, keys
        self._parts, self._stride, self._n = parts, stride, n_items
        self._results: list[RewardResult] | None = None
        self.scored = n_items
        self.reused = len(rows) - n_items
        self.wait_seconds = 0.0

    def done(self) -> bool:
        """Whether :meth:`result` would return without waiting."""
        return self._results is not None or all(
            not hasattr(p, "done") or p.done() for p in self._parts)

    def result(self) -> list[RewardResult]:
        """The results in input order (waits for the workers; a worker's error is raised)."""
        if self._results is not None:
            return self._results
        t0 = time.perf_counter()
        unique: list[RewardResult | None] = [None] * self._n
        for k, part in enumerate(self._parts):
            chunk_out = part.result() if hasattr(part, "result") else part
            for j, res in enumerate(chunk_out):
                unique[k + j * self._stride] = res
        missing = [i for i, r in enumerate(unique) if r is None]
        if missing:  # never shift results onto the wrong samples
            raise RuntimeError(f"reward workers returned no result for samples {missing}")
        self._owner._remember(self._keys, unique)  # type: ignore[arg-type]
        first: set[int] = set()
        out: list[RewardResult] = []
        for slot, cached in self._rows:
            if slot < 0:
                out.append(_reused(cached))  # type: ignore[arg-type]
            elif slot in first:
                out.append(_reused(unique[slot]))  # type: ignore[arg-type]
            else:
                first.add(slot)
                out.append(unique[slot])  # type: ignore[arg-type]
        self._results = out
        self.wait_seconds = time.perf_counter() - t0
        return out


class MeshReward:
    """Score batches of ``(case, mesh)`` with a :class:`RewardSpec` (or the benchmark overall).

    ``workers`` > 0 (a count, or a shared :class:`RewardWorkers`) runs batches of at least
    ``min_parallel`` distinct samples in worker processes; smaller batches run in this
    process. Results come back in input order.

    Identical samples are scored once: with ``dedup`` (default) rows of one batch with the same
    case and the same mesh (:func:`sample_key`) share one computation, and with
    ``cache_size`` > 0 the rewards of the last ``cache_size`` distinct samples are kept and
    reused in later batches (a sample without a reward is not kept: it is scored again). The
    reward is the same number either way (the evaluators are deterministic;
    ``tests/test_rewards.py`` checks it); a reused result is a copy with ``reused=True`` and
    ``seconds=0``.

    :meth:`submit` starts scoring and returns at once when workers run it
    (:class:`PendingRewards`), so the caller can generate or compute log-probs meanwhile;
    calling the object is ``submit(...).result()``.
    """

    def __init__(
        self,
        spec: RewardSpec | None = None,
        workers: int | RewardWorkers = 0,
        min_parallel: int = 8,
        name: str | None = None,
        dedup: bool = True,
        cache_size: int = 0,
    ):
        self.spec = spec
        self._own_pool = not isinstance(workers, RewardWorkers)
        self.pool = workers if isinstance(workers, RewardWorkers) else RewardWorkers(workers)
        self.min_parallel = max(1, int(min_parallel))
        self.name = name or (spec.name if spec is not None else "overall")
        self.dedup = bool(dedup)
        self.cache_size = max(0, int(cache_size))
        self._cache: OrderedDict[str, RewardResult] = OrderedDict()
        self.counts = {"scored": 0, "reused": 0}

    @property
    def workers(self) -> int:
        return self.pool.workers

    def __call__(self, cases: Sequence[Case], meshes: Sequence[Any]) -> list[RewardResult]:
        return self.submit(cases, meshes).result()

    def submit(self, cases: Sequence[Case], meshes: Sequence[Any]) -> PendingRewards:
        """Start scoring ``meshes`` (``None`` where undecodable) for ``cases``; in workers
        when the batch has at least ``min_parallel`` distinct samples, else right here."""
        if len(cases) != len(meshes):
            raise ValueError(f"{len(cases)} cases but {len(meshes)} meshes")
        items: list[tuple[Any, dict[str, Any], Any, Any]] = []
        keys: list[str | None] = []
        rows: list[tuple[int, RewardResult | None]] = []
        slot_of: dict[str, int] = {}
        keyed = self.dedup or self.cache_size > 0
        for c, m in zip(cases, meshes, strict=True):
            case_d = c.to_dict() | {"meta": dict(c.meta)}
            v = None if m is None else np.asarray(m.vertices, dtype=np.float64)
            f = None if m is None else np.asarray(m.faces, dtype=np.int64)
            key = sample_key(case_d, v, f) if keyed and m is not None else None
            if key is not None and key in self._cache:
                self._cache.move_to_end(key)
                rows.append((-1, self._cache[key]))
                continue
            if key is not None and self.dedup and key in slot_of:
                rows.append((slot_of[key], None))
                continue
            if key is not None:
                slot_of[key] = len(items)
            rows.append((len(items), None))
            keys.append(key)
            items.append((self.spec, case_d, v, f))
        if self.workers == 0 or len(items) < self.min_parallel:
            parts, stride = [_score_items(items)], 1
        else:
            pool = self.pool.executor()
            stride = min(self.workers * 2, len(items))
            # strided chunks: neighbours (one group) differ in cost
            parts = [pool.submit(_score_items, items[i::stride]) for i in range(stride)]
        pending = PendingRewards(self, rows, keys, parts, stride, len(items))
        self.counts["scored"] += pending.scored
        self.counts["reused"] += pending.reused
        return pending

    def _remember(self, keys: list[str | None], results: list[RewardResult]) -> None:
        if self.cache_size <= 0:
            return
        for key, res in zip(keys, results, strict=True):
            if key is not None and res.ok:  # a failure is scored again next time
                self._cache[key] = _reused(res)
                self._cache.move_to_end(key)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    def close(self) -> None:
        """Stop this reward's worker processes (a shared :class:`RewardWorkers` is closed by
        its owner)."""
        if self._own_pool:
            self.pool.close()

    def __enter__(self) -> MeshReward:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_cache"] = OrderedDict()
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
