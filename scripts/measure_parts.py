"""Accuracy of the ``parts``, ``stacked`` and ``relation`` checks on clean and generator-style
versions of the known-answer shapes, with the fused-surface decomposition and without it.

Usage: ``python scripts/measure_parts.py [--res 64 96] [--seeds 0 1] [--method both|new|old]``

Shapes: every case of the ``mme3dr`` set that lists one of the three checks and has a
procedural reference (``mme3dr.examples.mme3dr_reference.REFERENCE``; the case's own checks are
the expectations), plus the known-answer shapes of ``tests/test_checks_spatial.py`` and
``tests/test_parts.py`` (``tests/parts_cases.py``). Each is scored clean (yaw 0.4) and as a
generator-style export (``tests/generator_style.py``: marching cubes of the 64- or 96-cubed
occupancy, blur, smoothing, decimation, split vertices, flipped triangles, pin-holes) at each
seed, with a yaw of ``0.4 + seed`` (0 for shapes checked with ``left_of`` or
``right_of``). ``old`` counts mesh components only (the method before the
fused-surface decomposition). Prints one line per miss and a per-check summary table.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import numpy as np  # noqa: E402
import trimesh  # noqa: E402

from mme3dr.assets import Asset  # noqa: E402
from mme3dr.cases import load_cases  # noqa: E402
from mme3dr.evaluators import build  # noqa: E402
from mme3dr.evaluators.base import Sample  # noqa: E402

CHECKS = ("parts", "stacked", "relation")


def corpus() -> list[tuple[str, trimesh.Trimesh, list[dict], bool]]:
    """``(name, mesh, checks, generator_too)`` for every known-answer shape."""
    from parts_cases import KNOWN

    from mme3dr.examples.mme3dr_reference import REFERENCE

    out = []
    for case in load_cases("mme3dr", validate_checks=False).cases:
        checks = [c for c in case.checks if c["check"] in CHECKS]
        if checks and case.id in REFERENCE:
            out.append((case.id, REFERENCE[case.id](), checks, True))
    for name, (build_mesh, checks, generator_too) in KNOWN.items():
        out.append((name, build_mesh(), checks, generator_too))
    return out


def _components_only(asset: Asset, min_area: float):
    from mme3dr.geometry.relations import find_parts

    return find_parts(asset.mesh, min_area)


def use_old_method() -> None:
    """Patch the ``parts`` measurement of the checks that use it back to mesh components
    only (the method before this change)."""
    from mme3dr.checks import parts, relation, stacked

    for module in (parts, relation, stacked):
        module.parts = _components_only


def score_all(items, forms, seeds) -> tuple[dict, list[str], float]:
    from generator_style import generator_style

    tally: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    misses: list[str] = []
    seconds = 0.0
    for name, mesh, checks, generator_too in items:
        for form in forms:
            if form != "clean" and not generator_too:
                continue
            for seed in seeds if form != "clean" else [0]:
                m = mesh if form == "clean" else generator_style(mesh, int(form), seed=seed)
                # left_of / right_of are defined in the canonical front view: no yaw for them
                sided = any(c.get("rel") in ("left_of", "right_of") for c in checks)
                yaw = 0.0 if sided else 0.4 + seed
                m = m.copy()
                m.apply_transform(trimesh.transformations.rotation_matrix(yaw, [0, 0, 1]))
                asset = Asset.from_trimesh(m)
                for chk in checks:
                    params = {k: v for k, v in chk.items() if k != "check"}
                    t = time.perf_counter()
                    score = build(chk["check"], params).score(Sample(case=None, asset=asset))
                    seconds += time.perf_counter() - t
                    row = tally[(chk["check"], form)]
                    row[1] += 1
                    if score.status == "ok" and score.passed:
                        row[0] += 1
                    else:
                        misses.append(f"  {name} [{form} seed {seed}] {chk}: {score.reason}")
    return tally, misses, seconds


def table(tally: dict, forms: list[str]) -> str:
    lines = ["| check | " + " | ".join(forms) + " |", "|---" * (len(forms) + 1) + "|"]
    for chk in CHECKS:
        cells = []
        for form in forms:
            ok, n = tally.get((chk, form), [0, 0])
            cells.append(f"{ok}/{n} ({100 * ok / n:.0f}%)" if n else "-")
        lines.append(f"| `{chk}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--res", type=int, nargs="+", default=[64, 96])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--method", choices=("both", "new", "old"), default="both")
    args = parser.parse_args()
    forms = ["clean", *[str(r) for r in args.res]]
    items = corpus()
    print(f"{len(items)} shapes; forms {forms}; seeds {args.seeds}")
    methods = ["new", "old"] if args.method == "both" else [args.method]
    for method in methods:
        if method == "old":
            use_old_method()
        tally, misses, seconds = score_all(items, forms, args.seeds)
        print(f"\n## method: {method} ({seconds:.1f} s in the checks)")
        print("\n".join(misses) or "  no misses")
        print()
        print(table(tally, forms))
    np.seterr(all="ignore")


if __name__ == "__main__":
    main()
