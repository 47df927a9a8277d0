"""Where one reward's time goes on the tiny config: per term, per step, optionally cProfile.

    python scripts/profile_rewards.py --batches 3 --repeat 3 [--profile stable] [--save F]

Samples ``--batches`` batches from the untrained tiny-config policy exactly as a training step
draws them (4 prompts x 8 completions, both steps, decoded to meshes by
``trainers/voxels.py``), then scores every ``(case, mesh)`` pair in this process with the
config's two :class:`mme3dr.rewards.RewardSpec` (no workers, no dedup, no cache) ``--repeat``
times, and prints the CPU time (``time.process_time``) per reward and per term, the best of
the repeats. Each term is timed on a fresh ``Asset`` (its own measurement cache), as the
reward runs it, except that the terms of one reward share the asset in the order the spec
lists them. ``--profile NAME`` runs cProfile over the reward calls (``all``, ``step1``,
``step2``) or one term's evaluator and prints the top functions. ``--save F`` writes the
rewards (pickle) so two versions of the code can be compared bit for bit (``--compare F``).
"""

from __future__ import annotations

import argparse
import cProfile
import pickle
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def sample(batches: int, seed: int):
    """``[(step, case, mesh)]`` for ``batches`` training batches of the untrained policy."""
    import tempfile

    import torch

    from trainers.config import load_config
    from trainers.rollout import decode_all
    from trainers.trainer import HiGRPOTrainer

    torch.set_num_threads(1)
    tmp = tempfile.mkdtemp()
    cfg = load_config(ROOT / "trainers" / "configs" / "tiny.yaml", [
        f"run_dir={tmp}", "rewards.workers=0", f"seed={seed}", "log.plot=false"])
    tr = HiGRPOTrainer(cfg, eval_cases=[], quiet=True)
    g = cfg.grpo
    out = []
    for _ in range(batches):
        cases = tr.sampler.take(g.prompts_per_step)
        rows = [c for c in cases for _ in range(g.group_size)]
        prompts = [c.prompt for c in rows]
        s1 = tr.policy.generate(prompts, step=1, generator=tr.gen)
        m1, _ = decode_all(tr.policy, s1)
        s2 = tr.policy.generate(prompts, step=2, previous=s1, generator=tr.gen)
        m2, _ = decode_all(tr.policy, s2)
        out += [(1, c, m) for c, m in zip(rows, m1, strict=True)]
        out += [(2, c, m) for c, m in zip(rows, m2, strict=True)]
    return cfg, out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--batches", type=int, default=3)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--profile", default=None)
    p.add_argument("--top", type=int, default=30)
    p.add_argument("--sort", default="cumulative", help="pstats sort key (tottime, ...)")
    p.add_argument("--save", type=Path, default=None)
    p.add_argument("--compare", type=Path, default=None)
    a = p.parse_args(argv)

    from mme3dr.evaluators import registry
    from mme3dr.evaluators.base import Sample
    from mme3dr.rewards import RewardSpec, _asset_of

    cfg, rows = sample(a.batches, a.seed)
    specs = {1: RewardSpec.from_list(cfg.rewards.step1, "step1"),
             2: RewardSpec.from_list(cfg.rewards.step2, "step2")}
    rows = [r for r in rows if r[2] is not None]
    n = {s: sum(1 for r in rows if r[0] == s) for s in (1, 2)}
    faces = {s: sum(len(r[2].faces) for r in rows if r[0] == s) / max(1, n[s]) for s in (1, 2)}
    print(f"{len(rows)} meshes: step1 {n[1]} (mean {faces[1]:.0f} faces), "
          f"step2 {n[2]} (mean {faces[2]:.0f} faces)")

    # whole rewards, best of --repeat
    best = {1: float("inf"), 2: float("inf")}
    results = None
    for _ in range(a.repeat):
        res = []
        for s in (1, 2):
            t0 = time.process_time()
            for step, case, mesh in rows:
                if step == s:
                    res.append(specs[s].score(case, mesh))
            best[s] = min(best[s], time.process_time() - t0)
        results = res
    for s in (1, 2):
        print(f"step{s} reward: {1000 * best[s] / max(1, n[s]):.1f} ms per mesh (CPU, best of "
              f"{a.repeat})")

    # per term, on one asset per (mesh, reward) shared by its terms in spec order
    per: dict[str, float] = {}
    build = {1: float("inf"), 2: float("inf")}
    for _ in range(a.repeat):
        acc: dict[str, float] = {}
        bt = {1: 0.0, 2: 0.0}
        for step, case, mesh in rows:
            t0 = time.process_time()
            asset, _ = _asset_of(case, mesh)
            bt[step] += time.process_time() - t0
            smp = Sample(case=case, asset=asset)
            for term, params in specs[step].plan(case):
                ev = registry.build_check({"check": term.evaluator, **params})
                if ev is None:
                    continue
                t0 = time.process_time()
                ev.score(smp)
                key = f"step{step}/{term.evaluator}"
                acc[key] = acc.get(key, 0.0) + time.process_time() - t0
        for k, v in acc.items():
            per[k] = min(per.get(k, float("inf")), v)
        for s in (1, 2):
            build[s] = min(build[s], bt[s])
    for s in (1, 2):
        print(f"  step{s} asset build: {1000 * build[s] / max(1, n[s]):.2f} ms per mesh")
    for k, v in sorted(per.items()):
        s = int(k[4])
        print(f"  {k}: {1000 * v / max(1, n[s]):.2f} ms per mesh")

    if a.profile:
        prof = cProfile.Profile()
        steps = {"all": (1, 2), "step1": (1,), "step2": (2,)}.get(a.profile)
        for step, case, mesh in rows:
            if steps is not None:
                if step in steps:
                    prof.enable()
                    specs[step].score(case, mesh)
                    prof.disable()
                continue
            asset, _ = _asset_of(case, mesh)
            smp = Sample(case=case, asset=asset)
            for term, params in specs[step].plan(case):
                ev = registry.build_check({"check": term.evaluator, **params})
                if ev is None:
                    continue
                if term.evaluator == a.profile:
                    prof.enable()
                    ev.score(smp)
                    prof.disable()
                else:
                    ev.score(smp)
        pstats.Stats(prof).sort_stats(a.sort).print_stats(a.top)

    def strip(r):
        return (r.reward, r.terms, r.raw, r.error, r.undecodable)

    if a.save:
        a.save.write_bytes(pickle.dumps([strip(r) for r in results]))
        print(f"wrote {a.save}")
    if a.compare:
        old = pickle.loads(a.compare.read_bytes())
        new = [strip(r) for r in results]
        diff = [i for i, (x, y) in enumerate(zip(old, new, strict=True)) if repr(x) != repr(y)]
        print(f"compare with {a.compare}: {len(new)} rewards, {len(diff)} differ"
              + (f" (first {diff[:5]}: {old[diff[0]]} vs {new[diff[0]]})" if diff else ""))
        return 1 if diff else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
