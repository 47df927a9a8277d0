"""Check the real corpus's ``stable`` answers with a rigid-body simulation (MuJoCo).

Usage::

    pip install mujoco          # not a dependency of mme3dr; only this script needs it
    python scripts/verify_stable_physics.py [--only NAME ...] [--seconds 4] [--tilt 1.5]

``stable`` asks whether the object, released in its pose as built on a flat floor, comes to
rest near that pose (``mme3dr.geometry.stability``). This script answers the same question by
simulation, independently of the check's code: each mesh of ``scripts/measure_corpora.py::REAL``
that has a ``stable`` answer is scaled to a 0.3 m largest extent, given a uniform density
(MuJoCo's exact mesh inertia; a mesh of several pieces is one body made of them, an open
piece with its convex hull's inertia) and dropped from 0.5 mm onto a plane, once as built and once
tilted by ``--tilt`` degrees towards each of 8 azimuths. MuJoCo collides a mesh through its
convex hull, which is exact for a body on a plane. A release **falls** when the body ends
turned by more than :data:`FALL_TILT` degrees with its centre of mass more than
:data:`FALL_DROP` lower than its height in the pose as built (a body that rocks a few degrees
onto a face or a second contact turns less; a ball that rolls does not drop).

The verdict mirrors the check's definition (a rest must resist small tilts in every
direction, ``TILT_STEP``): the object **stands** when no release falls. The printed table
lists, per mesh, the corpus answer, the verdict and the falls out of 9 releases; a line
marked ``DISAGREES`` is an answer the simulation contradicts. ``docs/corpora.md`` records the
figures of the last run.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts"), str(ROOT / "tests")]

import numpy as np  # noqa: E402
import trimesh  # noqa: E402

#: a release falls when the body ends turned more than ``FALL_TILT`` degrees from where it
#: started and its centre of mass more than ``FALL_DROP`` (a fraction) below its height as
#: built. A body that rocks onto a face or a second contact turns less (the check's settling
#: cone is at most 8 + 10 degrees); a ball that rolls turns without dropping.
FALL_TILT = 20.0
FALL_DROP = 0.1
#: the largest extent of the simulated body, metres.
SIZE_M = 0.3


def _model_xml(pieces: list[tuple[str, str]], friction: float) -> str:
    """One free body made of the mesh files ``pieces`` (``(path, inertia)`` each)."""
    meshes = "".join(f'<mesh name="m{i}" file="{f}" inertia="{inertia}"/>'
                     for i, (f, inertia) in enumerate(pieces))
    geoms = "".join(f'<geom type="mesh" mesh="m{i}" density="1000" '
                    f'friction="{friction} 0.01 0.001"/>' for i in range(len(pieces)))
    return f"""<mujoco><option timestep="0.0005" gravity="0 0 -9.81"/>
<asset>{meshes}</asset>
<worldbody><geom type="plane" size="5 5 .1" friction="{friction} 0.01 0.001"/>
<body name="b" pos="0 0 0.0005"><freejoint/>{geoms}</body>
</worldbody></mujoco>"""


def _pieces(body: trimesh.Trimesh, folder: str) -> list[tuple[str, str]]:
    """``body`` written as one STL per connected piece, each with the inertia MuJoCo can take
    from it: ``exact`` for a closed piece (outward normals fixed first: MuJoCo refuses a
    negative signed volume or an inconsistent winding), ``convex`` (its convex hull's) for an
    open one. A mesh modelled as several pieces (a mug's handle pushed into its body) is one
    rigid body made of them; where pieces overlap (in the corpus, only at their joints) the
    shared volume counts twice."""
    merged = body.copy()
    merged.merge_vertices()
    out = []
    for i, piece in enumerate(merged.split(only_watertight=False)):
        if len(piece.faces) < 4:
            continue
        piece.fix_normals()
        path = os.path.join(folder, f"m{i}.stl")
        piece.export(path)
        out.append((path, "exact" if piece.is_watertight and piece.is_winding_consistent
                    else "convex"))
    return out


def release(mesh: trimesh.Trimesh, tilt_deg: float = 0.0, azimuth: float = 0.0,
            seconds: float = 4.0, friction: float = 1.0) -> tuple[float, float, float]:
    """Drop ``mesh`` (normalised, +Z up) tilted by ``tilt_deg`` about the horizontal axis at
    ``azimuth`` (radians); returns the centre of mass height (m) at the start and the end,
    and the angle (degrees) the body turned through."""
    import mujoco

    v = np.asarray(mesh.vertices, dtype=np.float64)
    if tilt_deg:
        axis = [np.cos(azimuth), np.sin(azimuth), 0.0]
        v = v @ trimesh.transformations.rotation_matrix(np.radians(tilt_deg), axis)[:3, :3].T
    v = v - [0.0, 0.0, v[:, 2].min()]
    v = v * (SIZE_M / float(np.ptp(v, axis=0).max()))
    body = trimesh.Trimesh(v, np.asarray(mesh.faces), process=False)
    with tempfile.TemporaryDirectory() as tmp:
        model = mujoco.MjModel.from_xml_string(_model_xml(_pieces(body, tmp), friction))
    data = mujoco.MjData(model)
    mujoco.mj_forward(model, data)
    start = float(data.xipos[1, 2])
    for _ in range(int(seconds / model.opt.timestep)):
        mujoco.mj_step(model, data)
    w = float(np.clip(abs(data.qpos[3]), 0.0, 1.0))  # the free joint's unit quaternion
    return start, float(data.xipos[1, 2]), float(np.degrees(2.0 * np.arccos(w)))


def verdict(mesh: trimesh.Trimesh, tilt: float, seconds: float) -> tuple[bool, int, int]:
    """``(stands, falls, releases)``: the mesh as built and tilted towards 8 azimuths."""
    poses = [(tilt, k * np.pi / 4) for k in range(8)]
    # heights are compared with the pose as built: a wide body tilted by 1.5 degrees starts
    # higher (its rim lifts the centre of mass) and drops back without falling
    built, end, turned = release(mesh, 0.0, 0.0, seconds)
    falls = int(turned > FALL_TILT and end < (1.0 - FALL_DROP) * built)
    for t, az in poses:
        _, end, turned = release(mesh, t, az, seconds)
        falls += turned > FALL_TILT and end < (1.0 - FALL_DROP) * built
    return falls == 0, falls, len(poses) + 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", nargs="*", default=None, help="corpus entries to simulate")
    ap.add_argument("--seconds", type=float, default=4.0)
    ap.add_argument("--tilt", type=float, default=1.5, help="degrees off the pose as built")
    ap.add_argument("--cache", type=Path, default=None)
    args = ap.parse_args()
    try:
        import mujoco
    except ImportError:
        sys.exit("this script needs MuJoCo: pip install mujoco")
    import measure_corpora as mc

    from mme3dr.assets import load_asset

    cache = args.cache or mc.DEFAULT_CACHE
    print(f"MuJoCo {mujoco.__version__}, {args.seconds:g} s, tilt {args.tilt:g} deg, "
          f"falls when it turns over {FALL_TILT:g} deg and its centre of mass drops by "
          f"{FALL_DROP:.0%}")
    print("| object | corpus answer | simulation | falls / releases |")
    print("|---|---|---|---|")
    for item in mc.REAL:
        wants = [c.get("want", True) for c in item.checks if c["check"] == "stable"]
        if not wants or (args.only and item.name not in args.only):
            continue
        path = mc.real_path(item, cache)
        if path is None:
            print(f"| {item.name} | (file not available) | | |")
            continue
        mesh = load_asset(path, up_axis=item.up).mesh
        stands, falls, n = verdict(mesh, args.tilt, args.seconds)
        said = "stands" if wants[0] else "falls"
        found = "stands" if stands else "falls"
        flag = "" if said == found else " DISAGREES"
        print(f"| {item.name} | {said} | {found}{flag} | {falls}/{n} |", flush=True)


if __name__ == "__main__":
    main()
