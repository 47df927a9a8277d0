"""Default headless renderer: OpenGL 3.3 through moderngl on an EGL context (no display).

* One GL context per process, created on first use and reused. A process forked *after*
  its parent rendered cannot render (Mesa's threads do not survive ``fork``): it gets a clear
  ``RuntimeError``; use the ``spawn`` or ``forkserver`` start method for worker processes.
  Each :func:`render_gl` call uploads the mesh once, renders every view of the rig from the
  same buffers and releases all GL objects it made before returning. Calls are serialised by
  a lock (a GL context is not thread-safe).
* Offscreen framebuffer, no multisampling: pixels are deterministic for a given driver.
  Anti-aliasing, when asked for (``rig.supersample > 1``), is a box filter over a larger image.
* Attachments: 0 RGBA8 shaded colour (cleared to the rig's background), 1 RGBA32F world-space
  geometric normal facing the camera (cleared to 0), 2 R32F eye-space depth along the view
  axis (cleared to +inf; the mask is ``depth < inf``). The projection's y axis is negated so
  ``glReadPixels`` returns the top row first; each attachment is read once per view straight
  into the output arrays, so there is no per-pixel post-processing.
* Textures are sampled bilinearly with mipmaps and repeat wrapping; UV (0, 0) is the bottom
  left of the image (trimesh/OpenGL convention; trimesh already flips glTF's top-left origin).
* Lighting and colour sources: see :mod:`mme3dr.render.common`.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import numpy as np
import trimesh

from mme3dr.render import common
from mme3dr.render.rig import Rig
from mme3dr.render.views import Views

_VERTEX_SHADER = """
#version 330
uniform mat4 u_mvp;
in vec3 in_pos;
in vec3 in_normal;
in vec3 in_color;
in vec2 in_uv;
out vec3 v_world;
flat out vec3 v_normal;
out vec3 v_color;
out vec2 v_uv;
void main() {
    v_world = in_pos;
    v_normal = in_normal;
    v_color = in_color;
    v_uv = in_uv;
    gl_Position = u_mvp * vec4(in_pos, 1.0);
}
"""

_FRAGMENT_SHADER = """
#version 330
uniform vec3 u_eye;
uniform vec3 u_forward;
uniform vec3 u_key_dir;
uniform vec3 u_light;  // ambient, headlight, key strengths
uniform sampler2D u_texture;
in vec3 v_world;
flat in vec3 v_normal;
in vec3 v_color;
in vec2 v_uv;
layout(location = 0) out vec4 f_color;
layout(location = 1) out vec4 f_normal;
layout(location = 2) out float f_depth;
void main() {
    vec3 n = v_normal;
    float len = length(n);
    n = len > 0.0 ? n / len : -u_forward;
    if (dot(n, u_eye - v_world) < 0.0) n = -n;  // two-sided: face the camera
    vec3 base = v_color * texture(u_texture, v_uv).rgb;
    float light = u_light.x + u_light.y * max(dot(n, -u_forward), 0.0)
                + u_light.z * max(dot(n, u_key_dir), 0.0);
    f_color = vec4(clamp(base * light, 0.0, 1.0), 1.0);
    f_normal = vec4(n, 0.0);
    f_depth = dot(v_world - u_eye, u_forward);
}
"""

_LOCK = threading.RLock()
_STATE: dict[str, Any] = {}

INSTALL_HINT = (
    "mme3dr's gl renderer needs an OpenGL 3.3 context without a display: install EGL and a "
    "Mesa driver (Debian/Ubuntu: apt-get install libegl1 libgl1-mesa-dri; Fedora: "
    "mesa-libEGL mesa-dri-drivers), or pass backend='pytorch3d' where PyTorch3D is installed"
)


FORK_HINT = (
    "this process was forked from one that had already rendered with OpenGL; Mesa's driver "
    "threads do not survive fork, so rendering here would hang. Start worker processes with "
    "multiprocessing's 'spawn' or 'forkserver' method, or render only in the children"
)


def _after_fork_in_child() -> None:
    if "ctx" in _STATE:
        _STATE["inherited_from_fork"] = True


os.register_at_fork(after_in_child=_after_fork_in_child)


def get_context() -> Any:
    """The process's moderngl context: EGL first, then moderngl's default standalone context.

    Raises ``RuntimeError`` naming the packages to install when neither can be created, and
    ``RuntimeError`` in a process forked after its parent created a context (see FORK_HINT).
    """
    pid = os.getpid()
    with _LOCK:
        if _STATE.get("pid") == pid:
            return _STATE["ctx"]
        if _STATE.get("inherited_from_fork"):
            raise RuntimeError(FORK_HINT)
        # triton (pulled in by torchvision) and Mesa both carry LLVM: loading triton after a
        # context exists segfaults, so load it first (see mme3dr.native_libs.preload_native_libs)
        from mme3dr.native_libs import preload_native_libs

        preload_native_libs()
        import moderngl

        errors = []
        ctx = None
        for kwargs in ({"backend": "egl"}, {}):
            try:
                ctx = moderngl.create_standalone_context(require=330, **kwargs)
                break
            except Exception as exc:  # noqa: BLE001 - try the next way, report all
                label = kwargs.get("backend", "default")
                errors.append(f"{label}: {type(exc).__name__}: {exc}")
        if ctx is None:
            raise RuntimeError(INSTALL_HINT + " (" + "; ".join(errors) + ")")
        program = ctx.program(vertex_shader=_VERTEX_SHADER, fragment_shader=_FRAGMENT_SHADER)
        white = ctx.texture((1, 1), 3, data=bytes([255, 255, 255]))
        _STATE.clear()
        _STATE.update(pid=pid, ctx=ctx, program=program, white=white)
        return ctx


def context_info() -> dict[str, str]:
    """GL vendor, renderer and version strings of the process's context (for provenance)."""
    ctx = get_context()
    return {k: str(ctx.info.get(k, "")) for k in ("GL_VENDOR", "GL_RENDERER", "GL_VERSION")}


def _mat_bytes(m: np.ndarray) -> bytes:
    """A row-major numpy 4x4 as the column-major float32 bytes GLSL expects."""
    return np.ascontiguousarray(m.T, dtype=np.float32).tobytes()


def render_gl(mesh: trimesh.Trimesh, rig: Rig) -> Views:
    """Render ``mesh`` (already in the normalised asset frame) from every view of ``rig``."""
    t0 = time.perf_counter()
    arrays = common.triangle_arrays(mesh)
    bounds = np.array([arrays.positions.min(axis=0), arrays.positions.max(axis=0)], float)
    size = rig.resolution * rig.supersample
    n = rig.n_views
    rgb = np.empty((n, size, size, 3), dtype=np.uint8)
    normals = np.empty((n, size, size, 3), dtype=np.float32)
    depth = np.empty((n, size, size), dtype=np.float32)
    background = tuple(float(c) / 255.0 for c in rig.background_uint8())
    # the projection's y is negated so OpenGL's bottom-up rows come back top row first
    flip = np.diag([1.0, -1.0, 1.0, 1.0])

    with _LOCK:
        ctx = get_context()
        program = _STATE["program"]
        import moderngl

        owned: list[Any] = []
        with ctx:  # current on this thread; GL objects are also deleted while it is current
            try:
                data = np.hstack([arrays.positions, arrays.normals, arrays.colors, arrays.uvs])
                vbo = ctx.buffer(np.ascontiguousarray(data, dtype=np.float32).tobytes())
                owned.append(vbo)
                vao = ctx.vertex_array(
                    program,
                    [(vbo, "3f 3f 3f 2f", "in_pos", "in_normal", "in_color", "in_uv")],
                )
                owned.append(vao)
                if arrays.texture is not None:
                    h, w = arrays.texture.shape[:2]
                    texture = ctx.texture((w, h), 3, data=arrays.texture.tobytes(), alignment=1)
                    owned.append(texture)
                    texture.repeat_x = texture.repeat_y = True
                    texture.build_mipmaps()
                    texture.filter = (moderngl.LINEAR_MIPMAP_LINEAR, moderngl.LINEAR)
                else:
                    texture = _STATE["white"]
                color_rb = ctx.renderbuffer((size, size), 4, dtype="f1")
                normal_rb = ctx.renderbuffer((size, size), 4, dtype="f4")
                depth_rb = ctx.renderbuffer((size, size), 1, dtype="f4")
                zbuffer = ctx.depth_renderbuffer((size, size))
                owned += [color_rb, normal_rb, depth_rb, zbuffer]
                fbo = ctx.framebuffer([color_rb, normal_rb, depth_rb], zbuffer)
                # one framebuffer per attachment, to clear each to its own background value
                # (the colour one also clears the z-buffer to 1)
                clears = [
                    (ctx.framebuffer([color_rb], zbuffer), (*background, 0.0)),
                    (ctx.framebuffer([normal_rb]), (0.0, 0.0, 0.0, 0.0)),
                    (ctx.framebuffer([depth_rb]), (np.inf, 0.0, 0.0, 0.0)),
                ]
                owned += [fbo] + [c[0] for c in clears]

                ctx.enable(moderngl.DEPTH_TEST)
                ctx.disable(moderngl.CULL_FACE | moderngl.BLEND)
                texture.use(location=0)
                program["u_texture"].value = 0
                program["u_light"].value = (common.AMBIENT, common.HEADLIGHT, common.KEY)
                for i in range(n):
                    cam = rig.camera(i)
                    near, far = common.near_far(bounds, cam["eye"], cam["forward"])
                    mvp = flip @ rig.projection_matrix(near, far) @ rig.view_matrix(i)
                    program["u_mvp"].write(_mat_bytes(mvp))
                    program["u_eye"].value = tuple(cam["eye"].tolist())
                    program["u_forward"].value = tuple(cam["forward"].tolist())
                    key = common.key_light_dir(cam["right"], cam["up"], cam["forward"])
                    program["u_key_dir"].value = tuple(key.tolist())
                    for clear_fbo, value in clears:
                        clear_fbo.clear(*value)
                    fbo.use()
                    vao.render(moderngl.TRIANGLES)
                    fbo.read_into(rgb[i], components=3, attachment=0, dtype="f1")
                    fbo.read_into(normals[i], components=3, attachment=1, dtype="f4")
                    fbo.read_into(depth[i], components=1, attachment=2, dtype="f4")
            finally:
                for obj in reversed(owned):
                    obj.release()

    mask = depth < np.inf
    rgb, normals, depth, mask = common.downsample(rgb, normals, depth, mask, rig.supersample)
    return Views(
        rgb=rgb,
        normals=normals,
        depth=depth,
        mask=mask,
        rig=rig,
        backend="gl",
        seconds=time.perf_counter() - t0,
    )
