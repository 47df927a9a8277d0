"""Pixel-level tests of the headless renderer (mme3dr.render) on known-answer meshes."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import trimesh
from PIL import Image

from mme3dr.assets import Asset
from mme3dr.render import Rig, Views, available_backends, get_rig, render, render_to_dir

RES = 96


@pytest.fixture(scope="module", autouse=True)
def gl_context():
    """Skip (not fail) the module where no headless OpenGL context can be created."""
    from mme3dr.render.gl import get_context

    try:
        get_context()
    except RuntimeError as exc:
        pytest.skip(f"no headless OpenGL: {exc}")


def _box(extents, centre=(0.0, 0.0, 0.0)) -> trimesh.Trimesh:
    box = trimesh.creation.box(extents=extents)
    box.apply_translation(centre)
    return box


def _asset(*parts: trimesh.Trimesh) -> Asset:
    mesh = parts[0] if len(parts) == 1 else trimesh.util.concatenate(list(parts))
    return Asset.from_trimesh(mesh)


def _rig(name: str = "orbit8", **changes) -> Rig:
    return get_rig(name).with_(**{"resolution": RES, **changes})


@pytest.fixture(scope="module")
def cube() -> Asset:
    return _asset(_box((1, 1, 1)))


@pytest.fixture(scope="module")
def cube_views(cube: Asset) -> Views:
    return render(cube, _rig("orbit8"))


def _rows_cols(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    return rows, cols


# ---------------------------------------------------------------- shapes, dtypes, background


def test_views_shapes_and_dtypes(cube_views: Views):
    v = cube_views
    assert v.rgb.shape == (8, RES, RES, 3) and v.rgb.dtype == np.uint8
    assert v.normals.shape == (8, RES, RES, 3) and v.normals.dtype == np.float32
    assert v.depth.shape == (8, RES, RES) and v.depth.dtype == np.float32
    assert v.mask.shape == (8, RES, RES) and v.mask.dtype == np.bool_
    assert v.backend == "gl" and v.seconds > 0 and v.rig.resolution == RES


def test_cube_coverage_and_background(cube_views: Views):
    cover = cube_views.mask.mean(axis=(1, 2))
    assert np.all(cover > 0.10) and np.all(cover < 0.60), cover
    bg = cube_views.rig.background_uint8()
    assert np.all(cube_views.rgb[~cube_views.mask] == bg)
    assert np.all(np.isinf(cube_views.depth[~cube_views.mask]))
    assert np.all(cube_views.normals[~cube_views.mask] == 0)
    # the whole asset is in frame: nothing touches the image border
    border = np.zeros((RES, RES), bool)
    border[[0, -1], :] = border[:, [0, -1]] = True
    assert not cube_views.mask[:, border].any()
    # foreground is lit and not the background colour
    fg = cube_views.rgb[cube_views.mask]
    assert fg.mean() > 60 and np.any(fg != bg, axis=-1).mean() > 0.99


def test_custom_background(cube: Asset):
    v = render(cube, _rig("front", background=(0.0, 0.5, 1.0)))
    assert np.all(v.rgb[~v.mask] == np.array([0, 128, 255], np.uint8))


def test_whole_unit_asset_in_frame_every_view():
    """A 1x1x1 cube seen from above and from the side stays inside every image."""
    views = render(_asset(_box((1, 1, 1))), _rig("orbit24"))
    assert not views.mask[:, [0, -1], :].any() and not views.mask[:, :, [0, -1]].any()


# ---------------------------------------------------------------- orientation conventions


def test_tall_thin_box_is_taller_than_wide_in_every_view():
    views = render(_asset(_box((0.2, 0.2, 1.0))), _rig("orbit8"))
    for i in range(views.n_views):
        rows, cols = _rows_cols(views.mask[i])
        assert len(rows) > 2 * len(cols), (i, len(rows), len(cols))


def test_top_heavy_object_has_mass_at_top_of_image():
    """A thin stem with a wide cap on top: most pixels lie in the upper half (row 0 = top)."""
    stem = _box((0.2, 0.2, 0.6), (0, 0, 0.3))
    cap = _box((1.0, 1.0, 0.3), (0, 0, 0.75))
    views = render(_asset(stem, cap), _rig("orbit8"))
    for i in range(views.n_views):
        rows, _ = _rows_cols(views.mask[i])
        mid = (rows[0] + rows[-1]) / 2
        r = np.nonzero(views.mask[i])[0]
        assert (r < mid).sum() > 2 * (r > mid).sum(), i


def test_azimuth_convention_plus_x_is_right_in_front_view():
    """A tall post at +X next to a low slab: front view (az 0) shows the post on the right."""
    slab = _box((0.6, 0.6, 0.2), (-0.3, 0, 0.1))
    post = _box((0.15, 0.15, 0.8), (0.3, 0, 0.4))
    asset = _asset(slab, post)
    rig = _rig("orbit4", elevations_deg=(0.0,) * 4)  # az 0, 90, 180, 270

    views = render(asset, rig)

    def tallest_column(i: int) -> int:
        return int(np.argmax(views.mask[i].sum(axis=0)))

    assert tallest_column(0) > RES / 2  # front: +X on the right
    assert tallest_column(2) < RES / 2  # back (camera on +Y): +X on the left
    # az 90: camera on +X, the post is nearest; az 270 it is behind the slab
    centre = views.depth[:, RES // 2 + 0, :]
    assert np.nanmin(centre[1][np.isfinite(centre[1])]) < np.nanmin(
        centre[3][np.isfinite(centre[3])]
    )


def test_camera_positions_follow_documented_convention():
    rig = Rig("t", (0.0, 90.0, 180.0, 270.0), (0.0, 0.0, 0.0, 90.0), distance=2.0)
    eyes = [rig.camera(i)["eye"] for i in range(4)]
    np.testing.assert_allclose(eyes[0], (0, -2, 0.5), atol=1e-9)
    np.testing.assert_allclose(eyes[1], (2, 0, 0.5), atol=1e-9)
    np.testing.assert_allclose(eyes[2], (0, 2, 0.5), atol=1e-9)
    np.testing.assert_allclose(eyes[3], (0, 0, 2.5), atol=1e-9)
    cam = rig.camera(0)
    np.testing.assert_allclose(cam["right"], (1, 0, 0), atol=1e-9)
    np.testing.assert_allclose(cam["up"], (0, 0, 1), atol=1e-9)


# ---------------------------------------------------------------- normals and depth


def test_top_face_normal_points_up_from_above(cube: Asset):
    for rig in (_rig("top"), _rig("front", elevations_deg=(60.0,))):
        v = render(cube, rig)
        # the top face covers the upper-middle of the image from high elevations
        row = RES // 2 if rig.elevations_deg[0] == 90 else int(RES * 0.4)
        n = v.normals[0, row, RES // 2]
        np.testing.assert_allclose(n, (0, 0, 1), atol=1e-5)


def test_normals_are_unit_and_face_the_camera(cube_views: Views):
    n = cube_views.normals[cube_views.mask]
    np.testing.assert_allclose(np.linalg.norm(n, axis=-1), 1.0, atol=1e-5)
    for i in range(cube_views.n_views):
        forward = cube_views.rig.camera(i)["forward"]
        assert np.all(cube_views.normals[i][cube_views.mask[i]] @ forward < 1e-6)


def test_depth_matches_geometry_and_grows_with_distance(cube: Asset):
    near = render(cube, _rig("front", elevations_deg=(0.0,), distance=2.6))
    far = render(cube, _rig("front", elevations_deg=(0.0,), distance=3.5))
    # the front face (y = -0.5) is 0.5 nearer than the target
    assert near.depth[0, RES // 2, RES // 2] == pytest.approx(2.1, abs=1e-4)
    assert far.depth[0, RES // 2, RES // 2] == pytest.approx(3.0, abs=1e-4)
    assert far.mask.sum() < near.mask.sum()  # farther away looks smaller


def test_depth_increases_across_a_slanted_face(cube: Asset):
    """Seen from az 45, the cube's vertical edge is nearest; depth grows toward the sides."""
    v = render(cube, _rig("front", azimuths_deg=(45.0,), elevations_deg=(0.0,)))
    row = v.depth[0, RES // 2]
    centre = RES // 2
    cols = np.flatnonzero(np.isfinite(row))
    assert row[centre] < row[cols[0] + 2] and row[centre] < row[cols[-1] - 2]


# ---------------------------------------------------------------- colour sources


def test_vertex_colours_render():
    mesh = _box((1, 1, 1))
    mesh.visual = trimesh.visual.ColorVisuals(
        mesh, vertex_colors=np.tile([230, 20, 20, 255], (len(mesh.vertices), 1))
    )
    v = render(_asset(mesh), _rig("orbit4"))
    fg = v.rgb[v.mask].astype(int)
    assert np.all(fg[:, 0] > fg[:, 1] + 40) and np.all(fg[:, 0] > fg[:, 2] + 40)


def test_face_colours_render():
    mesh = _box((1, 1, 1))
    colours = np.tile([20, 20, 230, 255], (len(mesh.faces), 1))
    mesh.visual = trimesh.visual.ColorVisuals(mesh, face_colors=colours)
    v = render(_asset(mesh), _rig("front"))
    fg = v.rgb[v.mask].astype(int)
    assert np.all(fg[:, 2] > fg[:, 0] + 40)


def _quad_with_texture(material: str) -> trimesh.Trimesh:
    """A vertical unit square in the XZ plane facing -Y, UV (0,0) at its bottom-left corner.

    The image has red on top and blue at the bottom in its left half, green on top and
    yellow at the bottom in its right half (top = first image row, as in the file).
    """
    vertices = np.array([[-0.5, 0, 0], [0.5, 0, 0], [0.5, 0, 1], [-0.5, 0, 1]], float)
    faces = np.array([[0, 1, 2], [0, 2, 3]])
    uv = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], float)
    img = np.zeros((8, 8, 3), np.uint8)
    img[:4, :4] = (255, 0, 0)
    img[:4, 4:] = (0, 255, 0)
    img[4:, :4] = (0, 0, 255)
    img[4:, 4:] = (255, 255, 0)
    image = Image.fromarray(img)
    if material == "pbr":
        mat = trimesh.visual.material.PBRMaterial(baseColorTexture=image)
    else:
        mat = trimesh.visual.material.SimpleMaterial(image=image)
    visual = trimesh.visual.TextureVisuals(uv=uv, material=mat)
    return trimesh.Trimesh(vertices=vertices, faces=faces, visual=visual, process=False)


def _assert_quadrants(v: Views) -> None:
    rows, cols = _rows_cols(v.mask[0])
    top, bottom = rows[0] + len(rows) // 4, rows[-1] - len(rows) // 4
    left, right = cols[0] + len(cols) // 4, cols[-1] - len(cols) // 4
    img = v.rgb[0].astype(int)

    def dominant(px: np.ndarray) -> str:
        r, g, b = px
        if r > 100 and g > 100 and b < 60:
            return "yellow"
        return ("red", "green", "blue")[int(np.argmax(px))]

    assert dominant(img[top, left]) == "red"
    assert dominant(img[top, right]) == "green"
    assert dominant(img[bottom, left]) == "blue"
    assert dominant(img[bottom, right]) == "yellow"


@pytest.mark.parametrize("material", ["pbr", "simple"])
def test_texture_appears_upright_and_unmirrored(material: str):
    asset = _asset(_quad_with_texture(material))
    _assert_quadrants(render(asset, _rig("front", elevations_deg=(0.0,))))


@pytest.mark.parametrize("suffix", [".glb", ".obj"])
def test_texture_survives_file_round_trip(suffix: str, tmp_path):
    """UV origin conventions of glTF (top-left) and OBJ (bottom-left) as loaded by trimesh."""
    from mme3dr.assets import load_asset

    path = tmp_path / f"quad{suffix}"
    _quad_with_texture("pbr" if suffix == ".glb" else "simple").export(path)
    asset = load_asset(path, up_axis="+z")
    assert asset.provenance["visual"] == "texture"
    _assert_quadrants(render(asset, _rig("front", elevations_deg=(0.0,))))


def test_material_colour_without_texture():
    mesh = _box((1, 1, 1))
    mat = trimesh.visual.material.PBRMaterial(baseColorFactor=[0, 200, 0, 255])
    mesh.visual = trimesh.visual.TextureVisuals(material=mat)
    v = render(_asset(mesh), _rig("front"))
    fg = v.rgb[v.mask].astype(int)
    assert np.all(fg[:, 1] > fg[:, 0] + 40) and np.all(fg[:, 1] > fg[:, 2] + 40)


def test_untextured_mesh_is_light_grey(cube_views: Views):
    fg = cube_views.rgb[cube_views.mask].astype(int)
    assert np.all(np.abs(fg[:, 0] - fg[:, 1]) <= 1) and np.all(np.abs(fg[:, 1] - fg[:, 2]) <= 1)


def test_inverted_faces_still_lit(cube: Asset, cube_views: Views):
    flipped = cube.render_mesh.copy()
    flipped.invert()
    v = render(flipped, cube_views.rig)
    assert np.array_equal(v.mask, cube_views.mask)
    fg = v.rgb[v.mask]
    assert fg.mean() > 60 and (fg.max(axis=-1) > 30).all()
    # two-sided lighting and camera-facing normals: same image as the correctly wound cube
    assert np.abs(v.rgb.astype(int) - cube_views.rgb.astype(int)).max() <= 1
    np.testing.assert_allclose(v.normals, cube_views.normals, atol=1e-5)


# ---------------------------------------------------------------- determinism, AA, perf shape


def _digest(v: Views) -> str:
    h = hashlib.sha256()
    for a in (v.rgb, v.normals, v.depth, v.mask):
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


def test_deterministic_within_process(cube: Asset):
    rig = _rig("orbit8")
    a, b = render(cube, rig), render(cube, rig)
    for x, y in ((a.rgb, b.rgb), (a.normals, b.normals), (a.depth, b.depth), (a.mask, b.mask)):
        assert np.array_equal(x, y)


def test_deterministic_across_processes(cube: Asset):
    code = (
        "import hashlib, numpy as np, trimesh\n"
        "from mme3dr.assets import Asset\n"
        "from mme3dr.render import get_rig, render\n"
        "a = Asset.from_trimesh(trimesh.creation.box(extents=(1, 1, 1)))\n"
        f"v = render(a, get_rig('orbit8').with_(resolution={RES}))\n"
        "h = hashlib.sha256()\n"
        "for x in (v.rgb, v.normals, v.depth, v.mask):\n"
        "    h.update(np.ascontiguousarray(x).tobytes())\n"
        "print(h.hexdigest())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == _digest(render(cube, _rig("orbit8")))


def test_supersampling(cube: Asset, cube_views: Views):
    v = render(cube, cube_views.rig.with_(supersample=2))
    assert v.rgb.shape == cube_views.rgb.shape
    assert abs(int(v.mask.sum()) - int(cube_views.mask.sum())) < 0.03 * cube_views.mask.sum()
    assert np.all(np.isinf(v.depth[~v.mask])) and np.all(np.isfinite(v.depth[v.mask]))
    # edges get intermediate colours: more distinct values than without anti-aliasing
    assert len(np.unique(v.rgb[0].reshape(-1, 3), axis=0)) > len(
        np.unique(cube_views.rgb[0].reshape(-1, 3), axis=0)
    )
    assert np.array_equal(v.rgb, render(cube, v.rig).rgb)


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs Linux /proc")
def test_gl_objects_are_released():
    """Each render creates and frees a VBO, a texture and framebuffers: memory stays flat."""
    sphere = trimesh.creation.uv_sphere(count=[24, 24])
    image = Image.fromarray(np.random.default_rng(0).integers(0, 255, (512, 512, 3), np.uint8))
    uv = np.random.default_rng(1).random((len(sphere.vertices), 2))
    sphere.visual = trimesh.visual.TextureVisuals(
        uv=uv, material=trimesh.visual.material.PBRMaterial(baseColorTexture=image)
    )
    asset, rig = _asset(sphere), get_rig("orbit8")
    for _ in range(5):
        render(asset, rig)
    before = _rss_mb()
    for _ in range(40):
        render(asset, rig)
    assert _rss_mb() - before < 40


def test_many_renders_do_not_accumulate(cube: Asset):
    """Rendering repeatedly (GL objects released each time) keeps giving the same pixels."""
    rig = _rig("front", resolution=32)
    first = render(cube, rig).rgb
    for _ in range(30):
        assert np.array_equal(render(cube, rig).rgb, first)


# ---------------------------------------------------------------- rigs


def test_get_rig_unknown_lists_known_names():
    with pytest.raises(KeyError) as info:
        get_rig("no_such_rig")
    message = str(info.value)
    assert "no_such_rig" in message
    for name in ("orbit8", "orbit24", "front"):
        assert name in message


def test_presets():
    o8, o24, front = get_rig("orbit8"), get_rig("orbit24"), get_rig("front")
    assert o8.n_views == 8 and o8.resolution == 256
    assert o8.azimuths_deg == tuple(45.0 * i for i in range(8))
    assert set(o8.elevations_deg) == {20.0}
    assert o24.n_views == 24 and set(o24.elevations_deg) == {0.0, 20.0, 45.0}
    assert front.n_views == 1 and front.azimuths_deg == (0.0,)


def test_rig_to_dict_round_trip_and_with():
    rig = get_rig("orbit24")
    d = json.loads(json.dumps(rig.to_dict()))
    assert Rig.from_dict(d) == rig
    assert d["n_views"] == 24 and "azimuth 0" in d["convention"]
    small = rig.with_(resolution=64)
    assert small.resolution == 64 and rig.resolution == 256 and small.n_views == 24
    with pytest.raises(ValueError):
        Rig("bad", (0.0, 45.0), (20.0,))


def test_render_accepts_rig_name(cube: Asset):
    assert render(cube, "front").rgb.shape == (1, 256, 256, 3)


# ---------------------------------------------------------------- backends and output files


def test_backends():
    assert "gl" in available_backends()
    with pytest.raises(ValueError, match="unknown render backend"):
        render(_asset(_box((1, 1, 1))), _rig("front"), backend="vulkan")


def test_pytorch3d_backend_unavailable_is_clear(cube: Asset):
    if "pytorch3d" in available_backends():
        pytest.skip("pytorch3d is installed here")
    with pytest.raises(RuntimeError, match="PyTorch3D"):
        render(cube, _rig("front"), backend="pytorch3d")


def test_save_writes_views_and_contact_sheet(cube: Asset, tmp_path):
    rig = _rig("orbit4")
    paths = render_to_dir(cube, rig, tmp_path / "out")
    names = {p.name for p in paths}
    for i in range(4):
        for kind in ("rgb", "normal", "depth", "mask"):
            assert f"view_{i:02d}_{kind}.png" in names
    assert "contact_sheet.png" in names
    assert all(p.is_file() for p in paths)
    rgb = np.asarray(Image.open(tmp_path / "out" / "view_00_rgb.png"))
    assert rgb.shape == (RES, RES, 3)
    mask = np.asarray(Image.open(tmp_path / "out" / "view_00_mask.png"))
    assert set(np.unique(mask)) <= {0, 255}
    sheet = Image.open(tmp_path / "out" / "contact_sheet.png")
    assert sheet.width >= 2 * RES and sheet.height >= 2 * RES
    meta = json.loads((tmp_path / "out" / "render.json").read_text())
    assert meta["rig"]["resolution"] == RES and meta["backend"] == "gl"


def test_visualisations(cube_views: Views):
    for kind in ("rgb", "normal", "depth", "mask"):
        sheet = cube_views.contact_sheet(kind, columns=4)
        assert sheet.size[0] == 4 * RES
    assert cube_views.normals_rgb().dtype == np.uint8
    d = cube_views.depth_rgb()
    assert d.shape == cube_views.rgb.shape and np.all(d[~cube_views.mask] == 0)


def test_render_from_other_threads(cube: Asset):
    from concurrent.futures import ThreadPoolExecutor

    rig = _rig("front", resolution=48)
    ref = render(cube, rig).rgb
    with ThreadPoolExecutor(3) as pool:
        outs = list(pool.map(lambda _: render(cube, rig).rgb, range(6)))
    assert all(np.array_equal(o, ref) for o in outs)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_forked_child_gets_clear_error_not_a_hang(cube: Asset):
    render(cube, _rig("front", resolution=16))  # the parent has a live context
    pid = os.fork()
    if pid == 0:  # child: must raise RuntimeError at once
        code = 3
        try:
            render(cube, _rig("front", resolution=16))
        except RuntimeError as exc:
            code = 0 if "spawn" in str(exc) else 4
        except BaseException:
            code = 5
        os._exit(code)
    deadline = time.monotonic() + 30
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            pytest.fail("rendering in a forked child hung")
        time.sleep(0.05)
    assert os.waitstatus_to_exitcode(status) == 0
