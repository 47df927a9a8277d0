"""One case, from its file to its record: load, score with :mod:`mme3dr.scoring`, save its
contact sheet; and the split used when learned image encoders run in another process (the
worker loads, renders and scores the rest; the process that owns the model encodes the views
of several cases at once and completes them).

The same functions run in the calling process (``--workers 1``) and in a worker
(:mod:`mme3dr.workers`); :mod:`mme3dr.runner` is the loop around them. Nothing here raises for
bad input: a file that cannot be scored becomes its record.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mme3dr.assets import Asset, LoadLimits, load_asset
from mme3dr.cases import Case
from mme3dr.errors import AssetError
from mme3dr.evaluators.base import Score
from mme3dr.features.batch import encode_batch, evaluator_uses, uses_encoder
from mme3dr.model_dir import safe_name
from mme3dr.results import Record, overall_of
from mme3dr.scoring import (
    CasePlan,
    combine_suites,
    failed_record,
    plan_case,
    record_scores,
    score_loaded,
)


@dataclass(frozen=True)
class CaseOptions:
    """How one case is loaded and scored: the per-case part of an :class:`EvalConfig`, the same
    in this process and in a worker.

    ``suites`` of ``None`` means the case's own suites; ``rig`` is a
    :class:`~mme3dr.render.rig.Rig` (``None``: ``orbit8``); ``limits`` of ``None`` means the
    default :class:`LoadLimits`; ``views_dir`` is where a contact sheet per case is saved
    (``None``: none).
    """

    suites: tuple[str, ...] | None = None
    rig: Any = None
    device: str = "cpu"
    backend: str = "gl"
    up_axis: str | None = None
    limits: LoadLimits | None = None
    views_dir: Path | None = None


@dataclass
class LoadedCase:
    """A case whose file loaded: its plan and asset, ready to score (see :func:`load_case`)."""

    plan: CasePlan
    asset: Asset
    path: Path
    started: float  # time.perf_counter() when the case began
    load_seconds: float


def load_case(
    case: Case,
    asset_path: Path | None,
    opts: CaseOptions = CaseOptions(),
    on_stage: Callable[[str], None] | None = None,
) -> Record | LoadedCase:
    """Plan ``case`` and load its file: a :class:`LoadedCase`, or the record of a case that
    cannot be scored (``missing``, or ``error`` naming the file). Never raises for bad input."""
    t0 = time.perf_counter()
    plan = plan_case(case, opts.suites)
    if asset_path is None:
        return failed_record(plan, "missing", "no asset file for this case")
    if on_stage is not None:
        on_stage("load")
    try:
        asset = load_asset(asset_path, up_axis=opts.up_axis, limits=opts.limits or LoadLimits())
    except AssetError as exc:
        elapsed = time.perf_counter() - t0
        return failed_record(
            plan, "error", str(exc), asset=str(asset_path),
            timings={"load": elapsed, "total": elapsed},
        )
    except MemoryError:
        elapsed = time.perf_counter() - t0
        return failed_record(
            plan, "error", f"{asset_path}: memory: out of memory during load",
            asset=str(asset_path), timings={"total": elapsed},
        )
    return LoadedCase(plan, asset, Path(asset_path), t0, time.perf_counter() - t0)


def finish_case(
    loaded: LoadedCase,
    opts: CaseOptions = CaseOptions(),
    *,
    views: Any = None,
    observers: list[Any] | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> Record:
    """Score a loaded case with :mod:`mme3dr.scoring` (its rules decide every number), save its
    contact sheet, let set metrics see it. ``views`` are its renders when made already."""
    stage = ["score"]

    def tell(name: str) -> None:
        stage[0] = name
        if on_stage is not None:
            on_stage(name)

    try:
        scored = score_loaded(
            loaded.plan, loaded.asset, rig=opts.rig, device=opts.device, backend=opts.backend,
            asset_label=str(loaded.path), load_seconds=loaded.load_seconds, on_stage=tell,
            views=views,
        )
    except AssetError as exc:
        elapsed = time.perf_counter() - loaded.started
        return failed_record(
            loaded.plan, "error", str(exc), asset=str(loaded.path),
            timings={"load": loaded.load_seconds, "total": elapsed},
        )
    except MemoryError:
        elapsed = time.perf_counter() - loaded.started
        return failed_record(
            loaded.plan, "error", f"{loaded.path}: memory: out of memory during {stage[0]}",
            asset=str(loaded.path), timings={"total": elapsed},
        )
    if views is not None:  # rendered before scoring (for a batch): count it as render time
        scored.record.timings["render"] = float(getattr(views, "seconds", 0.0))
    if opts.views_dir is not None:
        tell("views")
        try:
            opts.views_dir.mkdir(parents=True, exist_ok=True)
            sheet = opts.views_dir / f"{safe_name(loaded.plan.case.id)}.png"
            scored.sample.views().contact_sheet().save(sheet)
        except Exception as exc:  # noqa: BLE001 - a failed thumbnail never fails the case
            # recorded for the user, but it is not a measurement: it never enters a suite
            scored.record.scores.append(
                Score(
                    "save_views",
                    "views",
                    None,
                    status="error",
                    reason=f"could not save views: {exc}",
                ).to_dict()
            )
    if observers:  # set metrics (R-precision, FD/KID) see the views while they are in memory
        from mme3dr.metrics import observe_all

        tell("set metrics")
        observe_all(observers, scored.sample, record_scores(scored.record))
    scored.record.timings["total"] = time.perf_counter() - loaded.started
    return scored.record


def score_case_file(
    case: Case,
    asset_path: Path | None,
    opts: CaseOptions = CaseOptions(),
    *,
    observers: list[Any] | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> Record:
    """Load one case's file and score it with :mod:`mme3dr.scoring` (its rules decide every
    number). Never raises for bad input: it becomes the record. ``on_stage`` hears each stage
    (``load``, evaluator names, ``views``) as it starts."""
    loaded = load_case(case, asset_path, opts, on_stage)
    if isinstance(loaded, Record):
        return loaded
    return finish_case(loaded, opts, observers=observers, on_stage=on_stage)


def encoder_indices(plan: CasePlan) -> list[int]:
    """Indices of the planned evaluators that run a learned image encoder whose weights are
    here (:mod:`mme3dr.features.batch`): their views are encoded in batches across cases."""
    return [
        i for i, ev in enumerate(plan.evaluators)
        if uses_encoder(ev, plan.case) and ev.available()
    ]


def _render_for_batch(loaded: LoadedCase, rig: Any, backend: str) -> Any:
    """The case's views for batched encoding, or ``None`` when rendering fails (its evaluators
    then render, and fail, on their own, as on the per-case path)."""
    from mme3dr.render import get_rig, render

    try:
        return render(loaded.asset, rig if rig is not None else get_rig("orbit8"),
                      backend=backend)
    except Exception:  # noqa: BLE001 - MemoryError included: the case's own record says it
        return None


def score_case_batch(
    items: list[tuple[Case, Path | None]],
    opts: CaseOptions,
    observers: list[Any] | None = None,
) -> list[Record]:
    """Score several cases in this process, encoding the views of all of them together
    (:func:`mme3dr.features.batch.encode_batch`), then scoring each case as
    :func:`score_case_file` does. One record per item, in order; a failure stays in its case."""
    from mme3dr.evaluators.base import Sample

    loaded = [load_case(case, path, opts) for case, path in items]
    views: list[Any] = [None] * len(loaded)
    samples, uses, owners = [], [], []
    for i, item in enumerate(loaded):
        if isinstance(item, Record):
            continue
        idx = encoder_indices(item.plan)
        if not idx:
            continue
        views[i] = _render_for_batch(item, opts.rig, opts.backend)
        if views[i] is None:
            continue
        samples.append(Sample(case=item.plan.case, asset=item.asset, rig=opts.rig,
                              device=opts.device, backend=opts.backend, _views=views[i]))
        uses.append([u for j in idx for u in evaluator_uses(item.plan.evaluators[j],
                                                             item.plan.case)])
        owners.append(i)
    if samples:
        try:
            encode_batch(samples, uses, opts.device)
        except MemoryError:  # what was encoded is kept; each other case encodes on its own
            pass
    out: list[Record] = []
    for i, item in enumerate(loaded):
        if isinstance(item, Record):
            out.append(item)
            continue
        out.append(finish_case(item, opts, views=views[i], observers=observers))
        views[i] = None  # free the renders as soon as the case is scored
    return out


@dataclass
class RenderedCase:
    """What a worker sends back for the evaluators it left to this process: their indices in
    the case's plan and the colour renders they read (see :func:`score_case_split`)."""

    indices: tuple[int, ...]
    rgb: Any  # uint8 [V, H, W, 3]
    backend: str
    seconds: float
    asset: str
    provenance: dict[str, Any]


def score_case_split(
    case: Case,
    asset_path: Path | None,
    opts: CaseOptions = CaseOptions(),
    on_stage: Callable[[str], None] | None = None,
) -> tuple[Record, RenderedCase | None]:
    """The worker's half of a case: load, render, score every evaluator that does not run a
    learned image encoder, and hand those that do to the process owning the model
    (:func:`complete_cases`) with the views. ``(record, None)`` when nothing is left over
    (the record is then final); a case whose views cannot be rendered is scored whole here."""
    loaded = load_case(case, asset_path, opts, on_stage)
    if isinstance(loaded, Record):
        return loaded, None
    idx = encoder_indices(loaded.plan)
    if not idx:
        return finish_case(loaded, opts, on_stage=on_stage), None
    if on_stage is not None:
        on_stage("render")
    views = _render_for_batch(loaded, opts.rig, opts.backend)
    if views is None:  # every evaluator meets the render error itself, as on one process
        return finish_case(loaded, opts, on_stage=on_stage), None
    keep = tuple(ev for i, ev in enumerate(loaded.plan.evaluators) if i not in idx)
    local = replace(loaded, plan=replace(loaded.plan, evaluators=keep))
    record = finish_case(local, opts, views=views, on_stage=on_stage)
    if record.status != "ok":  # the case failed as a whole (e.g. out of memory): final
        return failed_record(loaded.plan, record.status, record.error or "",
                             asset=record.asset, timings=record.timings), None
    return record, RenderedCase(
        indices=tuple(idx), rgb=views.rgb, backend=views.backend, seconds=views.seconds,
        asset=str(loaded.path), provenance=dict(loaded.asset.provenance),
    )


@dataclass
class RenderedAsset:
    """This process's stand-in for an asset a worker loaded: its file and provenance. It has
    no mesh and no cache: only evaluators that read views run on it, and their embeddings are
    cached on the views."""

    path: Path
    provenance: dict[str, Any]

    @property
    def name(self) -> str:
        return self.path.name


def merge_split(plan: CasePlan, local: Record, rest: Record, indices: tuple[int, ...]) -> Record:
    """One record from a worker's ``local`` record and the ``rest`` scored here (the
    evaluators at ``indices`` of ``plan``): scores in plan order, suites and overall combined
    again by :mod:`mme3dr.scoring`'s rules, timings added up."""
    n_local = len(plan.evaluators) - len(indices)
    mine, extra = local.scores[:n_local], local.scores[n_local:]
    theirs = iter(rest.scores)
    ours = iter(mine)
    scores = [next(theirs) if i in indices else next(ours) for i in range(len(plan.evaluators))]
    scores += extra  # e.g. a failed contact sheet, after the evaluators as on one process
    suites = combine_suites(record_scores(replace(local, scores=scores)), list(plan.suites))
    timings = dict(local.timings)
    for key in ("evaluate", "total"):
        timings[key] = timings.get(key, 0.0) + rest.timings.get(key, 0.0)
    timings["encode_in_parent"] = rest.timings.get("total", 0.0)
    return replace(local, scores=scores, suites=suites, overall=overall_of(suites),
                   timings=timings)


def load_encoders(cases: list[Case], opts: CaseOptions) -> None:
    """Load the image encoders the evaluators of ``cases`` will run here (a model that is
    missing or does not load is left for its evaluators to report)."""
    from mme3dr.features.clip import load_clip

    seen: set[tuple[str, str | None]] = set()
    for case in cases:
        plan = plan_case(case, opts.suites)
        for i in encoder_indices(plan):
            for use in evaluator_uses(plan.evaluators[i], case):
                if (use.weights, use.checkpoint) in seen:
                    continue
                seen.add((use.weights, use.checkpoint))
                try:
                    load_clip(use.weights, opts.device, use.checkpoint)
                except Exception:  # noqa: BLE001 - the evaluators say why, per case
                    pass


def complete_cases(
    items: list[tuple[Case, Record, RenderedCase]],
    opts: CaseOptions,
) -> list[Record]:
    """This process's half of :func:`score_case_split` for several cases: encode all their
    views in one batch, run the evaluators the workers left, merge. One record per item."""
    from mme3dr.evaluators.base import Sample
    from mme3dr.render.views import ColourViews

    parts = []
    for case, local, rendered in items:
        plan = plan_case(case, opts.suites)
        rest = replace(plan, evaluators=tuple(plan.evaluators[i] for i in rendered.indices))
        asset = RenderedAsset(Path(rendered.asset), rendered.provenance)
        views = ColourViews(rendered.rgb, opts.rig, rendered.backend, rendered.seconds)
        parts.append((plan, rest, local, rendered, asset, views))
    samples = [Sample(case=p[0].case, asset=p[4], rig=opts.rig, device=opts.device,
                      backend=opts.backend, _views=p[5]) for p in parts]
    uses = [[u for ev in p[1].evaluators for u in evaluator_uses(ev, p[0].case)] for p in parts]
    try:
        encode_batch(samples, uses, opts.device)
    except MemoryError:  # what was encoded is kept; each other case encodes on its own
        pass
    out = []
    for plan, rest, local, rendered, asset, views in parts:
        t0 = time.perf_counter()
        try:
            scored = score_loaded(rest, asset, rig=opts.rig, device=opts.device,  # type: ignore[arg-type]
                                  backend=opts.backend, asset_label=rendered.asset, views=views)
            other = scored.record
        except MemoryError:
            reason = f"{rendered.asset}: memory: out of memory while encoding its views"
            other = failed_record(rest, "error", reason, asset=rendered.asset)
            out.append(replace(other, timings={"total": time.perf_counter() - t0}))
            continue
        out.append(merge_split(plan, local, other, rendered.indices))
    return out
