"""Benchmark eval's worker pool: throughput of the weight-free suites with --workers 1 (in
process, the baseline) against 2..N workers, and peak memory against the number of cases.

    python scripts/bench_workers.py [--repeat 3] [--subdivide 1] [--max-workers N]

The model folder is the procedural reference model (33 starter cases, see bench_eval.py),
copied ``--repeat`` times. Each configuration runs the same cases in a fresh output folder;
the ratio is cases/s against ``--workers 1`` measured in the same run. Peak memory is the
largest resident size of this process and of any one worker (``ru_maxrss``). Run it on an
otherwise idle machine: other load changes the ratios.
"""

from __future__ import annotations

import argparse
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_eval import build_model  # noqa: E402

from mme3dr.results import read_records  # noqa: E402
from mme3dr.runner import EvalConfig, run_eval  # noqa: E402
from mme3dr.workers import usable_cores  # noqa: E402

SUITES = ("spatial", "functional", "physical")


def one_run(model: Path, cases: Path, out: Path, workers: int) -> tuple[float, int, float]:
    """Seconds for the whole run, the number of ok records and the largest worker's peak
    resident size in MiB (0 in process)."""
    t0 = time.perf_counter()
    outcome = run_eval(
        EvalConfig(model_dir=model, cases=cases, out_dir=out, suites=SUITES, workers=workers,
                   case_timeout=120.0),
        progress=False,
    )
    secs = time.perf_counter() - t0
    records = read_records(outcome.out_dir / "results.jsonl")
    peak = max((r.timings.get("worker_peak_rss_mb", 0.0) for r in records), default=0.0)
    return secs, outcome.summary["counts"]["ok"], peak


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--subdivide", type=int, default=1)
    p.add_argument("--max-workers", type=int, default=usable_cores())
    args = p.parse_args()
    print(f"# bench_workers: python {platform.python_version()}, {usable_cores()} usable cores")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        model, cases, faces = build_model(root, args.repeat, args.subdivide)
        n = sum(1 for _ in cases.open())
        print(f"{n} cases, {faces / n:.0f} faces on average, suites {','.join(SUITES)}")
        base = None
        print("| workers | seconds | cases/s | vs --workers 1 | largest worker peak RSS |")
        print("|---:|---:|---:|---:|---:|")
        for w in range(1, max(1, args.max_workers) + 1):
            secs, ok, peak = one_run(model, cases, root / f"out-{w}", w)
            rate = n / secs
            base = base or rate
            print(f"| {w} | {secs:.1f} | {rate:.2f} | {rate / base:.2f}x | {peak:.0f} MiB |"
                  f"  ({ok} ok)")
        parent = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS of this process: {parent:.0f} MiB")
        # peak memory of a pool run against the number of cases: a fresh process per size
        import subprocess

        for repeat in (1, args.repeat * 2):
            code = (
                "import sys, resource, tempfile; from pathlib import Path;"
                f"sys.path.insert(0, {str(Path(__file__).resolve().parent)!r});"
                "from bench_workers import one_run; from bench_eval import build_model;"
                "r = Path(tempfile.mkdtemp());"
                f"m, c, _ = build_model(r, {repeat}, {args.subdivide});"
                f"_, _, peak = one_run(m, c, r / 'p', {max(2, args.max_workers)});"
                "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, int(peak))"
            )
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
            fields = out.stdout.split()
            if out.returncode != 0 or len(fields) < 2:
                print(f"memory run with {33 * repeat} cases failed: {out.stderr[-500:]}")
                continue
            print(f"{33 * repeat} cases, {max(2, args.max_workers)} workers: "
                  f"parent peak {fields[-2]} MiB, largest worker peak {fields[-1]} MiB")


if __name__ == "__main__":
    main()
