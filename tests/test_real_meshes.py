"""The real corpus's meshes that are kept in the repository (``tests/data/real``: the CC0
files of ``scripts/measure_corpora.py``'s ``REAL`` table up to 1.2 MB), scored in CI against
their hand-checked answers, the way ``measure_corpora.py --corpus real`` scores them.

Each answer is one test. The answers the checks get wrong today are strict xfails with the
measured reason (``docs/checks.md``, "Accuracy on generator exports and real meshes"), so a
change that fixes one, or breaks a right one, shows here."""

from __future__ import annotations

import gzip
import hashlib
import re
import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import measure_corpora as mc  # noqa: E402

#: (corpus entry, check label) -> why the check is wrong on it (measured, not tuned away)
KNOWN_MISSES = {
    ("bear", "parts"): "the teddy bear's head is cut off at its neck (a neck like two "
                       "touching balls: radius 5.4 voxels under a 9-voxel head)",
    ("anchor", "parts"): "the contact cut takes the bracket's boss, a block on its plate, "
                         "for a body standing on a level thin support",
    ("camel", "through_holes"): "far parts of the surface cross each other, so the genus is "
                                "not trusted and the voxels fuse two legs",
    ("man", "through_holes"): "35k faces and crossing far parts: the voxels fuse an arm",
}


def _vendored() -> list[mc.Real]:
    return [r for r in mc.REAL if (mc.VENDORED / mc.vendored_name(r)).exists()]


def _cases() -> list[tuple[str, int, str]]:
    out = []
    for item in _vendored():
        for k, chk in enumerate(item.checks):
            out.append((item.name, k, mc.label(chk)))
    return out


@cache
def _scored(name: str, cache_dir: str) -> list[tuple[str, bool, str, float]]:
    item = next(r for r in mc.REAL if r.name == name)
    path = mc.real_path(item, Path(cache_dir))
    assert path is not None
    return mc.run_task(mc.Task("real", item.name, "real", item.checks, str(path), item.up),
                       Path(cache_dir))


@pytest.fixture(scope="session")
def real_cache(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("real-corpus"))


def test_enough_real_meshes_are_shipped():
    """At least 20 real objects, with at least 60 answers between them, are in the
    repository, and the README lists every copy with the hash of its original bytes."""
    items = _vendored()
    assert len(items) >= 20 and sum(len(i.checks) for i in items) >= 60
    readme = (mc.VENDORED / "README.md").read_text()
    for item in items:
        copy = mc.VENDORED / mc.vendored_name(item)
        assert item.licence.startswith(mc.VENDOR_LICENCES), (item.name, item.licence)
        digest = hashlib.sha256(gzip.decompress(copy.read_bytes())).hexdigest()
        row = next(line for line in readme.splitlines() if f"`{copy.name}`" in line)
        assert re.search(rf"`{digest[:16]}`", row), copy.name


@pytest.mark.parametrize(
    "name,index,check",
    [pytest.param(n, k, c, marks=pytest.mark.xfail(strict=True, reason=KNOWN_MISSES[(n, c)]))
     if (n, c) in KNOWN_MISSES else (n, k, c) for n, k, c in _cases()],
    ids=[f"{n}-{c}-{k}" for n, k, c in _cases()],
)
def test_real_mesh_answer(name: str, index: int, check: str, real_cache: str) -> None:
    label, right, reason, _ = _scored(name, real_cache)[index]
    assert label == check
    assert right, reason


def test_known_misses_are_real_entries():
    names = {(i.name, mc.label(c)) for i in _vendored() for c in i.checks}
    assert set(KNOWN_MISSES) <= names
