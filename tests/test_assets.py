"""Asset loading: every failure mode with a real malformed file, frames and normalisation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import trimesh

from mme3dr.assets import Asset, LoadLimits, load_asset, up_axis_rotation
from mme3dr.errors import AssetError
from mme3dr.examples.models import write_mesh


def _box(extents=(1.0, 2.0, 4.0), at=(0.0, 0.0, 0.0)) -> trimesh.Trimesh:
    b = trimesh.creation.box(extents)
    b.apply_translation(at)
    return b


@pytest.mark.parametrize(
    ("name", "content", "kind", "phrase"),
    [
        ("nan.obj", "v 0 0 0\nv 1 0 0\nv nan 1 0\nf 1 2 3\n", "non_finite", "NaN"),
        ("inf.obj", "v 0 0 0\nv 1 0 0\nv inf 1 0\nf 1 2 3\n", "non_finite", "infinite"),
        ("nofaces.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\n", "no_faces", "no triangle faces"),
        ("empty.stl", "", "unreadable", "empty"),
        ("garbage.glb", "definitely not a glb", "unreadable", "could not parse"),
        ("model.fbx", "Kaydara FBX Binary", "unsupported", "'.fbx'"),
        ("point.obj", "v 1 1 1\nv 1 1 1\nv 1 1 1\nf 1 2 3\n", "degenerate", "zero extent"),
        (
            "badidx.ply",
            "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\n"
            "property float z\nelement face 1\nproperty list uchar int vertex_indices\n"
            "end_header\n0 0 0\n1 0 0\n0 1 0\n3 0 1 9\n",
            "bad_indices",
            "only 3 vertices",
        ),
    ],
)
def test_malformed_files_raise_typed_errors_naming_file_and_reason(
    tmp_path: Path, name: str, content: str, kind: str, phrase: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(AssetError) as info:
        load_asset(path)
    assert info.value.kind == kind
    assert str(path) in str(info.value)
    assert phrase in str(info.value)


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(AssetError) as info:
        load_asset(tmp_path / "nope.obj")
    assert info.value.kind == "unreadable" and "nope.obj" in str(info.value)


def test_limits_on_faces_and_bytes(tmp_path: Path) -> None:
    path = write_mesh(trimesh.creation.icosphere(subdivisions=3), tmp_path / "ball.ply")
    with pytest.raises(AssetError, match="faces exceeds the limit of 100") as info:
        load_asset(path, limits=LoadLimits(max_faces=100))
    assert info.value.kind == "too_large"
    with pytest.raises(AssetError, match="bytes exceeds the limit of 10") as info:
        load_asset(path, limits=LoadLimits(max_bytes=10))
    assert info.value.kind == "too_large"


def test_normalisation_centres_rests_and_scales(tmp_path: Path) -> None:
    path = write_mesh(_box((1.0, 2.0, 4.0), at=(5.0, -3.0, 10.0)), tmp_path / "box.obj")
    asset = load_asset(path)
    lo, hi = asset.mesh.bounds
    np.testing.assert_allclose(lo, [-0.125, -0.25, 0.0], atol=1e-9)
    np.testing.assert_allclose(hi, [0.125, 0.25, 1.0], atol=1e-9)
    assert asset.provenance["scale"] == pytest.approx(0.25)
    # the recorded transform maps source coordinates onto normalised ones
    src = np.array([5.5, -2.0, 12.0, 1.0])
    np.testing.assert_allclose(np.array(asset.provenance["transform"]) @ src, [0.125, 0.25, 1.0, 1])


def test_glb_is_converted_from_y_up(tmp_path: Path) -> None:
    tall = _box((1.0, 1.0, 3.0))  # tall along +Z in the canonical frame
    path = write_mesh(tall, tmp_path / "tall.glb")  # written +Y up, as glTF requires
    raw = trimesh.load(str(path), force="mesh")
    assert np.ptp(raw.vertices[:, 1]) == pytest.approx(3.0)  # file really is Y-up
    asset = load_asset(path)
    ext = np.ptp(asset.mesh.vertices, axis=0)
    np.testing.assert_allclose(ext, [1 / 3, 1 / 3, 1.0], atol=1e-9)
    assert asset.provenance["up_axis"] == "+y"


def test_up_axis_override(tmp_path: Path) -> None:
    # an OBJ exported by a Y-up tool: its height is along Y
    path = write_mesh(_box((1.0, 3.0, 1.0)), tmp_path / "yup.obj")
    assert np.ptp(load_asset(path).mesh.vertices[:, 2]) < 0.5
    assert np.ptp(load_asset(path, up_axis="+y").mesh.vertices[:, 2]) == pytest.approx(1.0)


@pytest.mark.parametrize("axis", ["+x", "-x", "+y", "-y", "+z", "-z"])
def test_up_axis_rotations_are_proper_and_map_up_to_z(axis: str) -> None:
    m = up_axis_rotation(axis)[:3, :3]
    assert np.linalg.det(m) == pytest.approx(1.0)
    sign = 1.0 if axis[0] == "+" else -1.0
    v = np.zeros(3)
    v["xyz".index(axis[1])] = sign
    np.testing.assert_allclose(m @ v, [0, 0, 1], atol=1e-12)


def test_seam_split_vertices_are_merged_for_topology() -> None:
    # a cube whose faces each have their own vertices (as a UV-unwrapped export would)
    cube = trimesh.creation.box()
    split = trimesh.Trimesh(
        cube.vertices[cube.faces].reshape(-1, 3), np.arange(36).reshape(-1, 3), process=False
    )
    assert not split.is_watertight
    asset = Asset.from_trimesh(split)
    assert len(asset.mesh.vertices) == 8
    assert asset.mesh.is_watertight
    assert len(asset.render_mesh.vertices) == 36  # render mesh keeps the split for UVs


def test_repeated_faces_are_measured_once(tmp_path: Path) -> None:
    # an OBJ polygon of 20 000 corners cycling over a box's 8 vertices fans into 20 000
    # box-sized triangles on at most 56 distinct vertex triples (the fuzzer's huge_polygon)
    box = trimesh.creation.box((1.0, 0.6, 0.3))
    lines = [f"v {x:.6f} {y:.6f} {z:.6f}" for x, y, z in box.vertices]
    lines += ["f " + " ".join(str(i + 1) for i in face) for face in box.faces]
    lines.append("f " + " ".join(str(i % 8 + 1) for i in range(20_000)))
    path = tmp_path / "fan.obj"
    path.write_text("\n".join(lines) + "\n")
    asset = load_asset(path)
    n = len(asset.mesh.faces)
    assert n <= 12 + 56
    assert asset.provenance["repeated_faces"] == asset.provenance["source_faces"] - n
    # a face given twice, once with the other winding, is the same surface: kept once
    doubled = trimesh.Trimesh(box.vertices, np.vstack([box.faces, box.faces[:, ::-1]]),
                              process=False)
    once = Asset.from_trimesh(doubled)
    assert len(once.mesh.faces) == 12 and once.mesh.is_watertight
    assert once.provenance["repeated_faces"] == 12
    assert len(once.render_mesh.faces) == 24  # the render mesh is left as it was
    plain = Asset.from_trimesh(box)
    assert plain.provenance["repeated_faces"] == 0 and len(plain.mesh.faces) == 12


def test_scene_is_flattened_with_node_transforms(tmp_path: Path) -> None:
    scene = trimesh.Scene()
    scene.add_geometry(_box((1, 1, 1)), node_name="a", geom_name="unit")
    scene.add_geometry(
        _box((1, 1, 1)),
        node_name="b",
        geom_name="unit",
        transform=trimesh.transformations.translation_matrix([0, 0, -3]),
    )
    path = tmp_path / "scene.glb"
    scene.export(str(path))
    asset = load_asset(path, up_axis="+z")
    assert len(asset.mesh.faces) == 24
    # two unit cubes 3 apart along the file's Z: total extent 4
    assert np.ptp(asset.mesh.vertices[:, 2]) == pytest.approx(1.0)
    assert asset.provenance["scale"] == pytest.approx(0.25)


def test_vertex_colours_and_textures_are_kept(tmp_path: Path) -> None:
    box = _box((1, 1, 1))
    box.visual.vertex_colors = np.tile([255, 0, 0, 255], (len(box.vertices), 1))
    path = write_mesh(box, tmp_path / "red.ply")
    asset = load_asset(path)
    assert asset.provenance["visual"] == "vertex_color"
    assert np.all(asset.render_mesh.visual.vertex_colors[:, 0] == 255)

    from PIL import Image

    tex_box = _box((1, 1, 1))
    uv = np.random.default_rng(0).random((len(tex_box.vertices), 2))
    img = Image.fromarray(np.full((4, 4, 3), 200, dtype=np.uint8))
    tex_box.visual = trimesh.visual.TextureVisuals(uv=uv, image=img)
    tpath = write_mesh(tex_box, tmp_path / "tex.glb")
    tasset = load_asset(tpath)
    assert tasset.provenance["visual"] == "texture"
    assert tasset.render_mesh.visual.uv is not None


def test_unused_vertices_do_not_affect_normalisation() -> None:
    box = _box((1, 1, 1))
    verts = np.vstack([box.vertices, [[100.0, 100.0, 100.0]]])
    mesh = trimesh.Trimesh(verts, box.faces, process=False)
    asset = Asset.from_trimesh(mesh)
    np.testing.assert_allclose(asset.mesh.bounds, [[-0.5, -0.5, 0], [0.5, 0.5, 1]], atol=1e-9)


def test_parsing_past_the_time_limit_is_a_timeout_error(tmp_path: Path) -> None:
    path = write_mesh(trimesh.creation.icosphere(subdivisions=6), tmp_path / "big.obj")
    with pytest.raises(AssetError) as info:
        load_asset(path, limits=LoadLimits(timeout_s=0.001))
    assert info.value.kind == "timeout" and str(path) in str(info.value)
    assert load_asset(path).mesh.faces.shape[0] == 81920  # loads fine with the default limit


def test_linear_time_index_sets_equal_numpy_unique() -> None:
    from mme3dr.geometry.indices import referenced_vertices, unique_sorted

    rng = np.random.default_rng(3)
    faces = rng.integers(0, 5000, size=(20_000, 3))
    assert np.array_equal(referenced_vertices(faces, 6000), np.unique(faces))
    assert referenced_vertices(np.zeros((0, 3), dtype=int), 4).size == 0
    values = rng.integers(-50, 50, size=3000)
    assert np.array_equal(unique_sorted(values), np.unique(values))
    floats = rng.random(500).round(2)
    assert np.array_equal(unique_sorted(floats), np.unique(floats))
    assert unique_sorted(np.zeros(0)).size == 0


PRISM_OFF = """OFF
# a pentagonal prism: two pentagons and five quads (polygons of mixed sizes)
10 7 0
1 0 0
0.309017 0.951057 0
-0.809017 0.587785 0
-0.809017 -0.587785 0
0.309017 -0.951057 0
1 0 2
0.309017 0.951057 2
-0.809017 0.587785 2
-0.809017 -0.587785 2
0.309017 -0.951057 2
5 4 3 2 1 0
5 5 6 7 8 9
4 0 1 6 5
4 1 2 7 6
4 2 3 8 7
4 3 4 9 8
4 4 0 5 9
"""


def test_off_with_polygons_of_mixed_sizes_loads(tmp_path: Path) -> None:
    # trimesh cannot triangulate a mixed polygon list (CGAL's double-torus-example.off);
    # the loader reads such a file itself and fans each polygon from its first corner
    path = tmp_path / "prism.off"
    path.write_text(PRISM_OFF)
    asset = load_asset(path)
    assert len(asset.mesh.faces) == 2 * 3 + 5 * 2
    assert asset.mesh.is_watertight
    # the prism is 2 tall and 1.902 across (vertex to opposite edge): normalised to height 1
    area = 2.5 * np.sin(2 * np.pi / 5)  # the unit pentagon
    assert abs(asset.mesh.volume - area * 2 / 2.0 ** 3) < 1e-6


def test_off_with_a_face_index_out_of_range_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.off"
    path.write_text(PRISM_OFF.replace("5 5 6 7 8 9", "5 5 6 7 8 99"))
    with pytest.raises(AssetError) as err:
        load_asset(path)
    assert "bad.off" in str(err.value) and "unreadable" in str(err.value)


def test_utf16_obj_loads(tmp_path: Path) -> None:
    # text meshes need not be UTF-8; trimesh decodes others with charset-normalizer (a
    # dependency since stop 24: without it assimp's box_UTF16BE.obj was refused)
    cube = trimesh.creation.box()
    text = "".join(f"v {x:g} {y:g} {z:g}\r\n" for x, y, z in cube.vertices)
    text += "".join(f"f {a + 1} {b + 1} {c + 1}\r\n" for a, b, c in cube.faces)
    path = tmp_path / "box.obj"
    path.write_bytes("\ufeff".encode("utf-16-be") + text.encode("utf-16-be"))
    asset = load_asset(path)
    assert len(asset.mesh.faces) == 12 and asset.mesh.is_watertight
