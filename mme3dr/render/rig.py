"""Camera rigs: where the cameras of a render stand and what they see.

Conventions (shared by every backend):

* world frame is the asset frame: right-handed, **+Z up**, the asset centred in x/y, resting on
  z = 0, largest extent 1 (see :mod:`mme3dr.assets`).
* every camera looks at ``target`` from ``distance`` away (normalised units), with the image's
  up direction the projection of +Z (the image's right direction is always horizontal).
* **azimuth** 0 puts the camera on the **-Y** axis looking toward +Y (the *front* view: +X
  appears on the right of the image). Azimuth grows **counter-clockwise seen from above**: at
  90 deg the camera stands on +X looking toward -X, at 180 deg on +Y, at 270 deg on -X.
* **elevation** is the angle above the horizontal plane through ``target``: 0 is level,
  90 looks straight down (image up is then the horizontal direction the camera faces).

  camera position = target + distance * (sin(az) cos(el), -cos(az) cos(el), sin(el))

* ``fov_deg`` is the full vertical (= horizontal, images are square) field of view.
* ``supersample`` renders at ``resolution * supersample`` pixels and box-filters down
  (deterministic anti-aliasing); 1 means no anti-aliasing.

The default framing (``target`` (0, 0, 0.5), ``distance`` 2.6, ``fov_deg`` 40) keeps the whole
bounding sphere of a normalised asset (radius sqrt(3)/2 around (0, 0, 0.5)) inside the image
from every direction: sin(20 deg) * 2.6 = 0.889 > 0.866.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from mme3dr.errors import ConfigError

CONVENTION = (
    "+Z up; azimuth 0 = camera on -Y looking +Y, counter-clockwise seen from above "
    "(90 = camera on +X); elevation above the horizontal through target; degrees"
)


@dataclass(frozen=True)
class Rig:
    """A set of views of one asset. Angles in degrees, lengths in normalised asset units.

    ``azimuths_deg`` and ``elevations_deg`` have one entry per view (same length).
    ``background`` is RGB in [0, 1].
    """

    name: str
    azimuths_deg: tuple[float, ...]
    elevations_deg: tuple[float, ...]
    fov_deg: float = 40.0
    distance: float = 2.6
    resolution: int = 256
    background: tuple[float, float, float] = (1.0, 1.0, 1.0)
    target: tuple[float, float, float] = (0.0, 0.0, 0.5)
    supersample: int = 1

    def __post_init__(self) -> None:
        # normalise containers to tuples of floats so rigs hash and compare by value
        set_ = object.__setattr__
        set_(self, "azimuths_deg", tuple(float(a) for a in self.azimuths_deg))
        set_(self, "elevations_deg", tuple(float(e) for e in self.elevations_deg))
        set_(self, "background", tuple(float(c) for c in self.background))
        set_(self, "target", tuple(float(c) for c in self.target))
        set_(self, "fov_deg", float(self.fov_deg))
        set_(self, "distance", float(self.distance))
        if len(self.azimuths_deg) == 0:
            raise ValueError(f"rig {self.name!r}: needs at least one view")
        if len(self.azimuths_deg) != len(self.elevations_deg):
            raise ValueError(
                f"rig {self.name!r}: {len(self.azimuths_deg)} azimuths but "
                f"{len(self.elevations_deg)} elevations (need one of each per view)"
            )
        if not 0.0 < self.fov_deg < 180.0:
            raise ValueError(f"rig {self.name!r}: fov_deg must be in (0, 180), got {self.fov_deg}")
        if not self.distance > 0.0:
            raise ValueError(f"rig {self.name!r}: distance must be > 0, got {self.distance}")
        if int(self.resolution) != self.resolution or self.resolution < 1:
            raise ValueError(f"rig {self.name!r}: resolution must be a positive integer")
        if int(self.supersample) != self.supersample or not 1 <= self.supersample <= 8:
            raise ValueError(f"rig {self.name!r}: supersample must be an integer in [1, 8]")
        set_(self, "resolution", int(self.resolution))
        set_(self, "supersample", int(self.supersample))
        if len(self.background) != 3 or not all(0.0 <= c <= 1.0 for c in self.background):
            raise ValueError(f"rig {self.name!r}: background must be 3 values in [0, 1]")
        if len(self.target) != 3:
            raise ValueError(f"rig {self.name!r}: target must be 3 values")

    @property
    def n_views(self) -> int:
        return len(self.azimuths_deg)

    def with_(self, **changes: Any) -> Rig:
        """A copy with some fields changed, e.g. ``rig.with_(resolution=299)``."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable description with everything needed to reproduce the views."""
        d = dataclasses.asdict(self)
        for key in ("azimuths_deg", "elevations_deg", "background", "target"):
            d[key] = list(d[key])
        d["n_views"] = self.n_views
        d["convention"] = CONVENTION
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Rig:
        """Inverse of :meth:`to_dict` (extra keys such as ``n_views`` are ignored)."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})

    def background_uint8(self) -> np.ndarray:
        """The background colour as uint8 RGB (rounded)."""
        return np.round(np.asarray(self.background, dtype=np.float64) * 255.0).astype(np.uint8)

    def camera(self, view: int) -> dict[str, np.ndarray]:
        """Camera frame of one view, float64 world vectors.

        Returns ``eye`` (position), ``forward`` (unit, toward the target), ``right`` and ``up``
        (unit, image right and image up). ``right`` is horizontal; ``up = right x forward``.
        """
        az = math.radians(self.azimuths_deg[view])
        el = math.radians(self.elevations_deg[view])
        direction = np.array(
            [math.sin(az) * math.cos(el), -math.cos(az) * math.cos(el), math.sin(el)]
        )
        eye = np.asarray(self.target, dtype=np.float64) + self.distance * direction
        forward = -direction
        right = np.array([math.cos(az), math.sin(az), 0.0])
        up = np.cross(right, forward)
        up /= np.linalg.norm(up)
        return {"eye": eye, "forward": forward, "right": right, "up": up}

    def view_matrix(self, view: int) -> np.ndarray:
        """4x4 world-to-camera matrix (OpenGL eye space: x right, y up, looking along -z)."""
        cam = self.camera(view)
        m = np.eye(4)
        m[0, :3] = cam["right"]
        m[1, :3] = cam["up"]
        m[2, :3] = -cam["forward"]
        m[:3, 3] = -m[:3, :3] @ cam["eye"]
        return m

    def projection_matrix(self, near: float, far: float) -> np.ndarray:
        """4x4 OpenGL perspective projection for this rig's field of view (square aspect)."""
        f = 1.0 / math.tan(math.radians(self.fov_deg) / 2.0)
        m = np.zeros((4, 4))
        m[0, 0] = f
        m[1, 1] = f
        m[2, 2] = (far + near) / (near - far)
        m[2, 3] = 2.0 * far * near / (near - far)
        m[3, 2] = -1.0
        return m


def _orbit(name: str, azimuths: int, elevations: tuple[float, ...], **kw: Any) -> Rig:
    """``azimuths`` evenly spaced azimuths starting at 0, for each elevation (elevation-major)."""
    az = tuple(360.0 * i / azimuths for i in range(azimuths))
    return Rig(
        name=name,
        azimuths_deg=az * len(elevations),
        elevations_deg=tuple(e for e in elevations for _ in range(azimuths)),
        **kw,
    )


#: Preset rigs by name. ``orbit24`` is 8 azimuths (every 45 deg) at each of the elevations
#: 0, 20 and 45 deg, ordered elevation-major (views 0-7 at 0 deg, 8-15 at 20 deg, 16-23 at 45).
RIGS: dict[str, Rig] = {
    rig.name: rig
    for rig in (
        Rig(name="front", azimuths_deg=(0.0,), elevations_deg=(20.0,)),
        _orbit("orbit4", 4, (20.0,)),
        _orbit("orbit8", 8, (20.0,)),
        _orbit("orbit8_224", 8, (20.0,), resolution=224),
        _orbit("orbit8_299", 8, (20.0,), resolution=299),
        _orbit("orbit24", 8, (0.0, 20.0, 45.0)),
        _orbit("orbit24_299", 8, (0.0, 20.0, 45.0), resolution=299),
        Rig(name="top", azimuths_deg=(0.0,), elevations_deg=(90.0,)),
    )
}


class UnknownRigError(ConfigError, KeyError):
    """Raised by :func:`get_rig` for a name not in :data:`RIGS` (a ``KeyError`` too)."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


def get_rig(name: str) -> Rig:
    """The preset rig called ``name``; ``KeyError`` listing the known names otherwise."""
    try:
        return RIGS[name]
    except KeyError:
        known = ", ".join(sorted(RIGS))
        raise UnknownRigError(f"unknown rig {name!r}; known rigs: {known}") from None
