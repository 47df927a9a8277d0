"""Per-check timings of the geometric checks on a ~100k-face mesh (one core, CPU only).

Usage: ``python scripts/bench_checks.py [--faces 100000] [--shape mug|table] [--repeat 5]``

Prints, for a mug (handle, open top) or a fused table subdivided to about ``--faces`` faces:
the shared setup (surface samples + voxel grid at 64, cached per asset and reused by every
voxel check), each check's time on a warm cache (what it adds to a case), and the total for a
case listing all the checks on a fresh asset (the median of ``--repeat`` runs, each on a fresh
asset, with the smallest and largest). Times are CPU seconds of this process
(``time.process_time``: one core, what the target is stated in, and not inflated when other
jobs share the machine) with the wall-clock time beside them; numerical libraries' thread
pools are held to one thread, so CPU and wall-clock time agree.
"""

# ruff: noqa: E402  (the thread settings below must come before numpy is imported)
from __future__ import annotations

import os

# one core, as the target is stated: numerical libraries may not start thread pools (an
# explicit setting in the environment wins)
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import time

import trimesh

from mme3dr.assets import Asset
from mme3dr.evaluators import build
from mme3dr.evaluators.base import Sample
from mme3dr.examples import shapes
from mme3dr.geometry.voxels import cached_voxels

CHECKS: list[tuple[str, dict]] = [
    ("ground_contacts", {"expect": 1}),
    ("through_holes", {"expect": 1}),
    ("horizontal_layers", {"expect": 1}),
    ("parts", {"expect": 1}),
    ("stacked", {"expect": 1}),
    ("radial_count", {"expect": 0}),
    ("symmetry", {"kind": "mirror"}),
    ("symmetry", {"kind": "rotational", "order": 2}),
    ("aspect", {"height_over_width": [1.0, 1.5]}),
    ("relation", {"a": "largest", "b": "smallest", "rel": "above"}),
    ("holds_liquid", {}),
    ("support_surface", {"height": [0.5, 1.0]}),
    ("opening", {"direction": "up"}),
]


def big_mesh(shape: str, faces: int, uniform: bool = True) -> trimesh.Trimesh:
    """The shape with about ``faces`` faces: evenly sized triangles (like a marching-cubes
    output, ``uniform``) or repeated 4-way subdivision (long slivers stay long: worst case)."""
    mesh = shapes.cup() if shape == "mug" else shapes.legged_table(4)
    if uniform:
        edge = float(mesh.extents.max()) * 0.05
        while True:
            v, f = trimesh.remesh.subdivide_to_size(mesh.vertices, mesh.faces, max_edge=edge)
            if len(f) >= faces:
                return trimesh.Trimesh(v, f)
            edge *= 0.95  # small steps: lands within ~10% above ``faces``
    while len(mesh.faces) < faces:
        mesh = mesh.subdivide()
    return mesh


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faces", type=int, default=100_000)
    parser.add_argument("--shape", choices=("mug", "table"), default="mug")
    parser.add_argument("--slivers", action="store_true", help="subdivide 4-way (long slivers)")
    parser.add_argument("--repeat", type=int, default=5,
                        help="whole-case runs on fresh assets; the median is reported")
    args = parser.parse_args()
    mesh = big_mesh(args.shape, args.faces, uniform=not args.slivers)
    kind = "slivers" if args.slivers else "even triangles"
    print(f"{args.shape}: {len(mesh.faces)} faces ({kind})")
    # warm up imports (scipy submodules, trimesh caches) so timings are per case
    warm = Sample(case=None, asset=Asset.from_trimesh(shapes.cup()))  # type: ignore[arg-type]
    for name, params in CHECKS:
        build(name, params).score(warm)

    # a whole case on a fresh asset (setup included), ``--repeat`` times: one run on this
    # machine varies by up to a fifth (memory faults in the VM), so the median is reported
    evaluators = [build(n, p) for n, p in CHECKS]
    totals = []
    for _ in range(max(1, args.repeat)):
        sample = Sample(case=None, asset=Asset.from_trimesh(mesh))  # type: ignore[arg-type]
        t0, c0 = time.perf_counter(), time.process_time()
        per_check = []
        for ev in evaluators:
            c1 = time.process_time()
            ev.score(sample)
            per_check.append(time.process_time() - c1)
        totals.append((time.process_time() - c0, time.perf_counter() - t0))
    totals.sort()
    total_cpu, total = totals[len(totals) // 2]

    # shared setup alone, then each check on a warm cache
    sample = Sample(case=None, asset=Asset.from_trimesh(mesh))  # type: ignore[arg-type]
    t0, c0 = time.perf_counter(), time.process_time()
    cached_voxels(sample.asset, 64)
    setup, setup_cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"{'':34s} {'cpu':>8s}    {'wall':>8s}")
    print(f"{'setup: samples + voxels:64':34s} {setup_cpu * 1000:8.1f} ms {setup * 1000:8.1f} ms")
    for ev, first in zip(evaluators, per_check, strict=True):
        fresh = build(ev.name, dict(ev.params))
        c1 = time.process_time()
        s = fresh.score(sample)
        cpu = time.process_time() - c1
        label = ev.name + ("" if ev.name != "symmetry" else f"({ev.params['kind']})")
        print(f"{label:34s} {cpu * 1000:8.1f} ms {s.seconds * 1000:8.1f} ms   "
              f"{s.reason[:44]} (first: {first * 1000:.0f} ms)")
    spread = f"  (min {totals[0][0] * 1000:.0f}, max {totals[-1][0] * 1000:.0f} ms cpu)"
    print(f"{f'all checks, fresh asset x{len(totals)}':34s} {total_cpu * 1000:8.1f} ms "
          f"{total * 1000:8.1f} ms{spread if len(totals) > 1 else ''}")


if __name__ == "__main__":
    main()
