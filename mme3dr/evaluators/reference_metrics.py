"""Reference-set metrics: FD and KID on Inception-v3 and DINOv2 features between a model's
renders and renders of a reference set of meshes (``--reference DIR``).

Backbones (see :mod:`mme3dr.features.backbones`): ``inception`` is the TF-FID Inception graph
(torch-fidelity, the one FID/KID numbers in papers use), ``dinov2`` is DINOv2 ViT-L/14 (the
FD-DINOv2 protocol); ``inception_torchvision`` and ``dinov2_b14`` are selectable alternatives.

Every rendered view is one image. The model's views are the views already rendered for the
per-case evaluators (:meth:`observe` sees each sample while its renders are in memory; nothing is
rendered twice); their features are saved under ``OUT/<model>/features/<backbone>/<case>.npy``
so a ``--resume``\\ d run still has them. The reference meshes (every supported mesh file under
``DIR``, recursively) are rendered with the same rig and renderer, once per run; their features
are cached in ``OUT/<model>/features/<backbone>/_reference.npz`` keyed by a fingerprint of the
files, the rig and the checkpoint.

Results go to ``summary["set_metrics"]["reference"]``: per backbone ``fd``, ``kid_mean``,
``kid_std`` (unbiased polynomial-kernel MMD^2 over subsets, see :mod:`mme3dr.features.distances`),
the image counts and the model identity; a backbone whose weights are missing is ``skipped``
with the fix. FD/KID values are *distances*: lower is better; they are not case scores.

With fewer images on a side than the feature dimension (2048 for Inception, 1024 for DINOv2
ViT-L/14) the covariance is rank-deficient and FD is strongly biased upwards: the entry then
carries ``small_sample`` (counts and dimension) and a ``warning``, and a warning is logged.
KID is unbiased but noisy at small N.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from mme3dr.features import preload_native_libs
from mme3dr.features.distances import frechet_distance, kernel_distance
from mme3dr.weights import WeightsMissing

if TYPE_CHECKING:
    from mme3dr.evaluators.base import Sample, Score
    from mme3dr.metrics import RunContext
    from mme3dr.results import Record

preload_native_libs()
log = logging.getLogger(__name__)

DEFAULT_BACKBONES: tuple[str, ...] = ("inception", "dinov2")


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name) or "case"


def reference_files(ref_dir: Path) -> list[Path]:
    """Supported mesh files under ``ref_dir`` (recursive, sorted)."""
    from mme3dr.assets import SUPPORTED_EXTENSIONS

    return sorted(
        p
        for p in Path(ref_dir).rglob("*")
        if p.is_file() and p.suffix.lower() in SUPPORTED_EXTENSIONS and not p.name.startswith(".")
    )


def small_sample(n_model: int, n_reference: int, dim: int) -> dict[str, Any]:
    """``{"small_sample": {...}, "warning": "..."}`` when either side has fewer images than
    the feature dimension ``dim`` (FD is then strongly biased), else ``{}``."""
    n = min(n_model, n_reference)
    if n >= dim:
        return {}
    return {
        "small_sample": {"n_model": n_model, "n_reference": n_reference, "feature_dim": dim},
        "warning": (
            f"{n} images < feature dimension {dim}: the covariance is rank-deficient and FD is "
            "strongly biased (compare FD only at equal N; KID is unbiased but noisy)"
        ),
    }


def load_model_features(
    feature_dirs: list[Path], backbone: str, case_ids: list[str]
) -> tuple[np.ndarray, dict[str, Any]]:
    """The saved view features of ``case_ids`` (first folder holding each case wins), and
    ``{"n_model_cases", "cases_without_features"}``."""
    feats, missing = [], []
    for cid in case_ids:
        for d in feature_dirs:
            path = Path(d) / backbone / f"{_safe(cid)}.npy"
            if path.is_file():
                feats.append(np.load(path))
                break
        else:
            missing.append(cid)
    entry: dict[str, Any] = {"n_model_cases": len(feats)}
    if missing:
        entry["cases_without_features"] = missing[:50]
    return (np.concatenate(feats) if feats else np.zeros((0, 1))), entry


def distances_entry(
    name: str, x: np.ndarray, y: np.ndarray, subsets: int, subset_size: int, seed: int
) -> dict[str, Any]:
    """FD, KID, image counts and the small-sample warning of model features ``x`` against
    reference features ``y`` (``status`` ``skipped`` with fewer than 2 images on a side)."""
    entry: dict[str, Any] = {"n_model_images": int(len(x)), "n_reference_images": int(len(y))}
    if len(x) < 2 or len(y) < 2:
        entry.update(
            status="skipped",
            reason=f"need >= 2 images on each side, have {len(x)} model and "
            f"{len(y)} reference images",
        )
        return entry
    small = small_sample(len(x), len(y), int(x.shape[1]))
    if small:
        entry.update(small)
        log.warning("reference %s: %s", name, small["warning"])
    kid = kernel_distance(x, y, subsets, subset_size, seed)
    entry.update(
        status="ok",
        fd=frechet_distance(x, y),
        kid_mean=kid["mean"],
        kid_std=kid["std"],
        kid=kid,
        note="distances between view-feature sets; lower is better",
    )
    return entry


def merge_reference(
    parts: list[dict[str, Any]], shard_dirs: list[Path], records: list[Record]
) -> dict[str, Any]:
    """FD/KID over a merged run: every shard's saved model features against the reference
    features (the same in every shard: same files, rig and checkpoint, checked by fingerprint).
    KID uses the defaults of :class:`ReferenceDistancesMetric` (100 subsets of <= 1000, seed 0)."""
    ok = [p for p in parts if isinstance(p, dict) and p.get("status") == "ok"]
    if not ok or len(ok) != len(parts):
        return {"status": "skipped", "reason": "not every shard computed reference metrics"}
    result: dict[str, Any] = {"status": "ok", "reference": ok[0].get("reference")}
    ok_ids = sorted(r.case_id for r in records if r.status == "ok")  # order-free KID
    parts0 = {k: v for k, v in ok[0].items() if isinstance(v, dict) and "status" in v}
    for name, first in parts0.items():
        if first["status"] != "ok":
            result[name] = dict(first)  # skipped in the shards: skipped here, same reason
            continue
        fps, ref = set(), None
        for d in shard_dirs:
            cache = Path(d) / "features" / name / "_reference.npz"
            if not cache.is_file():
                fps.add(None)
                continue
            with np.load(cache) as z:
                fps.add(str(z["fingerprint"]))
                ref = z["features"]
        if len(fps) != 1 or None in fps or ref is None:
            result[name] = {
                "status": "skipped",
                "reason": "shards' reference features are missing or differ",
            }
            continue
        x, entry = load_model_features([Path(d) / "features" for d in shard_dirs], name, ok_ids)
        info = {k: v for k, v in ok[0][name].items() if k in _INFO_KEYS}
        entry = {**info, **entry, **distances_entry(name, x, ref, 100, 1000, 0)}
        result[name] = entry
    result["merged_from_shards"] = len(parts)
    return result


_INFO_KEYS = (
    "features",
    "model",
    "pretrained",
    "checkpoint",
    "weights",
    "input_size",
    "implementation",
    "graph",
    "feature",
)


class ReferenceDistancesMetric:
    """Set metric: FD and KID against a reference set, per feature backbone."""

    name = "reference"

    def __init__(
        self,
        ctx: RunContext,
        backbones: tuple[str, ...] = DEFAULT_BACKBONES,
        extractors: dict[str, Any] | None = None,
        kid_subsets: int = 100,
        kid_subset_size: int = 1000,
        seed: int = 0,
    ):
        self.ctx = ctx
        self.backbones = tuple(extractors) if extractors else backbones
        self._given = dict(extractors or {})
        self.kid_subsets = kid_subsets
        self.kid_subset_size = kid_subset_size
        self.seed = seed
        self.observe_errors: list[str] = []
        self._skipped: dict[str, str] = {}
        self.feature_dir = Path(ctx.out_dir) / "features"

    def _extractor(self, name: str) -> Any | None:
        if name in self._given:
            return self._given[name]
        if name in self._skipped:
            return None
        from mme3dr.features.backbones import get_extractor

        try:
            return get_extractor(name, self.ctx.device)
        except WeightsMissing as exc:
            self._skipped[name] = str(exc)
            return None

    def observe(self, sample: Sample, scores: list[Score]) -> None:
        views = None
        for name in self.backbones:
            ext = self._extractor(name)
            if ext is None:
                continue
            path = self.feature_dir / name / f"{_safe(sample.case.id)}.npy"
            if views is None:
                views = sample.views()
            feats = ext.extract(views.rgb).astype(np.float32)
            path.parent.mkdir(parents=True, exist_ok=True)
            np.save(path, feats)

    # ------------------------------------------------------------------------------ reference

    def _fingerprint(self, files: list[Path], ext: Any) -> str:
        h = hashlib.sha256()
        for f in files:
            st = f.stat()
            h.update(f"{f}|{st.st_size}|{st.st_mtime_ns}\n".encode())
        rig = self.ctx.rig.to_dict() if self.ctx.rig is not None else None
        h.update(json.dumps([rig, self.ctx.backend, ext.info()], sort_keys=True).encode())
        return h.hexdigest()

    def _reference_features(
        self, names: list[str], extractors: dict[str, Any]
    ) -> tuple[dict[str, np.ndarray], list[str], int]:
        from mme3dr.assets import load_asset
        from mme3dr.errors import AssetError
        from mme3dr.render import render

        files = reference_files(self.ctx.reference)
        out: dict[str, np.ndarray] = {}
        todo = []
        for name in names:
            fp = self._fingerprint(files, extractors[name])
            cache = self.feature_dir / name / "_reference.npz"
            if cache.is_file():
                with np.load(cache) as z:
                    if str(z["fingerprint"]) == fp:
                        out[name] = z["features"]
                        continue
            todo.append((name, fp, cache))
        errors: list[str] = []
        if todo:
            acc: dict[str, list[np.ndarray]] = {n: [] for n, _, _ in todo}
            for f in files:
                try:
                    asset = load_asset(f)
                except AssetError as exc:
                    errors.append(str(exc))
                    continue
                views = render(asset, self.ctx.rig, backend=self.ctx.backend)  # once per mesh
                for n, _, _ in todo:
                    acc[n].append(extractors[n].extract(views.rgb).astype(np.float32))
            for n, fp, cache in todo:
                feats = np.concatenate(acc[n]) if acc[n] else np.zeros((0, 1), np.float32)
                cache.parent.mkdir(parents=True, exist_ok=True)
                np.savez(cache, features=feats, fingerprint=np.array(fp))
                out[n] = feats
        return out, errors, len(files)

    # ------------------------------------------------------------------------------ finalize

    def finalize(self, records: list[Record]) -> dict[str, Any]:
        ref = self.ctx.reference
        if ref is None or not Path(ref).is_dir():
            return {"status": "error", "reason": f"--reference {ref}: not a folder"}
        result: dict[str, Any] = {"status": "ok", "reference": str(ref)}
        extractors = {}
        for name in self.backbones:
            ext = self._extractor(name)
            if ext is None:
                result[name] = {"status": "skipped", "reason": self._skipped[name]}
            else:
                extractors[name] = ext
        if not extractors:
            result["status"] = "skipped"
            result["reason"] = "; ".join(self._skipped.values())
            return result
        ref_feats, errors, n_files = self._reference_features(list(extractors), extractors)
        result["n_reference_meshes"] = n_files
        if errors:
            result["reference_errors"] = errors[:20]
        ok_ids = sorted(r.case_id for r in records if r.status == "ok")  # order-free KID
        for name, ext in extractors.items():
            x, entry = load_model_features([self.feature_dir], name, ok_ids)
            entry = {**ext.info(), **entry}
            entry.update(
                distances_entry(
                    name, x, ref_feats[name], self.kid_subsets, self.kid_subset_size, self.seed
                )
            )
            result[name] = entry
        if self.observe_errors:
            result["observe_errors"] = self.observe_errors[:20]
        return result
