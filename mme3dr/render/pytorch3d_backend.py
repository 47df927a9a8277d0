"""Optional renderer on PyTorch3D's rasteriser (GPU when available), same conventions as ``gl``.

Imported lazily by :func:`mme3dr.render.render`; ``import pytorch3d`` happens inside
:func:`render_pytorch3d`, which raises ``RuntimeError`` when PyTorch3D is not installed.
Colour and lighting follow :mod:`mme3dr.render.common`. Textures are sampled bilinearly
(no mipmaps) and results are close to, not bit-identical with, the ``gl`` backend.
"""

from __future__ import annotations

import time

import numpy as np
import trimesh

from mme3dr.render import common
from mme3dr.render.rig import Rig
from mme3dr.render.views import Views


def render_pytorch3d(mesh: trimesh.Trimesh, rig: Rig, device: str | None = None) -> Views:
    """Render ``mesh`` from every view of ``rig`` with PyTorch3D's mesh rasteriser."""
    try:
        import torch
        from pytorch3d.renderer import FoVPerspectiveCameras, MeshRasterizer
        from pytorch3d.renderer import RasterizationSettings as Settings
        from pytorch3d.structures import Meshes
    except ImportError as exc:
        raise RuntimeError(
            "the pytorch3d render backend needs PyTorch3D (see "
            "https://github.com/facebookresearch/pytorch3d/blob/main/INSTALL.md); "
            f"import failed: {exc}. Use backend='gl' instead."
        ) from None

    t0 = time.perf_counter()
    dev = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    arrays = common.triangle_arrays(mesh)
    size = rig.resolution * rig.supersample
    world = torch.from_numpy(arrays.positions.astype(np.float64)).to(dev)
    faces = torch.arange(len(world), device=dev).reshape(-1, 3)
    face_normals = torch.from_numpy(arrays.normals[::3]).to(dev)
    colors = torch.from_numpy(arrays.colors).to(dev)
    uvs = torch.from_numpy(arrays.uvs).to(dev)
    texture = None
    if arrays.texture is not None:  # [1, 3, H, W], row 0 = v = 0
        texture = torch.from_numpy(arrays.texture).to(dev).permute(2, 0, 1)[None].float() / 255
    bounds = np.array([arrays.positions.min(axis=0), arrays.positions.max(axis=0)], float)
    bg = torch.tensor(rig.background_uint8(), device=dev, dtype=torch.uint8)

    rgbs, normals_out, depths, masks = [], [], [], []
    for i in range(rig.n_views):
        cam = rig.camera(i)
        near, far = common.near_far(bounds, cam["eye"], cam["forward"])
        view = torch.from_numpy(rig.view_matrix(i)).to(dev)
        eye_space = world @ view[:3, :3].T + view[:3, 3]
        # our eye space: x right, y up, looking down -z; PyTorch3D's: x left, y up, +z forward
        p3d = (eye_space * torch.tensor([-1.0, 1.0, -1.0], device=dev)).float()
        cameras = FoVPerspectiveCameras(
            znear=near, zfar=far, fov=rig.fov_deg, R=torch.eye(3)[None], T=torch.zeros(1, 3),
            device=dev,
        )
        raster = MeshRasterizer(cameras=cameras, raster_settings=Settings(image_size=size))
        frags = raster(Meshes(verts=[p3d], faces=[faces]))
        pix_face = frags.pix_to_face[0, ..., 0]
        mask = pix_face >= 0
        fidx = pix_face.clamp(min=0)
        bary = frags.bary_coords[0, ..., 0, :]  # [H, W, 3]
        corner = faces[fidx]  # [H, W, 3]

        def interp(attr: torch.Tensor, corner: torch.Tensor = corner, bary: torch.Tensor = bary):
            return (attr[corner] * bary[..., None]).sum(dim=-2)

        forward = torch.tensor(cam["forward"], device=dev, dtype=torch.float32)
        eye = torch.tensor(cam["eye"], device=dev, dtype=torch.float32)
        n = face_normals[fidx]
        pos = interp(world.float())
        flip = ((eye - pos) * n).sum(-1, keepdim=True) < 0
        n = torch.where(flip, -n, n)
        base = interp(colors)
        if texture is not None:
            uv = interp(uvs).remainder(1.0) * 2 - 1  # grid_sample: y = -1 is row 0 (v = 0)
            sampled = torch.nn.functional.grid_sample(
                texture, uv[None], mode="bilinear", align_corners=False
            )
            base = base * sampled[0].permute(1, 2, 0)
        key = torch.tensor(
            common.key_light_dir(cam["right"], cam["up"], cam["forward"]),
            device=dev,
            dtype=torch.float32,
        )
        light = (
            common.AMBIENT
            + common.HEADLIGHT * (n @ -forward).clamp(min=0)
            + common.KEY * (n @ key).clamp(min=0)
        )
        rgb = (base * light[..., None]).clamp(0, 1).mul(255).round().to(torch.uint8)
        rgb = torch.where(mask[..., None], rgb, bg)
        depth = ((pos - eye) @ forward).masked_fill(~mask, float("inf"))
        rgbs.append(rgb)
        normals_out.append(n.masked_fill(~mask[..., None], 0.0))
        depths.append(depth)
        masks.append(mask)

    def stack(items: list) -> np.ndarray:
        return torch.stack(items).cpu().numpy()

    rgb, normals, depth, mask = common.downsample(
        stack(rgbs), stack(normals_out).astype(np.float32), stack(depths).astype(np.float32),
        stack(masks), rig.supersample,
    )
    return Views(
        rgb=rgb,
        normals=normals,
        depth=depth,
        mask=mask,
        rig=rig,
        backend="pytorch3d",
        seconds=time.perf_counter() - t0,
    )
