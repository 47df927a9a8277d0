"""Backend-independent pieces: mesh to flat triangle arrays, lighting, supersample filtering.

Colour model (all backends): base colour comes from, in order of preference, a texture
(``TextureVisuals`` with UVs and a ``baseColorTexture``/``image``, multiplied by
``baseColorFactor`` and glTF ``COLOR_0`` vertex colours when present), vertex colours, face
colours, a material's flat colour, or a plain light grey (:data:`DEFAULT_GREY`). Alpha is
ignored (everything is opaque). Colours are used as stored (display/sRGB values, no gamma
conversion).

Lighting (fixed, in the camera frame, two-sided): the normal is flipped to face the camera,
then ``light = AMBIENT + HEADLIGHT * max(n.v, 0) + KEY * max(n.k, 0)`` where ``v`` points back
at the camera and ``k`` comes from above-left of the camera (see :func:`key_light_dir`);
``colour = clamp(base * light, 0, 1)``. Faces are shaded flat with their geometric normal.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import trimesh
from PIL import Image

DEFAULT_GREY = (0.8, 0.8, 0.8)
AMBIENT = 0.25
HEADLIGHT = 0.45
KEY = 0.45
#: textures larger than this (pixels, either side) are downsized before upload.
MAX_TEXTURE = 2048


@dataclass
class TriangleArrays:
    """Un-indexed triangles: 3 consecutive rows per face, float32.

    ``positions`` [3F, 3]; ``normals`` [3F, 3] unit face normals (0 for degenerate faces);
    ``colors`` [3F, 3] base colour in [0, 1]; ``uvs`` [3F, 2] (zeros without a texture);
    ``texture`` uint8 [H, W, 3] with row 0 at **v = 0** (the bottom of the image as stored
    in the file, trimesh's UV convention), or ``None``.
    """

    positions: np.ndarray
    normals: np.ndarray
    colors: np.ndarray
    uvs: np.ndarray
    texture: np.ndarray | None


def face_normals(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Unit geometric normals of each face from the winding (float64), 0 when degenerate."""
    tri = vertices[faces]
    n = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    length = np.linalg.norm(n, axis=1, keepdims=True)
    return np.divide(n, length, out=np.zeros_like(n), where=length > 0)


def _as_unit_rgb(color: object) -> np.ndarray | None:
    """A colour given as uint8 0-255 or float 0-1, RGB or RGBA, as float RGB in [0, 1]."""
    if color is None:
        return None
    c = np.asarray(color, dtype=np.float64).reshape(-1)
    if c.size < 3:
        return None
    c = c[:3]
    if c.max() > 1.0 or np.asarray(color).dtype == np.uint8:
        c = c / 255.0
    return np.clip(c, 0.0, 1.0)


def _texture_and_factor(visual: object) -> tuple[Image.Image | None, np.ndarray | None]:
    """The base-colour image and colour factor of a TextureVisuals' material."""
    material = getattr(visual, "material", None)
    if material is None:
        return None, None
    image = getattr(material, "baseColorTexture", None)
    factor = _as_unit_rgb(getattr(material, "baseColorFactor", None))
    if image is None:
        image = getattr(material, "image", None)
        if image is not None:
            factor = None  # OBJ: map_Kd replaces Kd (trimesh's default Kd is a dark grey)
        else:
            factor = factor if factor is not None else _as_unit_rgb(
                getattr(material, "diffuse", None)
            )
    return image, factor


def _texture_array(image: Image.Image) -> np.ndarray:
    """RGB uint8 array flipped so row 0 is v = 0 (bottom of the image)."""
    image = image.convert("RGB")
    if max(image.size) > MAX_TEXTURE:
        scale = MAX_TEXTURE / max(image.size)
        size = (max(1, round(image.size[0] * scale)), max(1, round(image.size[1] * scale)))
        image = image.resize(size, Image.Resampling.BILINEAR)
    return np.ascontiguousarray(np.asarray(image, dtype=np.uint8)[::-1])


def triangle_arrays(mesh: trimesh.Trimesh) -> TriangleArrays:
    """Flatten a mesh and its visuals into per-corner arrays (see :class:`TriangleArrays`)."""
    vertices = np.asarray(mesh.vertices, dtype=np.float64)
    faces = np.asarray(mesh.faces, dtype=np.int64)
    n_faces = len(faces)
    corners = faces.reshape(-1)
    positions = vertices[corners].astype(np.float32)
    normals = np.repeat(face_normals(vertices, faces), 3, axis=0).astype(np.float32)
    uvs = np.zeros((3 * n_faces, 2), dtype=np.float32)
    colors: np.ndarray | None = None
    texture = None

    visual = getattr(mesh, "visual", None)
    kind = getattr(visual, "kind", None)
    if kind == "texture":
        image, factor = _texture_and_factor(visual)
        uv = getattr(visual, "uv", None)
        if image is not None and uv is not None and len(uv) == len(vertices):
            texture = _texture_array(image)
            uvs = np.asarray(uv, dtype=np.float32)[corners]
            base = factor if factor is not None else np.ones(3)
        else:
            base = factor if factor is not None else np.asarray(DEFAULT_GREY)
        colors = np.broadcast_to(base.astype(np.float32), (3 * n_faces, 3))
        # glTF COLOR_0 alongside a material multiplies the base colour
        attrs = getattr(visual, "vertex_attributes", None) or {}
        vcol = attrs.get("color") if hasattr(attrs, "get") else None
        if vcol is not None and len(vcol) == len(vertices):
            vcol = np.asarray(vcol)
            scale = 255.0 if vcol.dtype == np.uint8 or vcol.max() > 1.0 else 1.0
            colors = colors * (vcol[:, :3].astype(np.float32) / scale)[corners]
    elif kind == "vertex":
        vc = np.asarray(visual.vertex_colors)[:, :3].astype(np.float32) / 255.0
        colors = vc[corners]
    elif kind == "face":
        fc = np.asarray(visual.face_colors)[:, :3].astype(np.float32) / 255.0
        colors = np.repeat(fc, 3, axis=0)
    if colors is None:
        colors = np.broadcast_to(np.asarray(DEFAULT_GREY, dtype=np.float32), (3 * n_faces, 3))
    return TriangleArrays(
        positions=positions,
        normals=normals,
        colors=np.ascontiguousarray(colors, dtype=np.float32),
        uvs=uvs,
        texture=texture,
    )


def key_light_dir(right: np.ndarray, up: np.ndarray, forward: np.ndarray) -> np.ndarray:
    """Unit direction *toward* the key light: above, left of and behind the camera."""
    d = -0.5 * forward + up - 0.5 * right
    return d / np.linalg.norm(d)


def near_far(bounds: np.ndarray, eye: np.ndarray, forward: np.ndarray) -> tuple[float, float]:
    """Clip planes that enclose the mesh's bounding box along the view axis."""
    lo, hi = bounds
    corners = np.array([[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1])
                        for z in (lo[2], hi[2])])
    d = (corners - eye) @ forward
    span = max(float(d.max() - d.min()), 1e-3)
    near = max(float(d.min()) - 0.05 * span, 1e-3 * span, 1e-4)
    far = max(float(d.max()) + 0.05 * span, near * 2.0)
    return near, far


def downsample(
    rgb: np.ndarray,
    normals: np.ndarray,
    depth: np.ndarray,
    mask: np.ndarray,
    factor: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Box-filter ``factor x factor`` blocks of supersampled buffers (deterministic AA).

    ``rgb`` (uint8, background already filled) is averaged, rounding half up; a pixel is foreground
    when at least half its samples are; normals are the renormalised mean of covered samples;
    depth the mean of covered samples (``inf`` on background).
    """
    if factor == 1:
        return rgb, normals, depth, mask
    samples = factor * factor
    # integer sums for colour (exact: 64 * 255 fits in uint16), rounded half up
    rgb_sum = _block_sum(rgb.astype(np.uint16), factor)
    rgb_out = ((rgb_sum + samples // 2) // samples).astype(np.uint8)
    cover = _block_sum(mask.astype(np.uint8), factor)
    mask_out = 2 * cover >= samples
    nsum = _block_sum(normals, factor)
    length = np.sqrt(np.einsum("...i,...i->...", nsum, nsum))[..., None]
    normals_out = np.divide(nsum, length, out=np.zeros_like(nsum), where=length > 0)
    normals_out *= mask_out[..., None]
    dsum = _block_sum(np.where(mask, depth, np.float32(0.0)), factor)
    depth_out = np.full(dsum.shape, np.inf, dtype=np.float32)
    np.divide(dsum, cover, out=depth_out, where=mask_out)
    return rgb_out, normals_out.astype(np.float32), depth_out, mask_out


def _block_sum(a: np.ndarray, factor: int) -> np.ndarray:
    """Sum of each ``factor x factor`` pixel block of ``a`` [V, H, W, ...] (fixed order)."""
    total = a[:, 0::factor, 0::factor].copy()
    for i in range(factor):
        for j in range(factor):
            if i or j:
                total += a[:, i::factor, j::factor]
    return total
