"""Build the example model folders used by the demo, the benchmark script and the tests.

* ``reference``: one primitive-built mesh per starter case that answers it (legs, holes,
  containers, shelves...), written in a mix of formats (GLB files are written +Y up as glTF
  requires, so loading exercises the up-axis conversion).
* ``broken``: what bad generators and bad pipelines produce: missing cases, unreadable and
  malformed files (NaN coordinates, out-of-range indices, no faces, an unsupported format),
  flat picture cards, floating debris, tipped-over and sealed shapes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import trimesh

from mme3dr.assets import up_axis_rotation
from mme3dr.examples import shapes

Builder = Callable[[], trimesh.Trimesh]

#: a mesh that answers each starter case, by case id
REFERENCE: dict[str, Builder] = {
    "spa-001": lambda: shapes.tower(3),
    "spa-002": lambda: shapes.shelf(4),
    "spa-003": shapes.ball_on_cube,
    "spa-004": lambda: shapes.star_prism(5),
    "spa-005": lambda: shapes.staircase(3),
    "spa-006": shapes.ring,
    "spa-007": shapes.arch,
    "mech-001": lambda: shapes.stool(3),
    "mech-002": lambda: shapes.legged_table(4),
    "mech-003": shapes.cup,
    "mech-004": shapes.bowl,
    "mech-005": lambda: shapes.gear(12),
    "mech-006": shapes.chair,
    "mech-007": shapes.open_box,
    "mech-008": lambda: shapes.stool(4),
    "bio-001": shapes.mushroom,
    "bio-002": lambda: shapes.flower(8),
    "bio-003": lambda: shapes.star_prism(5, r_in=0.15),
    "bio-004": shapes.cactus,
    "bio-005": shapes.quadruped,
    "bio-006": shapes.pawn,
    "wk-001": shapes.tower_frame,
    "wk-002": shapes.torii,
    "wk-003": shapes.trilithon,
    "wk-004": shapes.cauldron,
    "wk-005": shapes.cube,
    "wk-006": shapes.windmill,
    "sty-001": shapes.low_poly_fox,
    "sty-002": shapes.voxel_tree,
    "sty-003": shapes.rocket,
    "sty-004": shapes.pawn,
    "sty-005": shapes.lamp,
    "sty-006": shapes.donut,
}

_FORMATS = ("glb", "obj", "ply", "stl", "off")


def write_mesh(mesh: trimesh.Trimesh, path: Path) -> Path:
    """Write a +Z-up mesh; GLB/glTF files are rotated to +Y up as the glTF spec requires."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() in (".glb", ".gltf"):
        mesh = mesh.copy()
        mesh.apply_transform(np.linalg.inv(up_axis_rotation("+y")))
    mesh.export(str(path))
    return path


def write_model_folder(
    out: Path, builders: dict, case_ids: list[str], fmt: str, meta: dict
) -> Path:
    """Write ``<id>.<fmt>`` for each case id (built by ``builders[id]()``) and ``model.json``
    holding ``meta`` into the model folder ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    for cid in case_ids:
        write_mesh(builders[cid](), out / f"{cid}.{fmt}")
    (out / "model.json").write_text(json.dumps(meta, indent=2) + "\n")
    return out


def build_reference(out: Path, case_ids: list[str] | None = None) -> Path:
    """Write the reference model folder (one file per case, formats rotating)."""
    out.mkdir(parents=True, exist_ok=True)
    ids = case_ids or list(REFERENCE)
    for i, cid in enumerate(ids):
        mesh = REFERENCE[cid]()
        write_mesh(mesh, out / f"{cid}.{_FORMATS[i % len(_FORMATS)]}")
    (out / "model.json").write_text(
        json.dumps(
            {"name": "reference", "notes": "primitive-built meshes answering the cases"}, indent=2
        )
        + "\n"
    )
    return out


def _noise_blob(seed: int) -> trimesh.Trimesh:
    rng = np.random.default_rng(seed)
    verts = rng.normal(size=(60, 3))
    faces = rng.integers(0, 60, size=(80, 3))
    return trimesh.Trimesh(verts, faces, process=False)


def _floating_debris() -> trimesh.Trimesh:
    parts = [shapes.cube(0.3)]
    for x in (-0.4, 0.4):
        p = trimesh.creation.box((0.1, 0.1, 0.1))
        p.apply_translation([x, 0, 0.6])
        parts.append(p)
    return trimesh.util.concatenate(parts)


def _tipped_tower() -> trimesh.Trimesh:
    """A tall block leaning far over its small foot: falls over."""
    parts = [trimesh.creation.box((0.1, 0.1, 0.1)).apply_translation([0, 0, 0.05])]
    parts.append(trimesh.creation.box((0.6, 0.1, 0.1)).apply_translation([0.3, 0, 0.15]))
    return trimesh.boolean.union(parts, engine="manifold")


def build_broken(out: Path) -> Path:
    """Write the broken model folder: every failure mode the runner must survive."""
    out.mkdir(parents=True, exist_ok=True)
    # malformed files
    (out / "spa-001.obj").write_text("v 0 0 0\nv 1 0 0\nv nan 1 0\nf 1 2 3\n")
    (out / "spa-002.ply").write_text(
        "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\n"
        "property float z\nelement face 1\nproperty list uchar int vertex_indices\n"
        "end_header\n0 0 0\n1 0 0\n0 1 0\n3 0 1 7\n"
    )
    (out / "spa-003.glb").write_bytes(b"this is not a binary glTF file")
    (out / "spa-004.obj").write_text("# only vertices\nv 0 0 0\nv 1 0 0\nv 0 1 0\n")
    (out / "spa-005.fbx").write_bytes(b"Kaydara FBX Binary  \x00")
    (out / "spa-006.stl").write_bytes(b"")
    # degenerate or wrong geometry
    write_mesh(shapes.billboard(), out / "mech-001.obj")
    write_mesh(shapes.legged_table(2, top=(1.2, 0.3)), out / "mech-002.ply")
    write_mesh(shapes.closed_box(0.1), out / "mech-003.obj")
    write_mesh(shapes.plate(), out / "mech-004.stl")
    write_mesh(shapes.gear(6), out / "mech-005.obj")
    write_mesh(_floating_debris(), out / "mech-006.obj")
    write_mesh(shapes.closed_box(), out / "mech-007.obj")
    write_mesh(_tipped_tower(), out / "bio-001.obj")
    write_mesh(_noise_blob(0), out / "bio-002.ply")
    write_mesh(shapes.cube(), out / "bio-003.obj")
    write_mesh(shapes.billboard(0.3, 1.0), out / "bio-004.glb")
    write_mesh(_noise_blob(1), out / "wk-001.obj")
    write_mesh(shapes.plate(), out / "wk-002.obj")
    # everything else is missing
    (out / "model.json").write_text(
        json.dumps(
            {"name": "broken", "notes": "malformed, degenerate and missing assets"}, indent=2
        )
        + "\n"
    )
    return out


def build_examples(root: Path) -> dict[str, Path]:
    """Build both example models under ``root``; returns their folders by name."""
    return {
        "reference": build_reference(root / "reference"),
        "broken": build_broken(root / "broken"),
    }
