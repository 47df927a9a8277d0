"""Per-check accuracy of the weight-free checks on three corpora: procedural known-answer shapes,
their generator-style exports, and real human-made meshes from Debian packages and PyPI.

Usage::

    python scripts/measure_corpora.py [--corpus procedural generator real] [--jobs 2]
        [--forms mc64 mc96 mc128 dense] [--every 1] [--dense-every 4] [--cached-only]
        [--cache ~/.cache/mme3dr/corpora] [--only NAME ...] [--misses] [--markdown]

* ``procedural``: every ``mme3dr`` case with a procedural reference and the part shapes of
  ``tests/parts_cases.py`` (``tests/generator_exports.py``), clean, at a yaw of 0.4.
* ``generator``: the same shapes yawed by 0.4 and exported like a grid decoder
  (``tests/generator_exports.export``: marching cubes of the 64/96/128-cubed occupancy, blur,
  Taubin smoothing, vertex-clustering decimation to half the faces, 1 % flipped triangles,
  4 pin-holes, split vertices; ``dense``: marching cubes at 256 without decimation, 300k-2M
  faces, on every ``--dense-every``-th shape). Exports are cached as ``.npz`` under ``--cache``.
* ``real``: the hand-annotated objects of :data:`REAL` (``docs/corpora.md`` justifies each
  answer). Their files come from Debian packages fetched with ``apt-get download`` and a PyPI
  wheel fetched with ``pip download`` into ``--cache`` (no root needed, nothing is
  installed), or from the copies kept in ``tests/data/real``; an entry that cannot be had
  is skipped.

An answer is right when the check runs (status ``ok``) and ``passed`` equals the expectation
(``want``, default true; a case's boolean ``expect`` inverts it, and its ``run: false`` checks
are not scored, as the runner does). Prints one line per wrong answer with ``--misses`` and
a table of right answers per check and corpus (``--markdown`` for the docs).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import os
import subprocess
import sys
import tarfile
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import numpy as np  # noqa: E402
import trimesh  # noqa: E402

DEFAULT_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "mme3dr" / \
    "corpora"

#: where the CGAL demo package keeps its meshes (inside ``data.tar.gz``).
CGAL_TAR = "usr/share/doc/libcgal-dev/data.tar.gz"
CGAL_LICENCE = "CC0-1.0 (CGAL's data files without a notice; debian/copyright of libcgal-demo)"
GEOMVIEW_LICENCE = "LGPL-2.1+ (debian/copyright of geomview)"
ASSIMP_LICENCE = "BSD-3-clause (assimp test models; debian/copyright of assimp-testmodels)"
PYBULLET_LICENCE = ("zlib (bullet3's LICENSE.txt: every file outside Extras/ and "
                    "ThirdPartyLibs/; pybullet_data is neither)")
#: packages fetched from PyPI instead of Debian (``pip download``), with the pinned version;
#: a ``whl:`` member is a path inside the wheel.
PYPI: dict[str, str] = {"pybullet": "3.2.7"}
#: licences whose files may be copied into :data:`VENDORED` (the rest are fetched).
VENDOR_LICENCES = ("CC0", "zlib")


@dataclass(frozen=True)
class Real:
    """A real mesh with hand-checked answers.

    Attributes:
        name: short id.
        package: Debian package shipping the file, or a :data:`PYPI` package.
        member: path of the file in the package (``tar:`` paths are inside ``CGAL_TAR``,
            ``whl:`` paths inside the PyPI wheel).
        licence: the file's licence as the package's copyright file states it.
        up: the file's up axis (``+y``, ``+x``, ...), mapped onto +Z on load.
        checks: check dicts; ``want`` (default true) is the expected ``passed``.
        why: how the answers were verified.
    """

    name: str
    package: str
    member: str
    licence: str
    up: str
    checks: tuple[dict, ...]
    why: str = ""
    extra: dict = field(default_factory=dict)


def _c(check: str, **params) -> dict:
    return {"check": check, **params}


def _cgal(name: str, up: str, checks: list[dict], why: str) -> Real:
    """A CGAL demo mesh ``data/meshes/<name>.off``; its entry name has ``_`` for ``-``."""
    return Real(name.replace("-", "_"), "libcgal-demo", f"tar:data/meshes/{name}.off",
                CGAL_LICENCE, up, tuple(checks), why)


ONE = [_c("parts", expect=1), _c("floating_parts")]
ANIMAL4 = [*ONE, _c("ground_contacts", expect=4), _c("through_holes", expect=0), _c("stable")]


def _pybullet(name: str, member: str, up: str, checks: list[dict], why: str) -> Real:
    """A mesh of pybullet's ``pybullet_data`` (the PyPI wheel's ``pybullet_data/<member>``)."""
    return Real(name, "pybullet", f"whl:pybullet_data/{member}", PYBULLET_LICENCE, up,
                tuple(checks), why)


#: Household objects and toys of pybullet's data (stop 25): a mug, a tray, a bunny, a ring
#: standing on its rim, a teddy bear made of convex pieces, a building brick. Annotated from
#: four views, the pieces' contacts, the surface's genus, exact vertex symmetry and the
#: rigid-body drop of scripts/verify_stable_physics.py, before scoring.
STOP25: list[Real] = [
    _pybullet("pb_mug", "objects/mug.obj", "+z",
              [_c("floating_parts"), _c("ground_contacts", expect=1),
               _c("through_holes", expect=1), _c("stable"), _c("holds_liquid"),
               _c("opening", direction="up"), _c("symmetry", kind="mirror"),
               _c("symmetry", kind="rotational", order=2, want=False)],
              "a mug on a flat bottom, open top; body and handle are two pieces, the handle's "
              "ends pushed 2 % into the wall; the handle makes one loop; simulated: stands"),
    _pybullet("pb_tray", "tray/tray_textured.obj", "+z",
              [_c("floating_parts"), _c("ground_contacts", expect=1),
               _c("through_holes", expect=0), _c("stable"), _c("holds_liquid"),
               _c("opening", direction="up"), _c("symmetry", kind="mirror"),
               _c("symmetry", kind="rotational", order=4)],
              "a square tray: a floor and four sloping walls, five slabs overlapping at the "
              "seams by under 1 %; simulated: stands"),
    _pybullet("pb_bunny", "bunny.obj", "+y",
              [*ONE, _c("stable"), _c("through_holes", expect=0),
               _c("symmetry", kind="mirror"),
               _c("symmetry", kind="rotational", order=2, want=False)],
              "a low-poly crouching rabbit; closed, genus 0; its vertices mirror onto "
              "vertices within 0.8 % of its size; simulated: stands"),
    _pybullet("pb_ring_on_rim", "torus/torus_textured.obj", "+z",
              [*ONE, _c("stable", want=False), _c("through_holes", expect=1),
               _c("symmetry", kind="mirror"), _c("symmetry", kind="rotational", order=2)],
              "a torus standing on its rim like a wheel; closed, genus 1; simulated: falls "
              "over (9 of 9)"),
    _pybullet("pb_teddy_hulls", "teddy2_VHACD_CHs.obj", "+y",
              [_c("floating_parts"), _c("stable", want=False)],
              "a sitting teddy bear as 15 convex hulls (a V-HACD decomposition), each sharing "
              "faces with its neighbours: none floats; simulated: falls back (9 of 9)"),
    _pybullet("pb_brick", "lego/lego.obj", "+y",
              [_c("floating_parts"), _c("stable"), _c("symmetry", kind="mirror"),
               _c("symmetry", kind="rotational", order=4), _c("opening", direction="down")],
              "a 2x2 building brick, studs up, hollow underneath: 34 pieces (shell, studs, "
              "tube, ribs) touching; simulated: stands"),
    _cgal("turbine", "+x", [*ONE, _c("through_holes", expect=11), _c("stable"),
                            _c("holds_liquid", want=False), _c("opening", direction="up"),
                            _c("symmetry", kind="mirror"),
                            _c("symmetry", kind="rotational", order=2)],
          "a funnel-shaped flange on its collar: a bore and ten bolt holes of about 1.5 % "
          "of its width; closed, genus 11; vertices 10-fold symmetric within 0.7 %"),
    _cgal("diplodocus", "+y", [*ONE, _c("through_holes", expect=0), _c("stable")],
          "a long-necked dinosaur standing on four legs, its tail tip near the floor; genus 0"),
    _cgal("anchor", "+z", [*ONE, _c("through_holes", expect=4)],
          "a CAD bracket as stored: two bolt holes in its plate, a pin hole in its lug and a "
          "bore; closed, genus 4"),
    _cgal("pinion", "+z", [*ONE, _c("through_holes", expect=1)],
          "a spur gear with a bore, its axis oblique as stored; closed, genus 1"),
]


#: CAD parts, polyhedra and tori added at stop 24. Mostly simple shapes: the accuracy on the
#: 31 entries before them is reported separately (docs/corpora.md).
STOP24: list[Real] = [
    _cgal("joint", "+z", [*ONE, _c("through_holes", expect=2), _c("stable")],
          "a CAD joint with a large bore and a small one; genus 2; simulated: stands"),
    _cgal("double-torus-example", "+z",
          [*ONE, _c("through_holes", expect=2), _c("stable", want=False)],
          "two fused tori lying tilted; genus 2 (4- to 8-sided faces); simulated: it drops "
          "onto its side from every release"),
    _cgal("torus_quad", "+y", [*ONE, _c("through_holes", expect=1), _c("stable"),
                               _c("ground_contacts", expect=1), _c("symmetry", kind="mirror")],
          "a 50-quad pentagonal torus lying flat; genus 1; exactly mirror-symmetric"),
    _cgal("star", "+z", [*ONE, _c("through_holes", expect=0), _c("stable", want=False),
                         _c("ground_contacts", expect=1),
                         _c("symmetry", kind="rotational", order=4),
                         _c("symmetry", kind="mirror")],
          "a six-pointed star balanced on one point: falls from every tilted release; its "
          "vertices map onto themselves under a quarter turn and a mirror"),
    _cgal("cross", "+z", [*ONE, _c("through_holes", expect=0), _c("stable"),
                          _c("ground_contacts", expect=1),
                          _c("symmetry", kind="rotational", order=4),
                          _c("symmetry", kind="mirror")],
          "a flat plus sign lying on its face; exactly 4-fold and mirror-symmetric"),
    _cgal("tripod", "+z", [*ONE, _c("through_holes", expect=0), _c("stable"),
                           _c("ground_contacts", expect=1)],
          "a three-armed plate lying on its face; genus 0"),
    _cgal("u", "+z", [*ONE, _c("through_holes", expect=0), _c("stable"),
                      _c("ground_contacts", expect=1)],
          "a plate with a round notch (not a hole) lying on its face; genus 0"),
    _cgal("handle", "+z", [*ONE, _c("through_holes", expect=0), _c("stable")],
          "a block with a blind hole, stored resting on an edge; genus 0; simulated: it rocks "
          "7.8 degrees onto its face and stays"),
    _cgal("dragknob", "+x", [*ONE, _c("through_holes", expect=0), _c("stable"),
                             _c("ground_contacts", expect=1)],
          "a turned knob on its flat face; genus 0; simulated: stands"),
    _cgal("fandisk", "+z", [*ONE, _c("through_holes", expect=0), _c("stable", want=False)],
          "the fandisk CAD part as stored, on a narrow edge; genus 0; simulated: falls"),
    _cgal("part", "+z", [*ONE, _c("through_holes", expect=0), _c("stable", want=False)],
          "a rounded CAD block as stored; genus 0; simulated: falls"),
    _cgal("blobby", "+z", [*ONE, _c("through_holes", expect=0), _c("stable", want=False)],
          "a smooth blob as stored; genus 0; simulated: tips onto its side"),
]

#: The real corpus. Answers were read off three orthographic views of each mesh and, for
#: ``through_holes`` and ``parts``, checked against the surface itself: every listed closed
#: mesh's genus (Euler characteristic of each connected component) and component count agree.
REAL: list[Real] = [
    _cgal("cow", "+y", ANIMAL4, "a cow standing on four hooves; closed, genus 0"),
    _cgal("camel", "+y", ANIMAL4, "a camel standing on four feet; closed, genus 0"),
    _cgal("triceratops", "+y", ANIMAL4, "standing on four feet; closed, genus 0"),
    _cgal("elephant", "+y", list(ONE),
          "one closed body; posed mid-stride (feet 0, 2.5 and 6 % above the lowest point) and "
          "its trunk loops give genus 3, so no contact, stability or hole count"),
    _cgal("man", "+z", [*ONE, _c("ground_contacts", expect=2), _c("through_holes", expect=0),
                        _c("stable", want=False)],
          "a man on both feet; closed, genus 0. Falls: his centre of mass is behind the line "
          "from heel to heel, and a rigid-body drop (scripts/verify_stable_physics.py) tips "
          "him over from every release"),
    _cgal("homer", "+y", [*ONE, _c("ground_contacts", expect=2), _c("through_holes", expect=0),
                          _c("stable")], "a cartoon figure on two big feet; genus 0"),
    _cgal("armadillo", "+y", [*ONE, _c("ground_contacts", expect=2),
                              _c("through_holes", expect=0)],
          "Stanford armadillo standing on two feet; genus 0"),
    _cgal("dino", "+z", [*ONE, _c("ground_contacts", expect=2), _c("through_holes", expect=0)],
          "a two-legged dinosaur, tail off the ground; genus 0"),
    _cgal("cactus", "+y", [*ONE, _c("ground_contacts", expect=1), _c("through_holes", expect=0),
                           _c("stable")], "a trunk with two raised arms on a flat cut; genus 0"),
    _cgal("hand", "+z", [*ONE, _c("ground_contacts", expect=1), _c("through_holes", expect=0),
                         _c("stable")], "a fist on its flat-cut wrist; genus 0"),
    _cgal("bunny00", "+y", [*ONE, _c("through_holes", expect=0), _c("stable")],
          "Stanford bunny sitting, closed; genus 0"),
    _cgal("bear", "+y", [*ONE, _c("through_holes", expect=0), _c("stable", want=False)],
          "a sitting teddy bear; genus 0. Falls: balanced on the rim of its seat (centre of "
          "mass on the edge of the contact); dropped tilted by 1.5 degrees it topples in 7 "
          "of 8 directions (scripts/verify_stable_physics.py)"),
    _cgal("bull", "+y", [*ONE, _c("through_holes", expect=0)], "a bull; genus 0"),
    _cgal("spool", "+x", [*ONE, _c("ground_contacts", expect=1), _c("through_holes", expect=0),
                          _c("stable"), _c("symmetry", kind="rotational", order=2),
                          _c("symmetry", kind="mirror")],
          "a thread spool standing on a flange; solid of revolution; genus 0"),
    _cgal("knot", "+z", [*ONE, _c("through_holes", expect=1), _c("stable")],
          "a trefoil-knotted tube lying flat; genus 1"),
    _cgal("knot1", "+z", [*ONE, _c("through_holes", expect=1), _c("stable")],
          "a five-lobed knotted tube lying flat; genus 1"),
    _cgal("knot2", "+z", [_c("parts", expect=2), _c("through_holes", expect=2),
                          _c("floating_parts")],
          "two linked rope rings: 2 components of genus 1, the upper one leaning on the lower"),
    Real("eight_flat", "libcgal-demo", "tar:data/meshes/eight.off", CGAL_LICENCE, "+y",
         (*ONE, _c("through_holes", expect=2), _c("ground_contacts", expect=1), _c("stable")),
         "a figure-eight solid lying on its face; genus 2"),
    Real("eight_on_edge", "libcgal-demo", "tar:data/meshes/eight.off", CGAL_LICENCE, "+z",
         (*ONE, _c("stable", want=False)),
         "the figure eight stood on its rounded edge: 5x taller than thick, it falls over"),
    _cgal("pipe", "+y", [*ONE, _c("through_holes", expect=1), _c("holds_liquid", want=False),
                         _c("opening", direction="up")],
          "a vertical tube, open both ends; genus 1"),
    _cgal("rotor", "+x", [*ONE, _c("through_holes", expect=1), _c("stable")],
          "a drum on a shaft with a bore, standing on its end face; genus 1"),
    _cgal("couplingdown", "+z", [*ONE, _c("through_holes", expect=9), _c("stable")],
          "a flange coupling: central bore and eight bolt holes; genus 9"),
    _cgal("3torus", "+z", [*ONE, _c("through_holes", expect=3)],
          "a faceted three-holed solid; genus 3"),
    _cgal("sphere", "+z", [*ONE, _c("through_holes", expect=0), _c("stable"),
                           _c("symmetry", kind="mirror"),
                           _c("symmetry", kind="rotational", order=2)],
          "an icosphere: a ball is in neutral equilibrium (counts as standing)"),
    Real("ellipsoid_on_end", "libcgal-demo", "tar:data/meshes/ellipsoid.off", CGAL_LICENCE, "+z",
         (*ONE, _c("stable", want=False), _c("symmetry", kind="rotational", order=2)),
         "an egg-like ellipsoid (axes 0.4:0.6:1) balanced on its pointed end: it falls"),
    Real("ellipsoid_lying", "libcgal-demo", "tar:data/meshes/ellipsoid.off", CGAL_LICENCE, "+x",
         (*ONE, _c("stable"), _c("symmetry", kind="mirror")),
         "the same ellipsoid lying on its broad side: stable"),
    Real("trefoil", "geomview", "usr/share/geomview/geom/tref.off", GEOMVIEW_LICENCE, "+z",
         (*ONE, _c("through_holes", expect=1)), "a trefoil-knot tube lying flat; one tunnel"),
    Real("mushroom", "geomview", "usr/share/geomview/geom/mushroom.off", GEOMVIEW_LICENCE, "+y",
         (*ONE, _c("through_holes", expect=0), _c("ground_contacts", expect=1), _c("stable")),
         "a cap on a stem with a flat foot; closed, genus 0"),
    Real("dodecahedron", "geomview", "usr/share/geomview/geom/dodec.off", GEOMVIEW_LICENCE, "+z",
         (*ONE, _c("through_holes", expect=0), _c("stable"), _c("ground_contacts", expect=1)),
         "a regular dodecahedron resting on a face"),
    Real("spider", "assimp-testmodels", "usr/share/assimp/models/OBJ/spider.obj",
         ASSIMP_LICENCE, "+y", (_c("floating_parts"),),
         "a spider modelled as 83 pieces (legs, eyes) pushed into the body: none floats"),
    Real("wuson", "assimp-testmodels", "usr/share/assimp/models/OBJ/WusonOBJ.obj",
         ASSIMP_LICENCE, "+y", (_c("floating_parts"),),
         "a toy figure modelled as 54 interpenetrating pieces: none floats"),
    # added at stop 24 (annotated from three views, the surface's genus, exact vertex
    # symmetry and the rigid-body drop of scripts/verify_stable_physics.py, before scoring)
    *STOP24,
    # added at stop 25: pybullet's data files (PyPI), the corpus's first household objects
    *STOP25,
]


# ----------------------------------------------------------------------------- fetching


def fetch_package(package: str, cache: Path) -> Path | None:
    """Download and unpack ``package`` into ``cache/debs/<package>`` (``apt-get download`` and
    ``dpkg-deb -x``; nothing is installed). Returns the unpacked root, or None without apt. A
    :data:`PYPI` package is fetched as its wheel instead (:func:`fetch_wheel`)."""
    if package in PYPI:
        return fetch_wheel(package, cache)
    root = cache / "debs" / package
    if (root / ".done").exists():
        return root
    debs = cache / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run(["apt-get", "download", package], cwd=debs, check=True,
                       capture_output=True)
        deb = sorted(debs.glob(f"{package}_*.deb"))[-1]
        root.mkdir(exist_ok=True)
        subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError, IndexError) as exc:
        print(f"  cannot fetch {package}: {exc}", file=sys.stderr)
        return None
    (root / ".done").touch()
    return root


def fetch_wheel(package: str, cache: Path) -> Path | None:
    """Download the pinned wheel of PyPI ``package`` into ``cache/pypi`` (``pip download
    --no-deps``; nothing is installed). Returns the folder holding it, or None without pip or
    the index."""
    root = cache / "pypi"
    pattern = f"{package}-{PYPI[package]}-*.whl"
    if not any(root.glob(pattern)):
        root.mkdir(parents=True, exist_ok=True)
        try:
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps",
                            "--only-binary=:all:", f"{package}=={PYPI[package]}", "-d",
                            str(root)], check=True, capture_output=True)
        except (OSError, subprocess.CalledProcessError) as exc:
            print(f"  cannot fetch {package} from PyPI: {exc}", file=sys.stderr)
            return None
    return root if any(root.glob(pattern)) else None


#: copies of the real meshes kept in the repository (gzip of the original bytes; see the
#: README there): CC0 and zlib files small enough to ship, so CI scores them without fetching.
VENDORED = ROOT / "tests" / "data" / "real"
#: the largest file (original bytes) copied into :data:`VENDORED` by ``--vendor``.
VENDOR_MAX_BYTES = 1_200_000


def vendored_name(item: Real) -> str:
    """File name of ``item``'s copy in :data:`VENDORED` (one per package member)."""
    member = item.member.replace("tar:", "").replace("whl:", "")
    return f"{item.package}--{member.replace('/', '__')}.gz"


def real_path(item: Real, cache: Path) -> Path | None:
    """The local file of ``item``: the repository's copy when there is one (decompressed into
    ``cache``), else fetched from its package on first use; None when it cannot be had."""
    copy = VENDORED / vendored_name(item)
    if copy.exists():
        # the original file name (its suffix tells the loader the format)
        # written every time (under 1.2 MB, never stale after the copy changes), through a
        # temporary file and a rename, so parallel jobs never read a half-written file
        out = cache / "vendored" / item.package / Path(item.member).name
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.{os.getpid()}")
        tmp.write_bytes(gzip.decompress(copy.read_bytes()))
        os.replace(tmp, out)
        return out
    root = fetch_package(item.package, cache)
    if root is None:
        return None
    if item.member.startswith("whl:"):
        member = item.member[4:]
        out = root / "members" / member
        if not out.exists():
            import zipfile

            wheel = sorted(root.glob(f"{item.package}-{PYPI[item.package]}-*.whl"))[-1]
            with zipfile.ZipFile(wheel) as zf:
                try:
                    data = zf.read(member)
                except KeyError:
                    return None
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
        return out
    if not item.member.startswith("tar:"):
        path = root / item.member
        return path if path.exists() else None
    member = item.member[4:]
    out = root / "tar" / member
    if not out.exists():
        with tarfile.open(root / CGAL_TAR) as tar:
            found = next((m for m in tar.getmembers() if m.name.endswith(member)), None)
            if found is None:
                return None
            out.parent.mkdir(parents=True, exist_ok=True)
            data = tar.extractfile(found)
            out.write_bytes(data.read() if data else b"")
    return out


def vendor(cache: Path) -> list[str]:
    """Copy the real meshes that may be shipped into :data:`VENDORED`: every file whose
    licence is CC0 and whose size is at most :data:`VENDOR_MAX_BYTES`, gzipped (``mtime`` 0,
    so the copy is reproducible), with a ``README.md`` recording for each its package, path,
    licence, size and the SHA-256 of the original bytes. Returns the names copied."""
    VENDORED.mkdir(parents=True, exist_ok=True)
    rows, done = [], {}
    for item in REAL:
        if not item.licence.startswith(VENDOR_LICENCES):
            continue
        name = vendored_name(item)
        if name in done:
            done[name].append(item.name)
            continue
        copy = VENDORED / name
        if copy.exists():
            copy.unlink()  # fetch the original, not the copy
        path = real_path(item, cache)
        if path is None:
            continue
        data = path.read_bytes()
        if len(data) > VENDOR_MAX_BYTES:
            continue
        copy.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
        done[name] = [item.name]
        if item.package in PYPI:
            wheels = sorted((cache / "pypi").glob(f"{item.package}-{PYPI[item.package]}-*.whl"))
            deb = f"{wheels[-1].name if wheels else item.package} (PyPI)"
        else:
            debs = sorted((cache / "debs").glob(f"{item.package}_*.deb"))
            deb = debs[-1].name if debs else item.package
        rows.append((name, item, deb, len(data), hashlib.sha256(data).hexdigest()))
    lines = [
        "# Real meshes kept in the repository",
        "",
        "Written by `python scripts/measure_corpora.py --vendor` (do not edit by hand): the",
        "CC0 and zlib files of the real corpus (`scripts/measure_corpora.py`, `REAL`) up to "
        f"{VENDOR_MAX_BYTES // 1000} kB,",
        "gzipped without a timestamp. `tests/test_real_meshes.py` scores them in CI; the",
        "script uses these copies before fetching the package. The larger files (and the",
        "LGPL and BSD ones) are fetched with `apt-get download` (Debian packages) or",
        "`pip download` (PyPI wheels) when the script needs them.",
        "",
        "| copy | corpus entries | package file | path in the package | licence | bytes | "
        "SHA-256 |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, item, deb, size, digest in rows:
        lines.append(f"| `{name}` | {', '.join(done[name])} | `{deb}` | "
                     f"`{item.member}` | {item.licence} | {size} | `{digest[:16]}` |")
    (VENDORED / "README.md").write_text("\n".join(lines) + "\n")
    return [n for ns in done.values() for n in ns]


# ----------------------------------------------------------------------------- measuring


@dataclass(frozen=True)
class Task:
    """One mesh to score: ``corpus``, ``name``, ``form`` and where its mesh comes from."""

    corpus: str
    name: str
    form: str
    checks: tuple[dict, ...]
    path: str = ""
    up: str = "+z"


def label(chk: dict) -> str:
    """The table row of a check (symmetry rows split by kind)."""
    name = chk["check"]
    return f"symmetry:{chk.get('kind', 'mirror')}" if name == "symmetry" else name


def yaw_of(checks: Iterable[dict]) -> float:
    """0.4 rad, or 0 for shapes judged with ``left_of`` / ``right_of`` (front-view relations)."""
    return 0.0 if any(c.get("rel") in ("left_of", "right_of") for c in checks) else 0.4


def generated(name: str, form: str, cache: Path) -> trimesh.Trimesh:
    """The (cached) mesh of generator item ``name`` in ``form`` (``clean`` is not cached).
    A form ``mc64@1.1`` is ``mc64`` at a yaw of 1.1 rad instead of 0.4 (a held-out pose;
    shapes judged with ``left_of`` / ``right_of`` keep their yaw of 0)."""
    from generator_exports import all_items, export

    item = next(i for i in all_items() if i.name == name)
    mesh = item.build().copy()
    base, _, yaw = form.partition("@")
    angle = yaw_of(item.checks)
    if yaw and angle:
        angle = float(yaw)
    mesh.apply_transform(trimesh.transformations.rotation_matrix(angle, [0, 0, 1]))
    if form == "clean":
        return mesh
    path = cache / "exports" / f"{name}-{form}.npz"
    if path.exists():
        data = np.load(path)
        return trimesh.Trimesh(data["v"], data["f"], process=False)
    from generator_exports import FORMS

    keep = 1.0 if base == "dense" else 0.5
    out = export(mesh, FORMS[base], keep=keep)
    path.parent.mkdir(parents=True, exist_ok=True)
    v, f = np.asarray(out.vertices, np.float32), np.asarray(out.faces)
    np.savez_compressed(path, v=v, f=f)
    # the cached copy's float32 vertices, so a first (uncached) run scores the same mesh as
    # every later one (the float64 export read 1.8 % for wk-012's opening, the copy 1.7 %)
    return trimesh.Trimesh(v, f, process=False)


def run_task(task: Task, cache: Path) -> list[tuple[str, bool, str, float]]:
    """Score every check of ``task``: ``(label, right, reason, seconds)`` per check."""
    from mme3dr.assets import Asset, load_asset
    from mme3dr.evaluators import build
    from mme3dr.evaluators.base import Sample

    np.seterr(all="ignore")
    if task.corpus == "real":
        asset = load_asset(task.path, up_axis=task.up)
    else:
        asset = Asset.from_trimesh(generated(task.name, task.form, cache))
    sample = Sample(case=None, asset=asset)  # type: ignore[arg-type]
    rows = []
    for chk in task.checks:
        if chk.get("run", True) is False:  # the case switches this check off
            continue
        want = chk.get("want", True)
        if isinstance(chk.get("expect"), bool):  # a case's inverted check: expect it to fail
            want = want == chk["expect"]
        params = {k: v for k, v in chk.items() if k not in ("check", "want", "run")
                  and not (k == "expect" and isinstance(v, bool))}
        t = time.perf_counter()
        score = build(chk["check"], params).score(sample)
        right = score.status == "ok" and bool(score.passed) == want
        rows.append((label(chk), right, score.reason, time.perf_counter() - t))
    return rows


def plan(corpora: list[str], forms: list[str], dense_every: int, cache: Path,
         only: set[str], every: int = 1, cached_only: bool = False) -> list[Task]:
    """Every task of the chosen corpora (``only``: restrict to these names; ``every``: the
    generator corpus takes every ``every``-th shape, ``dense`` every ``dense_every``-th;
    ``cached_only``: only the exports already in the cache)."""
    from generator_exports import all_items, reference_items

    tasks = []
    items = all_items()
    refs = {i.name for i in reference_items()}
    for corpus in corpora:
        if corpus == "real":
            for item in REAL:
                path = real_path(item, cache)
                if path is not None and (not only or item.name in only):
                    tasks.append(Task("real", item.name, "real", item.checks, str(path), item.up))
            continue
        for k, item in enumerate(items):
            if only and item.name not in only:
                continue
            if corpus == "procedural":
                tasks.append(Task(corpus, item.name, "clean", item.checks))
                continue
            if not item.generator_too or (k % every and item.name in refs):
                continue
            for form in forms:
                if form == "dense" and k % dense_every:
                    continue
                if cached_only and not (cache / "exports" / f"{item.name}-{form}.npz").exists():
                    continue
                tasks.append(Task(corpus, item.name, form, item.checks))
    return tasks


def _work(args: tuple[Task, Path]) -> tuple[Task, list]:
    task, cache = args
    try:
        return task, run_task(task, cache)
    except Exception as exc:  # noqa: BLE001 - a crash is a wrong answer for every check
        return task, [(label(c), False, f"crashed: {exc!r}", 0.0) for c in task.checks
                      if c.get("run", True) is not False]


def measure(tasks: list[Task], cache: Path, jobs: int) -> list[tuple[Task, list]]:
    """Run ``tasks`` over ``jobs`` processes (one BLAS thread each)."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import importlib
    import pkgutil

    import mme3dr.geometry

    # everything the checks run is imported before forking: every worker runs the same code
    for mod in pkgutil.iter_modules(mme3dr.geometry.__path__):
        importlib.import_module(f"mme3dr.geometry.{mod.name}")
    import mme3dr.checks

    for mod in pkgutil.iter_modules(mme3dr.checks.__path__):  # the check units (issue 14)
        importlib.import_module(f"mme3dr.checks.{mod.name}")
    if jobs <= 1:
        return [_work((t, cache)) for t in tasks]
    import multiprocessing as mp

    with mp.get_context("fork").Pool(jobs, maxtasksperchild=20) as pool:
        return list(pool.imap_unordered(_work, [(t, cache) for t in tasks], chunksize=1))


def tables(results: list[tuple[Task, list]], markdown: bool) -> str:
    """Right answers per check (rows) and corpus/form (columns), plus an 'all' row."""
    tally: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for task, rows in results:
        col = task.corpus if task.corpus != "generator" else f"generator {task.form}"
        for lab, right, _, _ in rows:
            for key in ((lab, col), ("all", col)):
                tally[key][0] += right
                tally[key][1] += 1
    cols = sorted({c for _, c in tally}, key=_col_order)
    labels = sorted({lab for lab, _ in tally if lab != "all"}) + ["all"]
    lines = ["| check | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for lab in labels:
        cells = []
        for col in cols:
            ok, n = tally.get((lab, col), [0, 0])
            cells.append(f"{ok}/{n} ({100 * ok / n:.0f}%)" if n else "-")
        lines.append(f"| `{lab}` | " + " | ".join(cells) + " |")
    text = "\n".join(lines)
    return text if markdown else text.replace("`", "")


def _col_order(col: str) -> tuple[int, str]:
    order = ["procedural", "generator mc64", "generator mc96", "generator mc128",
             "generator dense", "real"]
    return (order.index(col) if col in order else 99, col)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", nargs="+", default=["procedural", "generator", "real"],
                        choices=("procedural", "generator", "real"))
    parser.add_argument("--forms", nargs="+", default=["mc64", "mc96", "mc128", "dense"],
                        help="generator forms; FORM@YAW exports at YAW rad instead of 0.4")
    parser.add_argument("--every", type=int, default=1, help="generator: every n-th shape")
    parser.add_argument("--dense-every", type=int, default=4)
    parser.add_argument("--cached-only", action="store_true",
                        help="generator: score only the exports already in the cache")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--only", nargs="+", default=[])
    parser.add_argument("--misses", action="store_true", help="print every wrong answer")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--vendor", action="store_true",
                        help="copy the shippable real meshes into tests/data/real and stop")
    args = parser.parse_args()
    if args.vendor:
        print("vendored:", ", ".join(vendor(args.cache)))
        return
    t0 = time.perf_counter()
    tasks = plan(args.corpus, args.forms, args.dense_every, args.cache, set(args.only),
                 args.every, args.cached_only)
    print(f"{len(tasks)} meshes to score")
    results = measure(tasks, args.cache, args.jobs)
    results.sort(key=lambda r: (r[0].corpus, r[0].name, r[0].form))
    if args.misses:
        for task, rows in results:
            for lab, right, reason, _ in rows:
                if not right:
                    print(f"  MISS {task.corpus} {task.name} [{task.form}] {lab}: {reason}")
    slow = sorted(((sum(r[3] for r in rows), t.name, t.form) for t, rows in results),
                  reverse=True)[:5]
    print("slowest meshes (s in checks):", ", ".join(f"{n}[{f}] {s:.1f}" for s, n, f in slow))
    print(f"{time.perf_counter() - t0:.0f} s wall\n")
    print(tables(results, args.markdown))


if __name__ == "__main__":
    main()
