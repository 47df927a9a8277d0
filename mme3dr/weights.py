"""Model weights: a catalogue of what each learned evaluator needs, resolved from local files.

Resolution order for a weights name (see :data:`CATALOGUE`), first hit wins:

1. an **explicit path**: ``mme3dr eval --weights NAME=PATH``, :func:`set_override`, or an
   evaluator's ``checkpoint`` parameter;
2. the **mme3dr cache**: ``$MME3DR_HOME/weights/NAME/<file>`` (``MME3DR_HOME`` defaults to
   ``~/.cache/mme3dr``); ``mme3dr weights fetch NAME`` downloads into it;
3. the **Hugging Face cache** (``$HF_HUB_CACHE``, else ``$HF_HOME/hub``, else
   ``~/.cache/huggingface/hub``), a model's own tool cache (HPS v2.1: ``$HPS_ROOT`` and
   ``~/.cache/hpsv2``, directly or as HF cache roots), the **open_clip** URL cache
   (``~/.cache/clip``) and the **torch hub** cache (``$TORCH_HOME/hub/checkpoints``, default
   ``~/.cache/torch``; every accepted file name).

Nothing here touches the network except :func:`fetch`. A name that resolves nowhere raises
:class:`WeightsMissing`, whose message is one line: what is missing and the command or path
that fixes it. Evaluators turn that into a ``skipped`` score.

**Random weights.** Tests (and the benchmark script) write checkpoints from randomly
initialised models with :func:`save_random_checkpoint` (or an HF folder whose ``config.json``
has ``"mme3dr_random_weights": true``). Such a checkpoint may carry its own architecture config
(tiny models), and every result made with it is stamped ``"random weights"`` so nobody mistakes
it for a score.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")

RANDOM_MARKER = "mme3dr_random_weights"
RANDOM_STAMP = "random weights"


@dataclass(frozen=True)
class WeightSpec:
    """One downloadable set of weights.

    ``kind`` says how it is loaded: ``open_clip`` (a CLIP checkpoint for ``arch``),
    ``aesthetic_head`` (a small MLP state dict), ``torchvision`` (a state dict for the
    torchvision model ``arch``) or ``hf_model`` (a Hugging Face model folder with
    ``config.json``). ``files`` are the accepted file names (any one suffices; for
    ``hf_model`` the folder must hold ``config.json`` and one of them).
    """

    name: str
    kind: str
    description: str
    files: tuple[str, ...]
    arch: str = ""
    tag: str = ""
    hf_repo: str = ""
    url: str = ""
    quick_gelu: bool = False
    used_by: tuple[str, ...] = ()
    size_mb: int = 0
    #: extra folders searched after the HF cache (``$VAR`` and ``~`` expanded; an unset
    #: variable is skipped); each is searched directly and as a Hugging Face cache root
    extra_dirs: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "arch": self.arch,
            "pretrained": self.tag,
            "source": self.hf_repo and f"hf://{self.hf_repo}" or self.url,
        }


_OC_FILES = ("open_clip_model.safetensors", "open_clip_pytorch_model.bin")

CATALOGUE: dict[str, WeightSpec] = {
    s.name: s
    for s in (
        WeightSpec(
            name="clip-vit-b-32",
            kind="open_clip",
            description="OpenAI CLIP ViT-B/32 (open_clip 'ViT-B-32', pretrained 'openai')",
            files=_OC_FILES,
            arch="ViT-B-32",
            tag="openai",
            hf_repo="timm/vit_base_patch32_clip_224.openai",
            quick_gelu=True,
            used_by=("clip_score", "clip_r_precision", "mv_consistency", "janus"),
            size_mb=605,
        ),
        WeightSpec(
            name="clip-vit-l-14",
            kind="open_clip",
            description="OpenAI CLIP ViT-L/14 (open_clip 'ViT-L-14', pretrained 'openai')",
            files=_OC_FILES,
            arch="ViT-L-14",
            tag="openai",
            hf_repo="timm/vit_large_patch14_clip_224.openai",
            quick_gelu=True,
            used_by=("laion_aesthetic",),
            size_mb=1710,
        ),
        WeightSpec(
            name="laion-aesthetic-v2",
            kind="aesthetic_head",
            description="LAION improved aesthetic predictor v2 (MLP on CLIP ViT-L/14 embeddings)",
            files=("sac+logos+ava1-l14-linearMSE.pth", "aesthetic_head.pt"),
            url=(
                "https://github.com/christophschuhmann/improved-aesthetic-predictor/raw/main/"
                "sac+logos+ava1-l14-linearMSE.pth"
            ),
            used_by=("laion_aesthetic",),
            size_mb=4,
        ),
        WeightSpec(
            name="hpsv2.1",
            kind="open_clip",
            description="HPS v2.1 preference model (open_clip ViT-H-14 fine-tuned on HPD v2)",
            files=("HPS_v2.1_compressed.pt",),
            arch="ViT-H-14",
            tag="hpsv2.1",
            hf_repo="xswu/HPSv2",
            used_by=("hps_v21",),
            extra_dirs=("$HPS_ROOT", "~/.cache/hpsv2"),
            size_mb=1950,
        ),
        WeightSpec(
            name="inception-v3-tf",
            kind="torch_fidelity",
            description=(
                "TF-FID Inception-v3 (the 2015-12-05 TensorFlow graph used by FID/KID in papers; "
                "torch-fidelity / pytorch-fid weights), pool 2048-d"
            ),
            files=(
                "weights-inception-2015-12-05-6726825d.pth",
                "pt_inception-2015-12-05-6726825d.pth",
            ),
            arch="FeatureExtractorInceptionV3",
            tag="inception-2015-12-05",
            url=(
                "https://github.com/toshas/torch-fidelity/releases/download/v0.2.0/"
                "weights-inception-2015-12-05-6726825d.pth"
            ),
            used_by=("fd_inception", "kid_inception"),
            size_mb=92,
        ),
        WeightSpec(
            name="inception-v3",
            kind="torchvision",
            description=(
                "Inception-v3 (torchvision, ImageNet weights ported from TF), pool 2048-d; "
                "not the TF-FID graph"
            ),
            files=("inception_v3_google-0cc3c7bd.pth",),
            arch="inception_v3",
            tag="IMAGENET1K_V1",
            url="https://download.pytorch.org/models/inception_v3_google-0cc3c7bd.pth",
            used_by=("fd_inception_torchvision",),
            size_mb=104,
        ),
        WeightSpec(
            name="dinov2-vit-l-14",
            kind="hf_model",
            description="DINOv2 ViT-L/14 (facebook/dinov2-large), CLS token 1024-d",
            files=("model.safetensors", "pytorch_model.bin"),
            arch="Dinov2Model",
            tag="facebook/dinov2-large",
            hf_repo="facebook/dinov2-large",
            used_by=("fd_dinov2", "kid_dinov2"),
            size_mb=1220,
        ),
        WeightSpec(
            name="dinov2-vit-b-14",
            kind="hf_model",
            description="DINOv2 ViT-B/14 (facebook/dinov2-base), CLS token 768-d",
            files=("model.safetensors", "pytorch_model.bin"),
            arch="Dinov2Model",
            tag="facebook/dinov2-base",
            hf_repo="facebook/dinov2-base",
            used_by=("fd_dinov2 (features dinov2_b14)",),
            size_mb=346,
        ),
    )
}


class WeightsMissing(RuntimeError):
    """Weights could not be found locally; ``str(exc)`` is one line saying how to fix it."""

    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name = name


class WeightsLoadError(WeightsMissing):
    """Weights were found but could not be loaded (corrupt file, wrong architecture).

    A subclass of :class:`WeightsMissing`, so every evaluator that turns missing weights into
    a ``skipped`` score does the same here; ``str(exc)`` names the weights, the path, the file's
    size and SHA-256 prefix, a summary of the error and how to re-fetch. See :func:`guarded_load`.
    """


@dataclass
class Resolved:
    """Where a weights name was found: ``path`` (file, or folder for ``hf_model``),
    ``source`` (``explicit``, ``mme3dr``, ``huggingface``, ``open_clip``, ``torch``) and
    ``random`` (a checkpoint written from a random model, see :data:`RANDOM_MARKER`)."""

    spec: WeightSpec
    path: Path
    source: str
    random: bool = False
    meta: dict[str, Any] = field(default_factory=dict)

    def stamp(self) -> dict[str, Any]:
        """The entry that goes into ``summary.json``'s ``stamp["weights"]``."""
        d = self.spec.to_dict()
        d.update(
            checkpoint=str(self.path),
            found_in=self.source,
            sha256=RANDOM_STAMP if self.random else sha256_of(self.path),
        )
        if self.random:
            d["weights"] = RANDOM_STAMP
            if self.meta.get("model_cfg"):
                d["model_cfg"] = self.meta["model_cfg"]
        return d


# ------------------------------------------------------------------------------ locations


def mme3dr_home() -> Path:
    """``$MME3DR_HOME`` or ``~/.cache/mme3dr``."""
    env = os.environ.get("MME3DR_HOME")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "mme3dr"


def weights_dir(name: str) -> Path:
    """``$MME3DR_HOME/weights/NAME``: where :func:`fetch` writes and users may copy files."""
    return mme3dr_home() / "weights" / name


def hf_hub_cache() -> Path:
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    return Path.home() / ".cache" / "huggingface" / "hub"


def torch_hub_checkpoints() -> Path:
    home = os.environ.get("TORCH_HOME")
    base = Path(home).expanduser() if home else Path.home() / ".cache" / "torch"
    return base / "hub" / "checkpoints"


def open_clip_cache() -> Path:
    return Path.home() / ".cache" / "clip"


# ------------------------------------------------------------------------------ overrides

_OVERRIDES: dict[str, Path] = {}


def set_override(name: str, path: str | Path | None) -> None:
    """Use ``path`` for weights ``name`` in this process (``None`` removes the override)."""
    if name not in CATALOGUE:
        raise KeyError(f"unknown weights {name!r}; known: {', '.join(sorted(CATALOGUE))}")
    if path is None:
        _OVERRIDES.pop(name, None)
    else:
        _OVERRIDES[name] = Path(path).expanduser()


def parse_overrides(items: list[str]) -> dict[str, Path]:
    """``["clip-vit-b-32=/w/b32.pt", ...]`` -> dict; ``ValueError`` names a bad item."""
    out: dict[str, Path] = {}
    for item in items:
        name, sep, path = item.partition("=")
        name = name.strip()
        if not sep or not name or not path.strip():
            raise ValueError(f"--weights expects NAME=PATH, got {item!r}")
        if name not in CATALOGUE:
            raise ValueError(f"--weights: unknown name {name!r}; known: {', '.join(CATALOGUE)}")
        out[name] = Path(path.strip()).expanduser()
    return out


# ------------------------------------------------------------------------------ resolution


def _is_hf_folder(path: Path, spec: WeightSpec) -> bool:
    return (path / "config.json").is_file() and any((path / f).is_file() for f in spec.files)


def _in_folder(folder: Path, spec: WeightSpec) -> Path | None:
    if spec.kind == "hf_model":
        return folder if _is_hf_folder(folder, spec) else None
    for f in spec.files:
        if (folder / f).is_file():
            return folder / f
    return None


def _hf_candidates(spec: WeightSpec, cache: Path | None = None) -> list[Path]:
    if not spec.hf_repo:
        return []
    root = hf_hub_cache() if cache is None else cache
    snaps = root / ("models--" + spec.hf_repo.replace("/", "--")) / "snapshots"
    if not snaps.is_dir():
        return []
    return sorted(snaps.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)


def _extra_dirs(spec: WeightSpec) -> list[Path]:
    out = []
    for d in spec.extra_dirs:
        if d.startswith("$"):
            val = os.environ.get(d[1:])
            if not val:
                continue
            d = val
        out.append(Path(d).expanduser())
    return out


def _random_meta(path: Path, spec: WeightSpec) -> dict[str, Any]:
    """The mme3dr metadata of a checkpoint (``{}`` for ordinary checkpoints)."""
    if path.is_dir():
        try:
            cfg = json.loads((path / "config.json").read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return {}
        return {"random_weights": True} if cfg.get(RANDOM_MARKER) else {}
    side = sidecar_path(path)
    if side.is_file():
        try:
            return json.loads(side.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return {}
    return {}


def sidecar_path(path: Path) -> Path:
    """``<checkpoint>.mme3dr.json``: metadata written beside a checkpoint made by mme3dr."""
    return path.with_name(path.name + ".mme3dr.json")


def _resolved(spec: WeightSpec, path: Path, source: str) -> Resolved:
    meta = _random_meta(path, spec)
    return Resolved(spec, path, source, random=bool(meta.get("random_weights")), meta=meta)


def fix_hint(name: str) -> str:
    spec = CATALOGUE[name]
    where = weights_dir(name) / (spec.files[0] if spec.kind != "hf_model" else "")
    return (
        f"run `mme3dr weights fetch {name}` (~{spec.size_mb} MB) or put "
        f"{spec.files[0] if spec.kind != 'hf_model' else 'the model folder'} at {where} "
        f"or pass --weights {name}=PATH"
    )


def resolve(name: str, explicit: str | Path | None = None) -> Resolved:
    """Find weights ``name`` locally (see the module docstring for the order)."""
    if name not in CATALOGUE:
        raise KeyError(f"unknown weights {name!r}; known: {', '.join(sorted(CATALOGUE))}")
    spec = CATALOGUE[name]
    explicit = explicit if explicit is not None else _OVERRIDES.get(name)
    if explicit is not None:
        p = Path(explicit).expanduser()
        if p.is_file():
            return _resolved(spec, p, "explicit")
        if p.is_dir():
            hit = _in_folder(p, spec)
            if hit is not None:
                return _resolved(spec, hit, "explicit")
        raise WeightsMissing(
            name,
            f"weights {name}: explicit path {p} does not exist or holds none of "
            f"{', '.join(spec.files)}; fix the path given for {name}",
        )
    hit = _in_folder(weights_dir(name), spec)
    if hit is not None:
        return _resolved(spec, hit, "mme3dr")
    for snap in _hf_candidates(spec):
        hit = _in_folder(snap, spec)
        if hit is not None:
            return _resolved(spec, hit, "huggingface")
    for folder in _extra_dirs(spec):
        for cand in [folder, *_hf_candidates(spec, folder)]:
            hit = _in_folder(cand, spec)
            if hit is not None:
                return _resolved(spec, hit, str(folder))
    if spec.url:
        names = dict.fromkeys([spec.url.rsplit("/", 1)[-1], *spec.files])
        for folder, source in (
            (open_clip_cache(), "open_clip"),
            (torch_hub_checkpoints(), "torch"),
        ):
            for fname in names:
                if (folder / fname).is_file():
                    return _resolved(spec, folder / fname, source)
    raise WeightsMissing(name, f"weights {name} ({spec.description}) not found: {fix_hint(name)}")


def status(name: str) -> tuple[bool, str]:
    """``(present, where or why not)`` for ``mme3dr weights list``."""
    try:
        r = resolve(name)
    except WeightsMissing as exc:
        return False, str(exc)
    note = " [random weights]" if r.random else ""
    return True, f"{r.path} ({r.source}){note}"


# ------------------------------------------------------------------------------ hashing

_SHA_CACHE: dict[tuple[str, int, float], str] = {}


def sha256_of(path: Path) -> str:
    """SHA-256 of a file, or of a folder's weight files (name + content), cached per process."""
    path = Path(path)
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime)
    if key in _SHA_CACHE:
        return _SHA_CACHE[key]
    h = hashlib.sha256()
    files = [path] if path.is_file() else sorted(p for p in path.iterdir() if p.is_file())
    for f in files:
        if path.is_dir():
            h.update(f.name.encode())
        with open(f, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    _SHA_CACHE[key] = h.hexdigest()
    return _SHA_CACHE[key]


# ------------------------------------------------------------------------------ load failures

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[@-Z\\-_]")
_KEYS = re.compile(r"(Missing|Unexpected) key\(s\) in state_dict: (.*?)(?:\.\s*$|\.\s*\n)", re.M)
_MISMATCH = re.compile(
    r"size mismatch for ([^:]+): copying a param with shape (.*?) from checkpoint, "
    r"the shape in current model is (.*?)\.(?:\s|$)"
)
#: a summary never lists more than this many keys
EXAMPLES = 3


def strip_ansi(text: str) -> str:
    """``text`` without terminal escape sequences (colours, cursor moves)."""
    return _ANSI.sub("", str(text))


def _shape(text: str) -> str:
    return text.replace("torch.Size(", "").replace(")", "").strip()


def summarise_load_error(exc: BaseException) -> str:
    """One line describing why a checkpoint did not load, with no key dumps and no ANSI codes.

    Missing / unexpected keys become ``"N missing keys, e.g. a, b, c"``; size mismatches
    ``"N size mismatches, e.g. fc.weight [1008, 2048] in file vs [1000, 2048] in model"``;
    an unpickling failure (random bytes, a non-PyTorch file) says the file is not a PyTorch
    checkpoint instead of torch's advice to load it unsafely.
    """
    text = strip_ansi(str(exc))
    kind = type(exc).__name__
    if "Unpickl" in kind or "Weights only load failed" in text or "invalid load key" in text:
        return f"not a loadable PyTorch checkpoint ({kind}; corrupt or truncated file?)"
    if "failed finding central directory" in text or "PytorchStreamReader" in text:
        return "not a loadable PyTorch checkpoint (broken zip archive: truncated or corrupt file)"
    if "header too large" in text or "HeaderTooLarge" in text or "SafetensorError" in kind:
        return f"not a loadable safetensors file ({kind}: corrupt or truncated file?)"
    parts = []
    for which, keys in _KEYS.findall(text):
        names = re.findall(r'"([^"]+)"', keys)
        if names:
            parts.append(
                f"{len(names)} {which.lower()} keys, e.g. {', '.join(names[:EXAMPLES])}"
            )
    mism = _MISMATCH.findall(text)
    if mism:
        eg = ", ".join(f"{k} {_shape(a)} in file vs {_shape(b)} in model" for k, a, b in mism[:2])
        parts.append(f"{len(mism)} size mismatches, e.g. {eg}")
    if parts:
        return "state dict does not fit the architecture: " + "; ".join(parts)
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return f"{kind}: {first[:300]}"


def describe_file(path: Path) -> str:
    """``"1234567 bytes, sha256 0123456789ab"`` (folder: total bytes of its files)."""
    path = Path(path)
    try:
        if path.is_dir():
            size = sum(f.stat().st_size for f in path.iterdir() if f.is_file())
        else:
            size = path.stat().st_size
        return f"{size} bytes, sha256 {sha256_of(path)[:12]}"
    except OSError as exc:
        return f"unreadable ({type(exc).__name__})"


def refetch_hint(name: str) -> str:
    """How to replace a bad file for weights ``name``."""
    spec = CATALOGUE.get(name)
    size = f" (~{spec.size_mb} MB)" if spec and spec.size_mb else ""
    return (
        f"delete it and re-fetch with `mme3dr weights fetch {name}`{size}, "
        f"or pass --weights {name}=PATH to a good copy"
    )


_FAILED: dict[tuple[str, str, int, int], str] = {}
_FAILED_LOCK = threading.Lock()


def _failure_key(resolved: Resolved) -> tuple[str, str, int, int]:
    try:
        st = resolved.path.stat()
        size, mtime = st.st_size, st.st_mtime_ns
    except OSError:
        size, mtime = -1, -1
    return (resolved.spec.name, str(resolved.path), size, mtime)


def known_failure(resolved: Resolved) -> str | None:
    """The message of an earlier failed load of this very file in this process, if any."""
    with _FAILED_LOCK:
        return _FAILED.get(_failure_key(resolved))


def raise_if_failed(resolved: Resolved) -> None:
    """Raise the cached :class:`WeightsLoadError` when this file already failed to load."""
    msg = known_failure(resolved)
    if msg is not None:
        raise WeightsLoadError(resolved.spec.name, msg)


#: file suffixes read with ``torch.load``; a failed load of one of these is probed on its own
TORCH_CHECKPOINT_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt")


def unreadable_checkpoint(path: Path | None) -> str | None:
    """Why ``path`` cannot be read by ``torch.load`` at all, or ``None`` if it can (or is not one).

    Called after a failed load so the message says "not a loadable PyTorch checkpoint"
    whatever exception the library that read the bytes happened to raise (random bytes give
    an ``UnpicklingError`` on some torch versions and an ``IndexError`` on others). The probe
    uses ``weights_only=True``: it never runs code from the file.
    """
    if path is None or not Path(path).is_file():
        return None
    if Path(path).suffix not in TORCH_CHECKPOINT_SUFFIXES:
        return None
    import torch

    try:
        torch.load(path, map_location="cpu", weights_only=True, mmap=False)
    except Exception as exc:  # noqa: BLE001 - any failure means the bytes are not a checkpoint
        kind = type(exc).__name__
        return f"not a loadable PyTorch checkpoint ({kind}; corrupt or truncated file?)"
    return None


def _load_failure_reason(resolved: Resolved, exc: BaseException) -> str:
    """The library's error in one line, prefixed by the probe's verdict when the bytes are bad."""
    reason = summarise_load_error(exc)
    if reason.startswith("not a loadable"):
        return reason
    probe = unreadable_checkpoint(resolved.path)
    return f"{probe}: {reason}" if probe else reason


def guarded_load(resolved: Resolved, load: Callable[[], T], what: str = "") -> T:
    """Run ``load()``; a failure becomes one :class:`WeightsLoadError`, cached for the process.

    The first failure is logged once (one line) and remembered by (name, path, size, mtime),
    so later calls for the same file raise the same error at once without retrying the load;
    replacing the file clears it. ``what`` names the architecture being loaded, e.g.
    ``"open_clip ViT-H-14"``.
    """
    raise_if_failed(resolved)
    try:
        return load()
    except Exception as exc:  # noqa: BLE001 - any failure of a load is a weights problem
        name = resolved.spec.name
        arch = f" as {what}" if what else ""
        msg = (
            f"weights {name} at {resolved.path} ({describe_file(resolved.path)}) could not be "
            f"loaded{arch}: {_load_failure_reason(resolved, exc)}; {refetch_hint(name)}"
        )
        msg = strip_ansi(msg).replace("\n", " ")
        with _FAILED_LOCK:
            first = _failure_key(resolved) not in _FAILED
            _FAILED[_failure_key(resolved)] = msg
        if first:
            log.warning("%s (cached: not retried in this run)", msg)
        raise WeightsLoadError(name, msg) from None


def clear_failures() -> None:
    """Forget cached load failures (tests)."""
    with _FAILED_LOCK:
        _FAILED.clear()


# ------------------------------------------------------------------------------ what a run used

_USED: dict[str, dict[str, Any]] = {}
_USED_LOCK = threading.Lock()


def record_use(resolved: Resolved) -> None:
    """Note that a run used these weights (for ``stamp["weights"]``)."""
    with _USED_LOCK:
        if resolved.spec.name not in _USED:
            _USED[resolved.spec.name] = resolved.stamp()


def used_weights() -> dict[str, dict[str, Any]]:
    """Every weights entry recorded since the last :func:`reset_used`."""
    with _USED_LOCK:
        return {k: dict(v) for k, v in sorted(_USED.items())}


def reset_used() -> None:
    with _USED_LOCK:
        _USED.clear()


# ------------------------------------------------------------------------------ writing / fetching


def save_random_checkpoint(
    state_dict: dict[str, Any], path: str | Path, model_cfg: dict[str, Any] | None = None
) -> Path:
    """Write ``state_dict`` (from a randomly initialised model) and a sidecar marking it so.

    ``model_cfg`` (e.g. a tiny open_clip config ``{"embed_dim":..., "vision_cfg":...,
    "text_cfg":...}``) makes loaders build that architecture instead of the catalogue's.
    """
    import torch

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(state_dict, path)
    meta: dict[str, Any] = {"random_weights": True}
    if model_cfg is not None:
        meta["model_cfg"] = model_cfg
    sidecar_path(path).write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return path


def fetch(name: str) -> Path:
    """Download weights ``name`` into ``$MME3DR_HOME/weights/NAME`` (network needed).

    Raises ``RuntimeError`` with one readable line when the download fails.
    """
    if name not in CATALOGUE:
        raise KeyError(f"unknown weights {name!r}; known: {', '.join(sorted(CATALOGUE))}")
    spec = CATALOGUE[name]
    dest = weights_dir(name)
    dest.mkdir(parents=True, exist_ok=True)
    try:
        if spec.hf_repo:
            from huggingface_hub import hf_hub_download, snapshot_download

            if spec.kind == "hf_model":
                snapshot_download(
                    spec.hf_repo,
                    local_dir=dest,
                    allow_patterns=["config.json", "preprocessor_config.json", *spec.files[:1]],
                )
                return dest
            last: Exception | None = None
            for fname in spec.files:
                try:
                    return Path(hf_hub_download(spec.hf_repo, fname, local_dir=dest))
                except Exception as exc:  # noqa: BLE001 - try the next accepted name
                    last = exc
            raise RuntimeError(str(last))
        import urllib.request

        target = dest / spec.url.rsplit("/", 1)[-1].replace("%2B", "+")
        tmp = target.with_suffix(target.suffix + ".part")
        with urllib.request.urlopen(spec.url, timeout=60) as resp, open(tmp, "wb") as fh:
            for chunk in iter(lambda: resp.read(1 << 20), b""):
                fh.write(chunk)
        tmp.replace(target)
        return target
    except Exception as exc:  # noqa: BLE001 - one readable line for the CLI
        raise RuntimeError(
            f"could not download {name} ({type(exc).__name__}: {str(exc).splitlines()[0][:200]}); "
            f"download it elsewhere and copy it to {dest}/"
        ) from None
