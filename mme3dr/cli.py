"""``mme3dr``: a thin typer app over the library. Usage errors exit 2 with one line."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from mme3dr import __version__
from mme3dr.errors import AssetError, CaseError, ConfigError

app = typer.Typer(
    name="mme3dr",
    help="MME-3DR: evaluate text-to-3D outputs on verifiable, reproducible 3D-reasoning cases.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
cases_app = typer.Typer(help="List, show, validate and count case sets.", no_args_is_help=True)
app.add_typer(cases_app, name="cases")

console = Console()
err = Console(stderr=True, soft_wrap=True, highlight=False)  # messages never wrap mid-path


def _fail(message: str, code: int = 2) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        console.print(f"mme3dr {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print version.")
    ] = False,
) -> None:
    """MME-3DR benchmark toolkit."""


@app.command("eval")
def eval_cmd(
    model_dir: Annotated[Path, typer.Argument(help="Folder of <case_id>.<ext> meshes.")],
    cases: Annotated[str, typer.Option(help="Bundled set name or JSONL path.")] = "starter",
    suites: Annotated[
        str | None, typer.Option(help="Comma-separated suites (default: each case's own).")
    ] = None,
    out: Annotated[Path, typer.Option(help="Results root; writes OUT/<model>/.")] = Path("results"),
    rig: Annotated[str, typer.Option(help="Camera rig preset for view-based evaluators.")] = (
        "orbit8"
    ),
    device: Annotated[str, typer.Option(help="cpu or cuda (learned evaluators).")] = "cpu",
    backend: Annotated[str, typer.Option(help="Renderer backend: gl or pytorch3d.")] = "gl",
    shard: Annotated[str | None, typer.Option(help="K/N: run every N-th case from K.")] = None,
    resume: Annotated[bool, typer.Option(help="Skip cases already in results.jsonl.")] = False,
    overwrite: Annotated[bool, typer.Option(help="Discard existing results first.")] = False,
    up_axis: Annotated[
        str | None, typer.Option(help="Source up axis (+y, +z, ...); overrides model.json.")
    ] = None,
    name: Annotated[str | None, typer.Option(help="Model name (default: model.json or dir).")] = (
        None
    ),
    save_views: Annotated[bool, typer.Option(help="Save a contact sheet per case.")] = False,
    max_faces: Annotated[int, typer.Option(help="Refuse meshes with more faces.")] = 2_000_000,
    max_mb: Annotated[float, typer.Option(help="Refuse files larger than this (MiB).")] = 256.0,
    load_timeout: Annotated[
        float, typer.Option(help="Seconds allowed to parse one file (0: no limit).")
    ] = 60.0,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
    workers: Annotated[
        int | None,
        typer.Option(help="Worker processes (default: every usable core; 1: in this process)."),
    ] = None,
    case_timeout: Annotated[
        float, typer.Option(help="Seconds one case may take in a worker (then: error timeout).")
    ] = 30.0,
    case_memory: Annotated[
        int | None,
        typer.Option(help="MB one worker may use (default: half the RAM over the workers)."),
    ] = None,
    encode_batch: Annotated[
        int,
        typer.Option(help="Cases whose views learned encoders embed in one batch (parent)."),
    ] = 8,
    reference: Annotated[
        Path | None,
        typer.Option(help="Folder of reference meshes: FD/KID on Inception and DINOv2 features."),
    ] = None,
    weights: Annotated[
        list[str] | None,
        typer.Option(help="NAME=PATH checkpoint for weights NAME (repeatable; `weights list`)."),
    ] = None,
    vlm_endpoint: Annotated[
        str | None, typer.Option(help="OpenAI-compatible base URL: enables the VLM judges.")
    ] = None,
    vlm_model: Annotated[str, typer.Option(help="Model name sent to the VLM endpoint.")] = (
        "default"
    ),
    protocol: Annotated[
        str | None,
        typer.Option(help="Paper protocol preset (e.g. 3dgen-r1): its rig, suites, columns."),
    ] = None,
) -> None:
    """Evaluate a folder of generated meshes; writes results.jsonl and summary.json."""
    from mme3dr.assets import LoadLimits
    from mme3dr.runner import EvalConfig, parse_shard, run_eval
    from mme3dr.workers import usable_cores

    try:
        preset = None
        if protocol:
            from mme3dr.protocols import get_protocol, resolve_run_options

            preset = get_protocol(protocol)
            given = tuple(s.strip() for s in suites.split(",") if s.strip()) if suites else None
            rig, chosen = resolve_run_options(preset, rig, given)
            suites = ",".join(chosen)
        cfg = EvalConfig(
            model_dir=model_dir,
            cases=cases,
            suites=tuple(s.strip() for s in suites.split(",") if s.strip()) if suites else None,
            out_dir=out,
            rig=rig,
            device=device,
            backend=backend,
            shard=parse_shard(shard) if shard else None,
            resume=resume,
            overwrite=overwrite,
            up_axis=up_axis,
            limits=LoadLimits(
                max_bytes=int(max_mb * 1024 * 1024), max_faces=max_faces, timeout_s=load_timeout
            ),
            save_views=save_views,
            model_name=name,
            reference=reference,
            workers=workers if workers is not None else usable_cores(),
            case_timeout=case_timeout,
            case_memory_mb=case_memory,
            encode_batch=encode_batch,
        )
        _configure_learned(weights or [], vlm_endpoint, vlm_model, reference)
        if resume and overwrite:
            raise ConfigError("--resume and --overwrite cannot be used together")
        outcome = run_eval(cfg, progress=not quiet and sys.stderr.isatty())
    except (ConfigError, CaseError) as exc:
        _fail(str(exc))
        return
    print_summary(outcome.summary)
    if preset is not None:
        from mme3dr.protocols import apply_protocol, format_columns

        outcome.summary["protocol"] = apply_protocol(outcome.out_dir, preset)
        console.print(format_columns(outcome.summary["protocol"]), highlight=False)
    console.print(
        f"results: {outcome.out_dir}/results.jsonl  summary: {outcome.out_dir}/summary.json"
    )
    if outcome.skipped_existing:
        console.print(f"resumed: {outcome.skipped_existing} case(s) were already recorded")
    warn_missing(outcome.summary)
    warn_skipped(outcome.summary)
    warn_folder(model_dir, cases)
    if outcome.interrupted:
        err.print(
            "[bold yellow]interrupted[/]: finished cases are saved; "
            "rerun the same command with --resume to continue"
        )
        raise typer.Exit(130)


def _configure_learned(
    weights: list[str], vlm_endpoint: str | None, vlm_model: str, reference: Path | None
) -> None:
    """Apply --weights overrides and the VLM endpoint for this process (ConfigError if bad)."""
    from mme3dr import weights as weights_mod
    from mme3dr.evaluators import vlm_judge

    try:
        for wname, path in weights_mod.parse_overrides(weights).items():
            weights_mod.set_override(wname, path)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    if reference is not None and not reference.is_dir():
        raise ConfigError(f"--reference {reference}: not a folder")
    vlm_judge.configure(vlm_endpoint, vlm_model)


def warn_skipped(summary: dict[str, Any]) -> None:
    """One line per skipped evaluator or set metric: what is missing and how to fix it."""
    for evaluator, reason in summary.get("skipped_evaluators", {}).items():
        err.print(f"[yellow]skipped[/] {evaluator}: {escape(str(reason))}", highlight=False,
                  soft_wrap=True)
    for metric, res in summary.get("set_metrics", {}).items():
        if res.get("status") in ("skipped", "error"):
            why = escape(str(res.get("reason", "")))
            err.print(
                f"[yellow]{res['status']}[/] set metric {metric}: {why}",
                highlight=False,
                soft_wrap=True,
            )
        elif res.get("status") == "ok":
            shown = {k: v for k, v in res.items() if k.startswith("r@")}
            for part in ("inception", "dinov2"):
                sub = res.get(part)
                if isinstance(sub, dict) and sub.get("status") == "ok":
                    shown[f"{part} FD"] = round(sub["fd"], 4)
                    shown[f"{part} KID"] = f"{sub['kid_mean']:.5f} ± {sub['kid_std']:.5f}"
                elif isinstance(sub, dict):
                    err.print(
                        f"[yellow]skipped[/] {metric} {part}: {escape(str(sub.get('reason', '')))}",
                        highlight=False,
                        soft_wrap=True,
                    )
            if shown:
                console.print(f"{metric}: {shown}", highlight=False)


def _fmt(v: Any) -> str:
    return "—" if v is None else f"{v:.3f}"


def print_summary(summary: dict[str, Any]) -> None:
    """Tables of suite, category and check results."""
    c = summary.get("counts", {})
    model = summary.get("stamp", {}).get("model", {}).get("name", "?")
    table = Table(title=f"{model}: overall {_fmt(summary.get('overall'))}", title_justify="left")
    table.add_column("suite")
    table.add_column("mean", justify="right")
    table.add_column("cases", justify="right")
    for suite, s in summary.get("suites", {}).items():
        table.add_row(suite, _fmt(s["mean"]), str(s["n"]))
    console.print(table)
    cat = Table(show_header=True)
    cat.add_column("category")
    cat.add_column("mean", justify="right")
    cat.add_column("cases", justify="right")
    for name, s in summary.get("categories", {}).items():
        cat.add_row(name, _fmt(s["mean"]), str(s["n"]))
    console.print(cat)
    checks = summary.get("checks", {})
    if checks:
        ct = Table(show_header=True)
        ct.add_column("evaluator / check")
        ct.add_column("mean score", justify="right")
        ct.add_column("pass rate", justify="right")
        ct.add_column("n", justify="right")
        ct.add_column("errors", justify="right")
        for name, s in checks.items():
            ct.add_row(
                name, _fmt(s["mean_score"]), _fmt(s["pass_rate"]), str(s["n"]), str(s["errors"])
            )
        console.print(ct)
    console.print(
        f"cases: {summary.get('n_cases', 0)}  ok: {c.get('ok', 0)}  "
        f"missing: {c.get('missing', 0)}  error: {c.get('error', 0)}"
    )


def warn_folder(model_dir: Path, cases: str) -> None:
    """Files of the model folder that match no case id, and cases with several meshes."""
    from mme3dr.cases import load_cases
    from mme3dr.model_dir import folder_hints

    ids = [c.id for c in load_cases(cases, validate_checks=False).cases]
    for line in folder_hints(model_dir, ids):
        err.print(f"[bold yellow]note[/]: {line}", highlight=False, soft_wrap=True)


def warn_missing(summary: dict[str, Any]) -> None:
    """Loud warnings for missing and errored cases (they score 0)."""
    missing = summary.get("missing", [])
    errors = summary.get("errors", {})
    if missing:
        shown = ", ".join(missing[:20]) + (" ..." if len(missing) > 20 else "")
        err.print(
            f"[bold red]WARNING: {len(missing)} case(s) have no asset and score 0:[/] {shown}",
            highlight=False,
        )
    for cid, reason in list(errors.items())[:20]:
        err.print(f"[bold red]error[/] {cid}: {reason}", highlight=False, soft_wrap=True)
    if len(errors) > 20:
        err.print(f"... and {len(errors) - 20} more errors (see results.jsonl)")


@app.command()
def render(
    asset: Annotated[Path, typer.Argument(help="Mesh file to render.")],
    out: Annotated[Path, typer.Option(help="Output folder for PNGs.")] = Path("renders"),
    rig: Annotated[str, typer.Option(help="Rig preset.")] = "orbit8",
    resolution: Annotated[int | None, typer.Option(help="Override the rig's resolution.")] = None,
    backend: Annotated[str, typer.Option(help="gl or pytorch3d.")] = "gl",
    up_axis: Annotated[str | None, typer.Option(help="Source up axis.")] = None,
) -> None:
    """Render a mesh with a rig: RGB, normals, depth and mask per view, plus a contact sheet."""
    from mme3dr.assets import load_asset
    from mme3dr.render import check_backend, get_rig
    from mme3dr.render import render as render_views

    try:
        check_backend(backend)
        the_rig = get_rig(rig)
        if resolution is not None:
            the_rig = the_rig.with_(resolution=resolution)
    except (ConfigError, ValueError) as exc:
        _fail(str(exc))
        return
    try:
        loaded = load_asset(asset, up_axis=up_axis)
    except AssetError as exc:
        _fail(str(exc))
        return
    views = render_views(loaded, the_rig, backend=backend)
    paths = views.save(out)
    console.print(f"wrote {len(paths)} files to {out} ({views.seconds:.2f} s to render)")


@app.command()
def merge(
    dirs: Annotated[list[Path], typer.Argument(help="Shard folders, or one model folder.")],
    out: Annotated[Path | None, typer.Option(help="Where to write the merged result.")] = None,
) -> None:
    """Join shard outputs (``shard-K-of-N`` folders) into one results.jsonl and summary.json."""
    from mme3dr.results import merge_result_dirs

    shard_dirs: list[Path] = []
    for d in dirs:
        found = sorted(d.glob("shard-*-of-*"))
        shard_dirs.extend(found if found else [d])
    if out is None:
        if len(dirs) != 1:
            _fail("--out is required when merging several folders")
        out = dirs[0]
    try:
        summary = merge_result_dirs(shard_dirs, out)
    except ConfigError as exc:
        _fail(str(exc))
        return
    console.print(f"merged {len(shard_dirs)} shard(s) into {out}")
    if summary.get("incomplete"):
        err.print(f"[bold yellow]warning[/]: {summary['incomplete']}")
    print_summary(summary)


@app.command()
def checks(
    markdown: bool = typer.Option(
        False, "--markdown",
        help="Print the table of check units (parameters with types and defaults, weight, "
        "version, robust_to), as in docs/checks.md.",
    ),
) -> None:
    """List every registered evaluator and check, grouped by suite, with its parameters."""
    from mme3dr.evaluators import registry
    from mme3dr.evaluators.base import SUITES
    from mme3dr.evaluators.check import Check, markdown_table

    if markdown:
        units = [registry.get(n) for n in registry.known_names()]
        typer.echo(markdown_table([c for c in units if issubclass(c, Check)]), nl=False)
        return
    width = _text_width()
    by_suite: dict[str, list[Any]] = {}
    for name in registry.known_names():
        cls = registry.get(name)
        by_suite.setdefault(cls.suite, []).append(cls)
    order = [s for s in SUITES if s in by_suite] + sorted(set(by_suite) - set(SUITES))
    lines = _wrap(
        "Evaluators by suite (* runs by default; vN is the evaluator version).", width, ""
    )
    for suite in order:
        lines += ["", f"{suite} ({len(by_suite[suite])})"]
        for cls in sorted(by_suite[suite], key=lambda c: c.name):
            lines.append(f"  {cls.name}{' *' if cls.runs_by_default else ''}  v{cls.version}")
            lines += _wrap(cls.description or "(no description)", width, "      ")
            params = ", ".join(evaluator_params(cls)) or "none"
            lines += _wrap(f"params: {params}", width, "          ", "      ")
    typer.echo("\n".join(lines))


def _text_width() -> int:
    """Columns to wrap plain-text listings to: the terminal's (``$COLUMNS``), at most 100."""
    import shutil

    return max(40, min(100, shutil.get_terminal_size((80, 24)).columns))


def _wrap(text: str, width: int, indent: str, first: str | None = None) -> list[str]:
    """``text`` wrapped to ``width`` columns; long words (paths) are broken, never overflow."""
    import textwrap

    return textwrap.wrap(
        text,
        width=width,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=True,
        break_on_hyphens=False,
    ) or [indent.rstrip()]


def evaluator_params(cls: type) -> list[str]:
    """An evaluator's keyword parameters as ``name=default`` (``name`` when required): a check
    unit's from its ``schema`` (:mod:`mme3dr.evaluators.check`); another evaluator's from the
    ``__init__`` signatures along its class hierarchy up to ``Evaluator``. An evaluator taking
    other free-form keywords that it validates itself ends with ``other keywords (see
    description)``."""
    import inspect

    from mme3dr.evaluators.base import Evaluator
    from mme3dr.evaluators.check import Check

    if issubclass(cls, Check):  # a check unit declares its parameters in its schema
        return [k if f.required else f"{k}={f.default!r}" for k, f in cls.schema.items()]
    out: dict[str, str] = {}
    free = False
    for klass in cls.__mro__:
        if klass is Evaluator or not issubclass(klass, Evaluator):
            break
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        params = list(inspect.signature(init).parameters.values())[1:]
        for p in params:
            if p.kind is p.KEYWORD_ONLY and p.name not in out:
                out[p.name] = p.name if p.default is p.empty else f"{p.name}={p.default!r}"
        if not any(p.kind is p.VAR_KEYWORD for p in params):
            break
        free = free or not hasattr(cls, "extra_params")
    return list(out.values()) + (["other keywords (see description)"] if free else [])


def _load(spec: str) -> Any:
    from mme3dr.cases import load_cases

    try:
        return load_cases(spec)
    except CaseError as exc:
        _fail(str(exc))


@cases_app.command("list")
def cases_list(
    spec: Annotated[str, typer.Argument(help="Set name or JSONL path.")] = "starter",
) -> None:
    """One line per case: id, category, checks, prompt."""
    cs = _load(spec)
    for c in cs.cases:
        names = ",".join(ch["check"] for ch in c.checks) or "-"
        console.print(f"{c.id}\t{c.category}\t{names}\t{c.prompt}", highlight=False)


@cases_app.command("show")
def cases_show(
    case_id: Annotated[str, typer.Argument(help="Case id.")],
    spec: Annotated[str, typer.Option("--cases", help="Set name or JSONL path.")] = "starter",
) -> None:
    """Print one case as JSON."""
    cs = _load(spec)
    case = cs.by_id().get(case_id)
    if case is None:
        _fail(f"no case {case_id!r} in {cs.path}")
        return
    console.print_json(json.dumps(case.to_dict()))


@cases_app.command("validate")
def cases_validate(
    specs: Annotated[list[str] | None, typer.Argument(help="Sets or paths (default: all).")] = None,
) -> None:
    """Validate case files (every bundled set by default); exit 1 on any problem."""
    from mme3dr.cases import bundled_sets, load_cases

    targets = specs or list(bundled_sets())
    bad = 0
    for spec in targets:
        try:
            cs = load_cases(spec)
        except CaseError as exc:
            bad += 1
            err.print(f"[bold red]invalid[/] {spec}: {exc}", highlight=False)
            continue
        console.print(
            f"ok {cs.name}: {len(cs.cases)} cases, version {cs.version}, sha256 {cs.sha256[:12]}"
        )
    if bad:
        raise typer.Exit(1)


@cases_app.command("stats")
def cases_stats(
    spec: Annotated[str, typer.Argument(help="Set name or JSONL path.")] = "starter",
) -> None:
    """Counts per category, suite, tag and check."""
    cs = _load(spec)
    counters = {
        "category": Counter(c.category for c in cs.cases),
        "suite": Counter(s for c in cs.cases for s in c.suites),
        "tag": Counter(t for c in cs.cases for t in c.tags),
        "check": Counter(ch["check"] for c in cs.cases for ch in c.checks),
    }
    with_checks = sum(1 for c in cs.cases if c.checks)
    console.print(
        f"{cs.name} v{cs.version}: {len(cs.cases)} cases, {with_checks} with checks "
        f"({100 * with_checks / max(1, len(cs.cases)):.0f}%), sha256 {cs.sha256[:12]}"
    )
    for title, counter in counters.items():
        t = Table(title=title, title_justify="left")
        t.add_column(title)
        t.add_column("count", justify="right")
        for k, v in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])):
            t.add_row(k, str(v))
        console.print(t)


# `mme3dr leaderboard`: the comparison report (the command lives in the leaderboard package).
from mme3dr.leaderboard.cli import leaderboard_command  # noqa: E402

app.command("leaderboard")(leaderboard_command)


# `mme3dr weights list|fetch`: the learned evaluators' weights (see mme3dr/weights.py).
weights_app = typer.Typer(
    help="List and fetch the learned evaluators' weights.", no_args_is_help=True
)
app.add_typer(weights_app, name="weights")


@weights_app.command("list")
def weights_list() -> None:
    """Every weights entry: whether it is present here, what uses it and how to get it."""
    from mme3dr.weights import CATALOGUE, mme3dr_home, status

    width = _text_width()
    found = {name: status(name) for name in CATALOGUE}
    n_ok = sum(ok for ok, _ in found.values())
    lines = _wrap(
        f"weights in MME3DR_HOME={mme3dr_home()}: {n_ok} of {len(CATALOGUE)} present", width, ""
    )
    for wname, spec in CATALOGUE.items():
        ok, where = found[wname]
        size = f"  (~{spec.size_mb} MB)" if spec.size_mb else ""
        lines += ["", f"{wname}  present: {'yes' if ok else 'no'}{size}"]
        lines += _wrap(spec.description or f"{spec.arch} {spec.tag}".strip(), width, "    ")
        lines += _wrap(", ".join(spec.used_by) or "-", width, " " * 13, "    used by: ")
        if ok:
            lines += _wrap(where, width, " " * 13, "    at:      ")
        else:
            lines += _weights_hints(wname, spec, width)
    typer.echo("\n".join(lines))


def _weights_hints(wname: str, spec: Any, width: int) -> list[str]:
    """How to get missing weights: fetch, copy the file(s) into place, or pass a path."""
    from mme3dr.weights import weights_dir

    pad = " " * 13
    where = str(weights_dir(wname)) + "/"
    what = "the model folder as" if spec.kind == "hf_model" else " or ".join(spec.files[:2])
    return [
        *_wrap(f"mme3dr weights fetch {wname}", width, pad, "    fetch:   "),
        *_wrap(f"{what} in", width, pad, "    or put:  "),
        *_wrap(where, width, pad, pad),
        *_wrap(f"--weights {wname}=PATH", width, pad, "    or pass: "),
    ]


@weights_app.command("fetch")
def weights_fetch(
    names: Annotated[list[str], typer.Argument(help="Weights names (see `mme3dr weights list`).")],
) -> None:
    """Download weights into $MME3DR_HOME/weights/NAME (needs network access)."""
    from mme3dr.weights import CATALOGUE, fetch

    bad = [n for n in names if n not in CATALOGUE]
    if bad:
        _fail(f"unknown weights {', '.join(bad)}; known: {', '.join(CATALOGUE)}")
    failed = 0
    for wname in names:
        try:
            path = fetch(wname)
        except RuntimeError as exc:
            failed += 1
            err.print(f"[bold red]failed[/] {wname}: {exc}", highlight=False, soft_wrap=True)
            continue
        console.print(f"fetched {wname}: {path}")
    if failed:
        raise typer.Exit(1)


# --- `mme3dr train`: the Hi-GRPO trainer (trainers/cli.py; imports torch only when run) ---
from trainers.cli import train_cmd as _train_cmd  # noqa: E402

app.command("train")(_train_cmd)


# --- `mme3dr audit`: evaluators vs asset-side attacks (mme3dr/audit.py, docs/audit.md) ---
@app.command("audit")
def audit_cmd(
    reference_dir: Annotated[
        Path | None,
        typer.Argument(help="Folder of honest <case_id>.<ext> meshes (default: the bundled "
                       "set's procedural reference).", show_default=False),
    ] = None,
    suites: Annotated[
        str | None, typer.Option(help="Comma-separated suites (default: each case's own).")
    ] = None,
    cases: Annotated[str, typer.Option(help="Bundled set name or JSONL path.")] = "mme3dr",
    up_axis: Annotated[
        str | None, typer.Option(help="REFERENCE_DIR's up axis; overrides its model.json.")
    ] = None,
    n: Annotated[int, typer.Option(help="Cases to sample (0: every case with a reference).")] = 24,
    seed: Annotated[int, typer.Option(help="Seeds the case sample and the attacks.")] = 0,
    attacks: Annotated[
        str | None, typer.Option(help="Comma-separated attacks (default: all).")
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the rows as JSON.")
    ] = None,
) -> None:
    """Score honest reference assets and every asset-side attack; exit 1 if a claim fails."""
    from mme3dr.audit import (
        claim_failures,
        describe,
        folder_builders,
        pivot,
        run_audit,
        summary_line,
    )
    from mme3dr.cases import load_cases
    from mme3dr.evaluators.base import SUITES

    split = lambda s: tuple(x.strip() for x in s.split(",") if x.strip())  # noqa: E731
    if n < 0:
        _fail(f"--n must be >= 0 (0: every case with a reference), got {n}")
    bad = [s for s in split(suites or "") if s not in SUITES]
    if bad:
        _fail(f"unknown suite(s) {', '.join(bad)}; known: {', '.join(SUITES)}")
    if reference_dir is not None and not reference_dir.is_dir():
        _fail(f"{reference_dir}: not a folder (REFERENCE_DIR holds <case_id>.<ext> meshes)")
    if up_axis is not None and reference_dir is None:
        _fail("--up-axis applies to a REFERENCE_DIR; the bundled reference is +Z up")
    from mme3dr.assets import UP_AXES

    if up_axis is not None and up_axis not in UP_AXES:
        _fail(f"--up-axis must be one of {', '.join(UP_AXES)}, got {up_axis!r}")
    try:
        case_set = load_cases(cases)
        builders = (folder_builders(reference_dir, case_set, up_axis=up_axis)
                    if reference_dir is not None else None)
        table = run_audit(
            case_set,
            suites=split(suites) if suites else None,
            n_cases=n or None,
            seed=seed,
            attacks=split(attacks) if attacks else None,
            builders=builders,
        )
    except (CaseError, ConfigError, KeyError) as exc:
        _fail(str(exc.args[0]) if isinstance(exc, KeyError) else str(exc))
        return
    for case_id, reason in table.attrs.get("unusable", {}).items():
        err.print(f"[yellow]left out[/] {case_id}: {escape(reason)}", highlight=False)
    if table.empty:
        where = f"{reference_dir}" if reference_dir is not None else f"the {cases!r} reference"
        _fail(f"no case of {cases!r} has a usable honest mesh in {where} to audit")
    grid = pivot(table)
    t = Table(
        title="honest win rate over attack (mean margin); * claim holds, ! claim fails",
        title_justify="left",
    )
    t.add_column("evaluator")
    for col in grid.columns:
        t.add_column(col.replace("_", " "), justify="right")
    for ev, row in grid.iterrows():
        t.add_row(str(ev), *[str(v) for v in row.values])
    Console(width=max(console.width, 190)).print(t)
    console.print(summary_line(table), highlight=False)
    if json_out is not None:
        json_out.write_text(json.dumps(describe(table), indent=2, default=str) + "\n")
    if not claim_failures(table).empty:
        raise typer.Exit(1)


if __name__ == "__main__":  # after every command above is registered
    app()
