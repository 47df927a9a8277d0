"""Accuracy of ``parts`` and ``stacked`` on randomised scenes (``tests/random_parts.py``): bodies
resting on bodies with random sizes, offsets and yaw, clean and as generator-style exports.

Usage: ``python scripts/measure_random_parts.py [--seeds 8] [--first 0] [--kinds ...] [--forms
clean mc64 mc96 mc128] [--jobs 2]``

Each scene kind is drawn ``--seeds`` times; each draw is scored clean (separate bodies) and as a
generator-style export (``tests/generator_style.py``: marching cubes of the 64- or 96-cubed
occupancy, blur, smoothing, decimation, split vertices, flipped triangles, pin-holes; seeded by
the draw), where the bodies are fused into one surface. An answer is right when ``parts`` (and
``stacked``, for stacks) give the scene's count. Prints one line per miss and a table of right
answers per kind and form.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from generator_style import generator_style  # noqa: E402
from random_parts import KINDS, scene  # noqa: E402

from mme3dr.assets import Asset  # noqa: E402
from mme3dr.evaluators import build  # noqa: E402
from mme3dr.evaluators.base import Sample  # noqa: E402


def score(task: tuple[str, int, str]) -> tuple[str, int, str, bool, str]:
    """``(kind, seed, form, right, what was found)`` for one draw in one form."""
    kind, seed, form = task
    mesh, parts, stacked = scene(kind, seed)
    if form != "clean":
        mesh = generator_style(mesh, n=int(form[2:]), seed=seed)
    sample = Sample(case=None, asset=Asset.from_trimesh(mesh))  # type: ignore[arg-type]
    found_parts = build("parts", {"expect": parts}).score(sample).value
    right = found_parts == parts
    what = f"parts {found_parts} (want {parts})"
    if stacked is not None:
        found_stacked = build("stacked", {"expect": stacked}).score(sample).value
        right = right and found_stacked == stacked
        what += f", stacked {found_stacked} (want {stacked})"
    return kind, seed, form, bool(right), what


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=8, help="draws per kind")
    parser.add_argument("--first", type=int, default=0, help="the first draw's seed")
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=KINDS)
    parser.add_argument("--forms", nargs="+", default=["clean", "mc64", "mc96"],
                        choices=("clean", "mc64", "mc96", "mc128"))
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    seeds = range(args.first, args.first + args.seeds)
    tasks = [(k, s, f) for k in args.kinds for s in seeds for f in args.forms]
    t0 = time.time()
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as pool:
            results = list(pool.map(score, tasks, chunksize=4))
    else:
        results = [score(t) for t in tasks]
    table: dict[tuple[str, str], list[bool]] = {}
    for kind, seed, form, right, what in results:
        table.setdefault((kind, form), []).append(right)
        if not right:
            print(f"MISS {kind} seed {seed} {form}: {what}")
    print(f"\n| kind | {' | '.join(args.forms)} |\n|---|{'---|' * len(args.forms)}")
    for kind in args.kinds:
        cells = [f"{sum(table[kind, f])}/{len(table[kind, f])}" for f in args.forms]
        print(f"| {kind} | {' | '.join(cells)} |")
    totals = [sum(sum(table[k, f]) for k in args.kinds) for f in args.forms]
    counts = [sum(len(table[k, f]) for k in args.kinds) for f in args.forms]
    cells = [f"{t}/{n} ({100 * t / n:.0f}%)" for t, n in zip(totals, counts, strict=True)]
    print(f"| all | {' | '.join(cells)} |")
    print(f"{len(tasks)} answers in {time.time() - t0:.0f} s wall")


if __name__ == "__main__":
    main()
