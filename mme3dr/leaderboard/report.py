"""Render a :class:`~mme3dr.leaderboard.tables.Leaderboard` into one self-contained HTML file.

* Everything is inline: CSS in a ``<style>``, one script (``templates/report.js``), plots as
  ``data:image/svg+xml`` images and thumbnails as ``data:image/png`` images. The page loads
  nothing from anywhere: its Content-Security-Policy allows images from ``data:`` only, inline
  styles, and exactly the one script by its SHA-256 hash, so even an unescaped string could not
  run code or reach the network.
* Every user-supplied string (model names, prompts, tags, reasons, metadata) goes through
  Jinja2's autoescaping.
* Every number shown in a table is a ``<span class="num">`` with ``data-t`` (table),
  ``data-g`` (group), ``data-m`` (model), ``data-o`` (opponent) and ``data-c`` (column)
  naming the export row and column it comes from, formatted by :func:`fmt_value`.
* Thumbnails: the saved contact sheet (``views/<case>.png``) is cut to the view whose azimuth is
  closest to 45 degrees (the first view when the rig is unknown) and shrunk to
  :data:`THUMB_PX` pixels.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd

from mme3dr.leaderboard import plots
from mme3dr.leaderboard.load import Comparison, ModelResult
from mme3dr.leaderboard.tables import Leaderboard

TEMPLATES = Path(__file__).resolve().parent / "templates"
THUMB_PX = 176
PAGE_SIZE = 8
RATING_TABLES = ("rating", "judge")
COUNT_COLUMNS = ("rank", "n", "ok", "missing", "error", "wins", "ties", "losses", "passed")
P_COLUMNS = ("p_value", "p_holm")


def fmt_value(table: str, column: str, value: Any) -> str:
    """How the report writes one exported number (the tests hold the HTML to this)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if column in COUNT_COLUMNS:
        return str(int(value))
    if column in P_COLUMNS:
        return "<0.001" if float(value) < 0.001 else f"{float(value):.3f}"
    if table in RATING_TABLES:
        return f"{float(value):.0f}"
    if table == "check" and column == "score":
        return f"{100 * float(value):.0f}%"
    if table in ("paraphrase", "significance"):
        return (
            f"{float(value):+.3f}"
            if column in ("score", "ci_low", "ci_high")
            else (f"{float(value):.3f}")
        )
    return f"{float(value):.3f}"


def data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def thumbnail(model: ModelResult, case_id: str) -> str | None:
    """A PNG data URI cut from the model's saved contact sheet for the case, or ``None``."""
    path = model.view_path(case_id)
    if path is None:
        return None
    from PIL import Image

    try:
        sheet = Image.open(path).convert("RGB")
    except OSError:
        return None
    rig = model.stamp.get("rig") or {}
    res = int(rig.get("resolution") or 0)
    n_views = int(rig.get("n_views") or 0)
    azimuths = list(rig.get("azimuths_deg") or [])
    if res <= 0 or res > sheet.width or n_views <= 0:
        res = min(sheet.width, sheet.height)
        index, columns = 0, 1
    else:
        columns = max(1, sheet.width // res)
        index = (
            int(np.argmin([abs(((a - 45) + 180) % 360 - 180) for a in azimuths]))
            if (azimuths)
            else 0
        )
    row_h = sheet.height // max(1, math.ceil(n_views / columns)) if n_views else sheet.height
    x, y = (index % columns) * res, (index // columns) * row_h + max(0, row_h - res)
    tile = sheet.crop((x, y, x + res, y + res))
    tile.thumbnail((THUMB_PX, THUMB_PX))
    buf = io.BytesIO()
    tile.save(buf, format="PNG", optimize=True)
    return data_uri(buf.getvalue(), "image/png")


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
        for row in df.to_dict(orient="records")
    ]


def matrix(df: pd.DataFrame, names: list[str]) -> list[dict[str, Any]]:
    """Long (group, model) rows to one row per group with a cell per model."""
    out = []
    for group in dict.fromkeys(df["group"]) if not df.empty else []:
        sub = {r["model"]: r for r in _records(df[df["group"] == group])}
        out.append({"group": group, "cells": [sub.get(n) for n in names]})
    return out


def pairwise_matrix(df: pd.DataFrame, names: list[str]) -> list[dict[str, Any]]:
    cells = {(r["model"], r["opponent"]): r for r in _records(df)} if not df.empty else {}
    return [{"model": a, "cells": [cells.get((a, b)) for b in names]} for a in names]


def _error_rows(df: pd.DataFrame, names: list[str]) -> list[dict[str, Any]]:
    """The error tally grouped per model, in model order (models with nothing to tally too)."""
    rows = _records(df)
    return [{"model": n, "rows": [r for r in rows if r["model"] == n]} for n in names]


def _model_info(m: ModelResult, color: str) -> dict[str, Any]:
    st = m.stamp
    rig = st.get("rig") or {}
    return {
        "name": m.name,
        "color": color,
        "path": str(m.path),
        "version": st.get("version", "?"),
        "created": st.get("created", "?"),
        "rig": rig.get("name", "?"),
        "renderer": st.get("renderer", "?"),
        "meta_json": json.dumps(m.meta, indent=2, ensure_ascii=False, sort_keys=True),
    }


def card_checks(scores: list[dict[str, Any]]) -> dict[str, Any]:
    """A gallery card's evaluator results, in the order the card shows them.

    ``results``: every evaluator that produced a result (``status`` ok), failed verdicts
    first, then ungraded scores, then passed ones; ``errors``: evaluators that errored (they
    score 0 in their suite); ``not_applicable`` and ``skipped``: names only, each collapsed into
    one line on the card, with their distinct reasons (``skip_reasons``) folded beneath."""
    items = [
        {
            "name": sc.get("evaluator", "?"),
            "suite": sc.get("suite", ""),
            "passed": sc.get("passed"),
            "status": sc.get("status", "ok"),
            "score": sc.get("score"),
            "reason": sc.get("reason") or "",
        }
        for sc in scores
        if sc.get("evaluator") != "save_views" or sc.get("status") == "error"
    ]
    rank = {False: 0, None: 1, True: 2}
    results = sorted(
        (c for c in items if c["status"] == "ok"), key=lambda c: rank[_verdict(c["passed"])]
    )
    skipped = [c for c in items if c["status"] == "skipped"]
    not_applicable = [c for c in items if c["status"] == "not_applicable"]
    return {
        "results": results,
        "errors": [c for c in items if c["status"] == "error"],
        "skipped": [c["name"] for c in skipped],
        "skip_reasons": list(dict.fromkeys(c["reason"] for c in skipped if c["reason"])),
        "not_applicable": not_applicable,
    }


def _verdict(passed: Any) -> bool | None:
    return None if passed is None else bool(passed)


def gallery(comp: Comparison) -> list[dict[str, Any]]:
    """One entry per case: prompt and, per model, thumbnail, check results and scores."""
    out = []
    for info in comp.cases:
        entries = []
        for m in comp.models:
            rec = m.records[info.case_id]
            entries.append(
                {
                    "model": m.name,
                    "status": rec.status,
                    "thumb": thumbnail(m, info.case_id) if rec.status == "ok" else None,
                    "overall": rec.overall,
                    "suites": list(rec.suites.items()),
                    "checks": card_checks(rec.scores),
                    "error": rec.error if rec.status != "ok" else None,
                }
            )
        statuses = sorted({e["status"] for e in entries})
        out.append(
            {
                "id": info.case_id,
                "prompt": info.prompt,
                "category": info.category,
                "difficulty": info.difficulty,
                "tags": list(info.tags),
                "statuses": " ".join(statuses),
                "search": " ".join([info.case_id, info.prompt, *info.tags]).lower(),
                "entries": entries,
            }
        )
    return out


def _plots(lb: Leaderboard) -> dict[str, str | None]:
    names = lb.comparison.names
    t = lb.tables
    svg = "image/svg+xml"
    out: dict[str, str | None] = {
        "overall": data_uri(
            plots.overall_bars(t["overall"], names, "Overall score, 95% interval"), svg
        ),
        "suite": None,
        "category": None,
        "difficulty": None,
        "check": None,
        "paraphrase": None,
    }
    if not t["suite"].empty:
        out["suite"] = data_uri(
            plots.grouped_bars(t["suite"], names, "Per-suite mean, 95% interval"), svg
        )
    if not t["category"].empty:
        out["category"] = data_uri(
            plots.radar(t["category"], names, "Per-category mean overall score"), svg
        )
    if not t["difficulty"].empty:
        out["difficulty"] = data_uri(
            plots.grouped_bars(t["difficulty"], names, "Per-difficulty mean overall, 95% interval"),
            svg,
        )
    if not t["check"].empty:
        out["check"] = data_uri(plots.check_heatmap(t["check"], names, "Check pass rate (%)"), svg)
    if not t["paraphrase"].empty:
        out["paraphrase"] = data_uri(
            plots.paraphrase_gap(t["paraphrase"], names, "Paraphrase gap, 95% interval"), svg
        )
    return out


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fmt"] = lambda v, table, col: fmt_value(table, col, v)
    return env


def render_html(lb: Leaderboard, title: str = "mme3dr leaderboard") -> str:
    """The complete report as one HTML string."""
    comp = lb.comparison
    names = comp.names
    colors = plots.model_colors(names)
    script = (TEMPLATES / "report.js").read_text(encoding="utf-8")
    script_hash = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    t = lb.tables
    cs = comp.case_set
    context = {
        "title": title,
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "case_set": {
            "name": cs.get("name", "?"),
            "version": cs.get("version", "?"),
            "sha": str(cs.get("sha256", ""))[:12],
        },
        "n_cases": len(comp.cases),
        "names": names,
        "colors": colors,
        "models": [_model_info(m, colors[m.name]) for m in comp.models],
        "notes": comp.notes + lb.extra_notes(),
        "settings": lb.settings,
        "overall": _records(t["overall"]),
        "suite": matrix(t["suite"], names),
        "category": matrix(t["category"], names),
        "difficulty": matrix(t["difficulty"], names),
        "significance": _records(t["significance"]),
        "errors": _error_rows(t["errors"], names),
        "tag": matrix(t["tag"], names),
        "pairwise": pairwise_matrix(t["pairwise"], names),
        "rating": _records(t["rating"]),
        "judge": _records(t["judge"]) if "judge" in t else None,
        "check": matrix(t["check"], names),
        "check_suites": (
            dict(zip(t["check"]["group"], t["check"]["suite"], strict=True))
            if not t["check"].empty
            else {}
        ),
        "paraphrase": _records(t["paraphrase"]),
        "n_pairs": len(lb.paraphrase_pairs),
        "plots": _plots(lb),
        "gallery": gallery(comp),
        "categories": list(dict.fromkeys(c.category for c in comp.cases)),
        "page_size": PAGE_SIZE,
        "script": script,
        "csp": (
            "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
            f"script-src 'sha256-{script_hash}'; base-uri 'none'; form-action 'none'"
        ),
    }
    return _environment().get_template("report.html.j2").render(**context)


def write_report(lb: Leaderboard, out: Path, title: str = "mme3dr leaderboard") -> Path:
    """Write the HTML report to ``out`` (parents created); returns the path."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(lb, title), encoding="utf-8")
    return out
