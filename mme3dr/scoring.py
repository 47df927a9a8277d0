"""The one scoring path: a case and an asset in, evaluator scores, suite scores and an overall out.

``mme3dr eval`` (the runner), the reward functions, ``mme3dr audit``, the trainers and the
leaderboard all score through this module, so the same case gets the same number everywhere.

The rules, one per situation (each is tested in ``tests/test_scoring.py``):

1. **Planning.** A case's *selected suites* are its ``suites`` filtered by the run's suites
   (all of them when the run names none). Its *evaluators* are its ``checks`` whose suite is
   selected, plus every default evaluator (``runs_by_default``) of each selected suite; a
   default that is also listed as a check runs once, with the check's parameters. A case can
   switch a default off (``{"check": "stable", "run": false}``) or expect the object to fail
   it (``{"check": "stable", "expect": false}``: the score becomes ``1 - score``; see
   :func:`mme3dr.evaluators.registry.build_check`). A suite is
   *measurable* for the case when at least one planned evaluator of it is ``available()``
   (e.g. its weights are present).
2. **ok.** An evaluator with status ``ok`` contributes its score, in [0, 1], to its suite with
   the weight of :func:`check_weight`.
3. **error.** An evaluator that fails on a usable asset (status ``error``, or ``ok`` without a
   finite number) scores **0** for that check and counts in its suite with its full weight; its
   reason is kept in the record. A failure never drops out of a mean.
4. **not applicable.** A check that cannot apply to this asset says so (status
   ``not_applicable`` and a reason); it is left out of its suite's mean and kept in the record.
5. **skipped.** An evaluator that cannot run here (status ``skipped``: weights absent, no
   server) is left out of its suite's mean and listed in the summary's ``skipped_evaluators``.
6. **absent suite.** A suite with no contributing score (rules 2 and 3) is absent (``None``).
7. **missing or unusable asset.** A case with no file (``missing``) or a file that cannot be
   loaded (``error``: the reason names the file) scores **0** on every measurable selected
   suite and is absent on suites that nothing could measure.
8. **overall.** A case's overall is the mean of its present suite scores (``None`` when no
   suite is present).
9. **aggregation over cases** (summary, leaderboard): a suite's mean is the mean over the
   cases where that suite is present (rules 6-7 decide presence); the overall mean is the mean
   of the cases' overall where present. See :func:`mme3dr.results.summarise`.

Entry points: :func:`plan_case`, :func:`score_loaded` (an :class:`~mme3dr.assets.Asset`
already loaded), :func:`failed_record` (rule 7), :func:`score_pairs` (in memory: a list of
``(case, mesh)`` pairs, no disk) and :func:`combine_suites` (rules 2-6).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mme3dr.cases import Case
from mme3dr.evaluators import registry
from mme3dr.evaluators.base import Evaluator, Sample, Score
from mme3dr.results import Record, overall_of

if TYPE_CHECKING:
    import trimesh

    from mme3dr.assets import Asset

#: Score statuses and how each enters a suite score (rules 2-5).
COUNTED_STATUSES: tuple[str, ...] = ("ok", "error")
EXCLUDED_STATUSES: tuple[str, ...] = ("not_applicable", "skipped")
SCORE_STATUSES: tuple[str, ...] = COUNTED_STATUSES + EXCLUDED_STATUSES

__all__ = [
    "CasePlan",
    "check_weight",
    "combine_suites",
    "contribution",
    "failed_record",
    "overall_of",
    "plan_case",
    "score_loaded",
    "score_pairs",
    "selected_suites",
]


@dataclass(frozen=True)
class CasePlan:
    """What will be scored for one case: its selected suites and evaluator instances."""

    case: Case
    suites: tuple[str, ...]
    evaluators: tuple[Evaluator, ...]

    @property
    def measurable(self) -> tuple[str, ...]:
        """Selected suites with at least one available planned evaluator (rule 1)."""
        return tuple(
            s for s in self.suites if any(e.suite == s and e.available() for e in self.evaluators)
        )


def selected_suites(case: Case, suites: Sequence[str] | None) -> tuple[str, ...]:
    """The case's suites that the run selected (``None``: all of the case's suites)."""
    return tuple(s for s in case.suites if suites is None or s in suites)


def plan_case(case: Case, suites: Sequence[str] | None = None) -> CasePlan:
    """Rule 1: the evaluators to run for ``case`` in the selected suites.

    Raises ``ValueError`` (from the registry) for a check with bad parameters; case files are
    validated on load, so that only happens for hand-built cases.
    """
    active = selected_suites(case, suites)
    evaluators: list[Evaluator] = []
    listed: set[str] = set()
    for chk in case.checks:
        ev = registry.build_check(chk)
        if ev is None:  # a default evaluator this case switches off ("run": false)
            listed.add(chk["check"])
            continue
        if ev.suite in active:
            evaluators.append(ev)
            listed.add(ev.name)
    for suite in active:
        for cls in registry.default_evaluators(suite):
            if cls.name not in listed:
                evaluators.append(cls())
    return CasePlan(case=case, suites=active, evaluators=tuple(evaluators))


def check_weight(name: str) -> float:
    """Weight of evaluator ``name`` within its suite score: the ``weight`` its class declares
    (every built-in check weighs 1.0); 1.0 for a name not in the registry."""
    return registry.weight(name)


def contribution(score: Score) -> float | None:
    """What one score adds to its suite (rules 2-5): its score when ``ok``, 0 when it failed,
    ``None`` when it is left out (``not_applicable`` or ``skipped``)."""
    if score.status in EXCLUDED_STATUSES:
        return None
    if score.status == "ok" and score.score is not None and math.isfinite(score.score):
        return min(1.0, max(0.0, float(score.score)))
    return 0.0  # an error, an unknown status, or "ok" without a finite number


def combine_suites(scores: Iterable[Score], suites: Sequence[str]) -> dict[str, float | None]:
    """Rules 2-6: weighted mean of the contributions of each suite; ``None`` where none."""
    totals = {s: 0.0 for s in suites}
    weights = {s: 0.0 for s in suites}
    for sc in scores:
        if sc.suite not in totals:
            continue
        value = contribution(sc)
        if value is None:
            continue
        w = check_weight(sc.evaluator)
        totals[sc.suite] += w * value
        weights[sc.suite] += w
    return {s: (totals[s] / weights[s] if weights[s] > 0 else None) for s in suites}


def _case_fields(case: Case) -> dict[str, Any]:
    return dict(
        case_id=case.id,
        category=case.category,
        prompt=case.prompt,
        tags=list(case.tags),
        meta=dict(case.meta),
    )


def failed_record(
    plan: CasePlan,
    status: str,
    reason: str,
    asset: str | None = None,
    timings: dict[str, float] | None = None,
) -> Record:
    """Rule 7: the record of a case whose asset is ``missing`` or could not be used (``error``)."""
    if status not in ("missing", "error"):
        raise ValueError(f"failed_record: status must be 'missing' or 'error', got {status!r}")
    measurable = set(plan.measurable)
    suites: dict[str, float | None] = {s: (0.0 if s in measurable else None) for s in plan.suites}
    return Record(
        status=status,
        suites=suites,
        overall=overall_of(suites),
        asset=asset,
        error=reason,
        timings=dict(timings or {}),
        **_case_fields(plan.case),
    )


@dataclass
class Scored:
    """A scored, loaded asset: the record and the sample (whose views may be rendered)."""

    record: Record
    sample: Sample


def score_loaded(
    plan: CasePlan,
    asset: Asset,
    *,
    rig: Any = None,
    device: str = "cpu",
    backend: str = "gl",
    asset_label: str | None = None,
    load_seconds: float = 0.0,
    on_stage: Callable[[str], None] | None = None,
    views: Any = None,
) -> Scored:
    """Run every planned evaluator on a loaded asset and combine (rules 2-6, 8).

    Never raises for a bad asset: :meth:`Evaluator.score` turns exceptions into error scores.
    ``on_stage(name)`` is told which evaluator starts (a worker reports it when stopped).
    ``views`` are the asset's renders when they were made already (e.g. to encode several
    cases' views in one batch first, :mod:`mme3dr.features.batch`); otherwise evaluators
    render on first use.
    """
    t0 = time.perf_counter()
    sample = Sample(case=plan.case, asset=asset, rig=rig, device=device, backend=backend,
                    _views=views)
    scores = []
    for ev in plan.evaluators:
        if on_stage is not None:
            on_stage(ev.name)
        scores.append(ev.score(sample))
    suites = combine_suites(scores, plan.suites)
    elapsed = time.perf_counter() - t0
    record = Record(
        status="ok",
        suites=suites,
        overall=overall_of(suites),
        scores=[s.to_dict() for s in scores],
        asset=asset_label if asset_label is not None else str(asset.path),
        timings={
            "load": load_seconds,
            "render": sample.render_seconds,
            "evaluate": max(0.0, elapsed - sample.render_seconds),
            "total": load_seconds + elapsed,
        },
        provenance=dict(asset.provenance),
        **_case_fields(plan.case),
    )
    return Scored(record=record, sample=sample)


def add_scores(scored: Scored, extra: Iterable[Score]) -> None:
    """Append scores made after :func:`score_loaded` (e.g. a failed thumbnail) and recombine."""
    rec = scored.record
    rec.scores.extend(s.to_dict() for s in extra)
    rec.suites = combine_suites(record_scores(rec), list(rec.suites))
    rec.overall = overall_of(rec.suites)


def score_pairs(
    pairs: Iterable[tuple[Case, trimesh.Trimesh | Asset | None]],
    suites: Sequence[str] | None = None,
    *,
    rig: Any = None,
    device: str = "cpu",
    backend: str = "gl",
) -> list[Record]:
    """Score ``(case, mesh)`` pairs in memory, exactly as ``mme3dr eval`` scores files.

    ``mesh`` is a ``trimesh.Trimesh`` (normalised here as on load), an already loaded
    :class:`~mme3dr.assets.Asset`, or ``None`` (a ``missing`` record, rule 7). A mesh that
    cannot be used (no faces, NaN coordinates, zero extent...) gives an ``error`` record.
    """
    from mme3dr.assets import Asset
    from mme3dr.errors import AssetError

    out: list[Record] = []
    for case, mesh in pairs:
        plan = plan_case(case, suites)
        if mesh is None:
            out.append(failed_record(plan, "missing", "no mesh for this case"))
            continue
        label = f"{case.id}.mesh"
        t0 = time.perf_counter()
        if isinstance(mesh, Asset):
            asset = mesh
        else:
            try:
                asset = Asset.from_trimesh(mesh, name=label)
            except AssetError as exc:
                out.append(failed_record(plan, "error", str(exc), asset=label))
                continue
            except Exception as exc:  # noqa: BLE001 - a bad mesh is a record, never a crash
                reason = f"{label}: unusable mesh: {type(exc).__name__}: {exc}"
                out.append(failed_record(plan, "error", reason, asset=label))
                continue
        load_s = time.perf_counter() - t0
        scored = score_loaded(
            plan, asset, rig=rig, device=device, backend=backend, asset_label=label,
            load_seconds=load_s,
        )
        out.append(scored.record)
    return out


def record_scores(record: Record) -> list[Score]:
    """The :class:`Score` objects of a record (for recombining or inspecting)."""
    return [Score(**d) for d in record.scores]
