"""Evaluation protocols of published papers, as data: a rig, suites and summary columns.

``mme3dr eval --protocol NAME`` runs with the protocol's rig and suites (the reference set is
still ``--reference DIR``) and then writes ``summary["protocol"]``: the paper's columns, named
as in the paper, computed from the run's records and set metrics, with each column's
definition and scale. See ``docs/learned.md`` for where a paper's released script differs
from the paper and which one a preset follows.

A column's ``source`` is ``"case:<evaluator>"`` (the mean of that evaluator's ``value`` over the
cases where it scored ``ok``) or ``"set:<metric>.<part>.<field>"`` (a number of
``summary["set_metrics"]``, e.g. ``set:reference.inception.kid_mean``), multiplied by
``scale``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mme3dr.errors import ConfigError


@dataclass(frozen=True)
class Column:
    """One summary column: ``name`` as the paper prints it, where the number comes from."""

    name: str
    source: str
    scale: float = 1.0
    definition: str = ""
    lower_is_better: bool = False


@dataclass(frozen=True)
class Protocol:
    """A paper's evaluation protocol."""

    name: str
    paper: str
    rig: str
    suites: tuple[str, ...]
    columns: tuple[Column, ...]
    follows: str
    differences: tuple[str, ...] = ()
    needs_reference: bool = True
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "paper": self.paper,
            "rig": self.rig,
            "suites": list(self.suites),
            "follows": self.follows,
            "differences_from_released_script": list(self.differences),
            "columns": {
                c.name: {
                    "source": c.source,
                    "scale": c.scale,
                    "definition": c.definition,
                    "lower_is_better": c.lower_is_better,
                }
                for c in self.columns
            },
        }


PROTOCOLS: dict[str, Protocol] = {
    p.name: p
    for p in (
        Protocol(
            name="3dgen-r1",
            paper="3DGen-R1, Table 4 (CLIP score and reference-set KD/FD)",
            rig="orbit24_299",
            suites=("alignment",),
            follows="the paper's stated protocol",
            columns=(
                Column(
                    "CLIP",
                    "case:clip_score",
                    1.0,
                    "CLIP ViT-B/32 (OpenAI) score 100*max(cos, 0) per view, mean over the 24 "
                    "views, mean over cases",
                ),
                Column(
                    "KD_incep",
                    "set:reference.inception.kid_mean",
                    100.0,
                    "KID x100: unbiased polynomial-kernel MMD^2 on TF-FID Inception pool "
                    "features, model views vs reference views",
                    lower_is_better=True,
                ),
                Column(
                    "KD_dinov2",
                    "set:reference.dinov2.kid_mean",
                    1.0,
                    "KID (unscaled, as the paper prints it) on DINOv2 ViT-L/14 CLS features",
                    lower_is_better=True,
                ),
                Column(
                    "FD_incep",
                    "set:reference.inception.fd",
                    1.0,
                    "Frechet distance on TF-FID Inception pool features, model vs reference views",
                    lower_is_better=True,
                ),
            ),
            differences=(
                "material: the released script renders every mesh with a plain white "
                "material; the preset renders the asset's own colours/textures (the paper "
                "evaluates the generated appearance)",
                "CLIP: the released script reports the raw cosine; the preset reports "
                "100*max(cos, 0) as the paper's table does",
                "KD: the released script's 'KD' is an RBF-kernel similarity between feature "
                "sets; the preset reports the Kernel Inception Distance (unbiased polynomial "
                "MMD^2, Binkowski et al. 2018) that the paper names",
            ),
            notes=(
                "24 views: 8 azimuths x elevations 0/20/45 deg at 299 px (rig orbit24_299)",
                "FD is strongly biased when there are fewer images than feature dimensions "
                "(2048 for Inception): see the set metric's small_sample field",
            ),
        ),
    )
}


def get_protocol(name: str) -> Protocol:
    """The protocol ``name``; :class:`ConfigError` listing the known names otherwise."""
    try:
        return PROTOCOLS[name]
    except KeyError:
        raise ConfigError(
            f"unknown protocol {name!r}; known: {', '.join(sorted(PROTOCOLS))}"
        ) from None


def resolve_run_options(
    protocol: Protocol, rig: str, suites: tuple[str, ...] | None, default_rig: str = "orbit8"
) -> tuple[str, tuple[str, ...]]:
    """``(rig, suites)`` for a run under ``protocol``: the protocol's rig (a different explicit
    ``--rig`` is a :class:`ConfigError`) and its suites unless ``--suites`` was given."""
    if rig not in (default_rig, protocol.rig):
        raise ConfigError(
            f"--protocol {protocol.name} uses rig {protocol.rig}; drop --rig {rig} "
            "(or run without --protocol)"
        )
    return protocol.rig, suites if suites else protocol.suites


def _case_mean(records: list[dict[str, Any]], evaluator: str) -> tuple[float | None, int]:
    vals = [
        float(sc["value"])
        for rec in records
        for sc in rec.get("scores", [])
        if sc.get("evaluator") == evaluator
        and sc.get("status") == "ok"
        and isinstance(sc.get("value"), int | float)
    ]
    return (sum(vals) / len(vals) if vals else None), len(vals)


def _set_value(set_metrics: dict[str, Any], path: str) -> tuple[float | None, str]:
    node: Any = set_metrics
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            why = node.get("reason") if isinstance(node, dict) else None
            return None, why or f"{path} was not computed"
        if isinstance(node.get(part), dict) and node[part].get("status") in ("skipped", "error"):
            return None, str(node[part].get("reason") or f"{path}: {node[part]['status']}")
        node = node[part]
    return (float(node), "") if isinstance(node, int | float) else (None, f"{path} is not a number")


def protocol_columns(
    protocol: Protocol, summary: dict[str, Any], records: list[dict[str, Any]]
) -> dict[str, Any]:
    """``summary["protocol"]``: the paper's columns (``None`` with a reason when a number
    could not be made), their definitions and the protocol's stated differences."""
    out = protocol.to_dict()
    values: dict[str, float | None] = {}
    why: dict[str, str] = {}
    counts: dict[str, int] = {}
    set_metrics = summary.get("set_metrics") or {}
    for col in protocol.columns:
        kind, _, src = col.source.partition(":")
        if kind == "case":
            v, n = _case_mean(records, src)
            counts[col.name] = n
            reason = "" if v is not None else f"no ok {src} score in the run"
        else:
            v, reason = _set_value(set_metrics, src)
            if v is None and "reference" in src and "reference" not in set_metrics:
                reason = "needs --reference DIR (meshes whose renders are the reference set)"
        values[col.name] = None if v is None else v * col.scale
        if reason:
            why[col.name] = reason
    out["values"] = values
    if why:
        out["undefined"] = why
    out["n_cases_scored"] = counts
    weights = (summary.get("stamp") or {}).get("weights") or {}
    random = sorted(n for n, w in weights.items() if w.get("sha256") == "random weights")
    if random:
        out["random_weights"] = random
        out["warning"] = f"made with random weights ({', '.join(random)}): not a score"
    return out


def apply_protocol(out_dir: Path, protocol: Protocol) -> dict[str, Any]:
    """Add ``summary["protocol"]`` to ``out_dir/summary.json`` (rewritten atomically) and
    return it."""
    from mme3dr.results import RESULTS_FILE, SUMMARY_FILE, write_json_atomic

    path = Path(out_dir) / SUMMARY_FILE
    summary = json.loads(path.read_text(encoding="utf-8"))
    records = []
    res = Path(out_dir) / RESULTS_FILE
    if res.is_file():
        for line in res.read_text(encoding="utf-8").splitlines():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    summary["protocol"] = protocol_columns(protocol, summary, records)
    write_json_atomic(path, summary)
    return summary["protocol"]


def format_columns(table: dict[str, Any]) -> str:
    """One line: ``3dgen-r1: CLIP 28.41 | KD_incep 1.234 | ...``."""
    parts = []
    for name, v in table.get("values", {}).items():
        parts.append(f"{name} {'—' if v is None else f'{v:.4g}'}")
    line = f"{table.get('name')}: " + " | ".join(parts)
    if table.get("warning"):
        line += f"  [{table['warning']}]"
    return line
