"""Benchmark `mme3dr eval`: assets/s, peak memory, and the load / render / evaluate split;
then rendering 24 views at 299x299 against a ViT-B/32 image encoder on the same 24 views.

    python scripts/bench_eval.py [--repeat 3] [--subdivide 2] [--no-views]
    python scripts/bench_eval.py --protocol-only [--protocol-cases 16] [--rounds 3]

``--protocol-only`` runs only the CLIP protocol benchmark (:func:`bench_clip_protocol`):
whole-process ``mme3dr eval --suites alignment --rig orbit24_299`` against a process that
only encodes the same views with the same encoder, interleaved, as a ratio of wall times.

The model folder is the procedural reference model (33 starter cases), each mesh subdivided
``--subdivide`` times (faces x4 each time) and copied ``--repeat`` times under new case ids.
The ViT-B/32 is open_clip's architecture with random weights (no download): its cost does not
depend on the weights. Prints figures for the README; run on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from mme3dr.assets import load_asset
from mme3dr.cases import load_cases
from mme3dr.examples.models import REFERENCE, write_mesh
from mme3dr.render import get_rig, render
from mme3dr.results import read_records
from mme3dr.runner import EvalConfig, run_eval


def build_model(root: Path, repeat: int, subdivide: int) -> tuple[Path, Path, int]:
    starter = load_cases("starter").by_id()
    model = root / "model"
    rows = []
    faces = 0
    for r in range(repeat):
        for cid, builder in REFERENCE.items():
            mesh = builder()
            for _ in range(subdivide):
                mesh = mesh.subdivide()
            faces += len(mesh.faces)
            new_id = f"{cid}-r{r}"
            write_mesh(mesh, model / f"{new_id}.ply")
            row = starter[cid].to_dict()
            row["id"] = new_id
            rows.append(row)
    cases = root / "cases.jsonl"
    cases.write_text("".join(json.dumps(x) + "\n" for x in rows))
    return model, cases, faces


def bench_eval(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        model, cases, faces = build_model(root, args.repeat, args.subdivide)
        n = len(REFERENCE) * args.repeat
        cfg = EvalConfig(
            model_dir=model,
            cases=cases,
            out_dir=root / "out",
            save_views=not args.no_views,
            rig=args.rig,
        )
        t0 = time.perf_counter()
        outcome = run_eval(cfg, progress=False)
        wall = time.perf_counter() - t0
        recs = read_records(outcome.out_dir / "results.jsonl")
        split = {
            k: sum(r.timings.get(k, 0.0) for r in recs)
            for k in ("load", "render", "evaluate", "total")
        }
        per_eval: dict[str, list[float]] = {}
        for r in recs:
            for s in r.scores:
                per_eval.setdefault(s["evaluator"], []).append(s["seconds"])
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"## eval: {n} assets, {faces / n:.0f} faces on average, rig {args.rig}, "
            f"views {'rendered' if not args.no_views else 'not rendered'}"
        )
        print(f"wall {wall:.2f} s, {n / wall:.2f} assets/s, peak RSS {peak_mb:.0f} MiB")
        for k in ("load", "render", "evaluate"):
            print(
                f"  {k:9s} {split[k]:7.2f} s  ({100 * split[k] / max(split['total'], 1e-9):4.1f}%)"
            )
        print("  per evaluator (median ms per asset):")
        for name, secs in sorted(per_eval.items(), key=lambda kv: -statistics.median(kv[1])):
            print(f"    {name:20s} {1000 * statistics.median(secs):8.1f}")


def bench_render_vs_encoder(args: argparse.Namespace) -> None:
    import open_clip
    import torch

    torch.set_num_threads(max(1, torch.get_num_threads()))
    with tempfile.TemporaryDirectory() as tmp:
        mesh = REFERENCE["mech-006"]()
        for _ in range(args.subdivide + 2):
            mesh = mesh.subdivide()
        path = write_mesh(mesh, Path(tmp) / "chair.ply")
        asset = load_asset(path)
    rig = get_rig("orbit24").with_(resolution=299)
    render(asset, rig)  # warm-up: context creation, shader compilation
    times = []
    for _ in range(args.trials):
        t0 = time.perf_counter()
        views = render(asset, rig)
        times.append(time.perf_counter() - t0)
    r_med = statistics.median(times)
    model = open_clip.create_model("ViT-B-32", pretrained=None).eval()
    images = torch.from_numpy(views.rgb).permute(0, 3, 1, 2).float() / 255.0
    images = torch.nn.functional.interpolate(images, size=224, mode="bicubic", align_corners=False)
    with torch.no_grad():
        model.encode_image(images)  # warm-up
        enc = []
        for _ in range(args.trials):
            t0 = time.perf_counter()
            model.encode_image(images)
            enc.append(time.perf_counter() - t0)
    e_med = statistics.median(enc)
    print(f"## render vs encoder: {len(asset.mesh.faces)} faces, 24 views at 299x299")
    print(f"render (gl, {views.backend}): median {1000 * r_med:.0f} ms over {args.trials} trials")
    print(
        f"ViT-B/32 encode_image, 24 views at 224 px, torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads: median {1000 * e_med:.0f} ms"
    )
    print(f"ratio render/encoder: {r_med / e_med:.2f}")


def bench_clip_scoring(args: argparse.Namespace) -> None:
    """CLIP-scored throughput: the whole ``clip_score`` evaluator (preprocessing, batched
    encoding, cached prompt, aggregation, details) against ``encode_image`` alone on the same
    views. ViT-B/32 with random weights written to a temporary MME3DR_HOME (no download)."""
    import os

    import torch

    from mme3dr.assets import Asset
    from mme3dr.cases import Case
    from mme3dr.evaluators import registry
    from mme3dr.evaluators.base import Sample
    from mme3dr.features import to_tensor
    from mme3dr.features.clip import OPENAI_MEAN, OPENAI_STD, load_clip
    from mme3dr.features.testing import write_random_clip

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["MME3DR_HOME"] = tmp
        write_random_clip("clip-vit-b-32", cfg=None)
        enc = load_clip("clip-vit-b-32")
        rig = get_rig(args.rig)
        samples = []
        for i, (cid, builder) in enumerate(list(REFERENCE.items())[: args.clip_cases]):
            asset = Asset.from_trimesh(builder(), name=cid)
            s = Sample(
                case=Case(id=cid, prompt=f"prompt {i} for {cid}", category="x"),
                asset=asset,
                rig=rig,
            )
            s.views()  # render outside the timed region
            samples.append(s)
        n_views = sum(s.views().n_views for s in samples)
        ev = registry.build("clip_score")
        ev.score(samples[0])  # warm-up
        for s in samples:
            s.asset.cache.clear()
        t0 = time.perf_counter()
        for s in samples:
            assert ev.score(s).status == "ok"
        full = time.perf_counter() - t0
        with torch.inference_mode():
            t0 = time.perf_counter()
            for s in samples:
                x = to_tensor(s.views().rgb, enc.image_size, OPENAI_MEAN, OPENAI_STD, "cpu")
                enc.model.encode_image(x)
            bare = time.perf_counter() - t0
    print(
        f"## CLIP-scored throughput: ViT-B/32 (random weights), {len(samples)} cases, "
        f"{n_views} views at {rig.resolution} px, rig {rig.name}, torch "
        f"{torch.__version__}, {torch.get_num_threads()} threads"
    )
    print(f"clip_score evaluator: {n_views / full:.1f} views/s ({full:.2f} s)")
    print(f"encode_image alone on the same views: {n_views / bare:.1f} views/s ({bare:.2f} s)")
    print(f"pipeline overhead over the encoder: {100 * (full / bare - 1):.1f}%")


ENCODER_ALONE = """
import sys, time
t0 = time.perf_counter()
from pathlib import Path
import numpy as np
import mme3dr.cli, mme3dr.runner  # the start-up of `mme3dr eval`
from mme3dr.features.batch import MAX_CHUNK_VIEWS
from mme3dr.features.clip import load_clip
views, batch = Path(sys.argv[1]), int(sys.argv[2])
enc = load_clip("clip-vit-b-32")
t1 = time.perf_counter()
files = sorted(views.glob("*.npy"))
n = 0
for i in range(0, len(files), batch):
    rgb = np.concatenate([np.load(f) for f in files[i : i + batch]])
    enc.encode_images(rgb, batch_size=min(MAX_CHUNK_VIEWS, len(rgb)))
    n += len(rgb)
print(f"start-up {t1 - t0:.2f} s, {n} views encoded in {time.perf_counter() - t1:.2f} s")
"""


def bench_clip_protocol(args: argparse.Namespace) -> None:
    """The 3DGen-R1 CLIP protocol through the whole CLI against the encoder alone.

    ``mme3dr eval MODEL --suites alignment --rig orbit24_299`` (workers: the CLI default, every
    usable core; or ``--protocol-workers``) runs as its own process; the baseline is a process
    with the same start-up (imports the CLI, loads the same random-weight ViT-B/32) that reads
    the same 24 views at 299 px of every case, rendered beforehand, and encodes them in the
    same batches (``encode_batch`` cases). Both are timed as whole processes, alternately for
    ``--rounds`` rounds, so a machine loaded by other work slows both alike; the figure is the
    median of the per-round ratios encoder-alone / eval.
    """
    import os
    import subprocess
    import sys

    import mme3dr
    from mme3dr.features.testing import write_random_clip

    root_of_code = str(Path(mme3dr.__file__).resolve().parents[1])
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        env = dict(os.environ, MME3DR_HOME=str(root / "home"), PYTHONPATH=root_of_code)
        os.environ["MME3DR_HOME"] = env["MME3DR_HOME"]
        write_random_clip("clip-vit-b-32", cfg=None)
        model = root / "model"
        rows = []
        refs = list(REFERENCE.items())
        for i in range(args.protocol_cases):
            cid, builder = refs[i % len(refs)]
            mesh = builder()
            for _ in range(args.subdivide):
                mesh = mesh.subdivide()
            new_id = f"{cid}-{i}"
            write_mesh(mesh, model / f"{new_id}.ply")
            rows.append({"id": new_id, "prompt": f"a 3D model of {cid} number {i}",
                         "category": "stylized", "suites": ["alignment"]})
        cases = root / "cases.jsonl"
        cases.write_text("".join(json.dumps(x) + "\n" for x in rows))
        rig = get_rig("orbit24_299")
        views = root / "views"
        views.mkdir()
        for row in rows:
            asset = load_asset(model / f"{row['id']}.ply")
            np.save(views / f"{row['id']}.npy", render(asset, rig).rgb)
        batch = EvalConfig(model_dir=model).encode_batch
        eval_cmd = [sys.executable, "-m", "mme3dr", "eval", str(model), "--cases", str(cases),
                    "--suites", "alignment", "--rig", "orbit24_299", "--out", str(root / "out"),
                    "--overwrite"]
        if args.protocol_workers:
            eval_cmd += ["--workers", str(args.protocol_workers)]
        alone_cmd = [sys.executable, "-c", ENCODER_ALONE, str(views), str(batch)]

        def timed(cmd: list[str], code: str = root_of_code) -> tuple[float, str]:
            t0 = time.perf_counter()
            done = subprocess.run(cmd, env=dict(env, PYTHONPATH=code), capture_output=True,
                                  text=True, check=False, cwd=root)
            wall = time.perf_counter() - t0
            if done.returncode != 0:
                raise SystemExit(f"{cmd[:4]} failed:\n{done.stdout}\n{done.stderr}")
            return wall, done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""

        n_views = sum(1 for _ in views.glob("*.npy")) * rig.n_views
        print(f"## CLIP protocol: {len(rows)} cases x {rig.n_views} views at {rig.resolution} px "
              f"(rig {rig.name}), ViT-B/32 random weights, encode_batch {batch}, workers "
              f"{args.protocol_workers or 'CLI default'}, {os.cpu_count()} CPUs")
        ratios: list[float] = []
        others: list[float] = []
        for r in range(args.rounds):
            t_alone, said = timed(alone_cmd)
            t_eval, _ = timed(eval_cmd)
            ratios.append(t_alone / t_eval)
            print(f"round {r + 1}: encoder alone {t_alone:.1f} s ({said}); eval {t_eval:.1f} s "
                  f"({n_views / t_eval:.1f} views/s); ratio {100 * ratios[-1]:.1f}%")
            if args.compare_code:  # the same eval with another checkout's code (e.g. before)
                t_other, _ = timed(eval_cmd, str(Path(args.compare_code).resolve()))
                others.append(t_alone / t_other)
                print(f"         eval with {args.compare_code}: {t_other:.1f} s; ratio "
                      f"{100 * others[-1]:.1f}%")
        summary = json.loads((root / "out" / "model" / "summary.json").read_text())
        print(f"eval stamp: {summary['stamp']['execution']}")
        print(f"median ratio encoder-alone / eval: {100 * statistics.median(ratios):.1f}% "
              f"(min {100 * min(ratios):.1f}%, max {100 * max(ratios):.1f}%)")
        if others:
            print(f"median ratio with {args.compare_code}: {100 * statistics.median(others):.1f}%")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--subdivide", type=int, default=2)
    p.add_argument("--rig", default="orbit8")
    p.add_argument("--trials", type=int, default=5)
    p.add_argument("--no-views", action="store_true")
    p.add_argument("--skip-encoder", action="store_true")
    p.add_argument("--clip-cases", type=int, default=16, help="cases for the CLIP benchmark")
    p.add_argument("--skip-clip", action="store_true")
    p.add_argument("--protocol-only", action="store_true",
                   help="only the CLIP protocol benchmark (eval vs encoder alone)")
    p.add_argument("--skip-protocol", action="store_true")
    p.add_argument("--protocol-cases", type=int, default=16)
    p.add_argument("--protocol-workers", type=int, default=0, help="0: the CLI default")
    p.add_argument("--rounds", type=int, default=3, help="interleaved rounds (protocol)")
    p.add_argument("--compare-code", default="",
                   help="another checkout whose eval is timed in the same rounds (protocol)")
    args = p.parse_args()
    print(
        f"# mme3dr bench on {platform.machine()}, python {platform.python_version()}, "
        f"numpy {np.__version__}"
    )
    if args.protocol_only:
        bench_clip_protocol(args)
        return
    bench_eval(args)
    if not args.skip_encoder:
        bench_render_vs_encoder(args)
    if not args.skip_clip:
        bench_clip_scoring(args)
    if not args.skip_protocol:
        bench_clip_protocol(args)


if __name__ == "__main__":
    main()
