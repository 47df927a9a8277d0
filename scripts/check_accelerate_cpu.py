"""What ``Accelerator.prepare`` gives under the shipped 2-process CPU config (a check, no GPU).

    accelerate launch --config_file trainers/configs/accelerate/cpu_gloo_2proc.yaml \
        scripts/check_accelerate_cpu.py [--cpu]

Wraps the reference policy's ``joint_logprobs`` in one ``nn.Module`` (so a training forward
goes through the engine's wrapper and DDP's gradient hooks fire), prepares it with an AdamW
optimiser, runs one backward, and prints ``rank, distributed_type, wrapper type, grad sum``.
Found with accelerate 1.16.0 and torch 2.14.1: without ``--cpu`` (``Accelerator()``) each
process reports ``DistributedType.NO`` and rank 0 (the launcher sets RANK/WORLD_SIZE but not
``ACCELERATE_USE_CPU``), so nothing is synchronised; with ``--cpu`` (``Accelerator(cpu=True)``)
both report ``MULTI_CPU`` and a ``DistributedDataParallel`` wrapper, with the same (averaged)
gradient on both ranks. The trainer now does this (:mod:`trainers.engine`); this script stays
as the minimal check.
"""

import sys

import torch
from accelerate import Accelerator

from trainers.engine import JointForward
from trainers.policies.reference import ReferencePolicy


def main() -> None:
    acc = Accelerator(cpu="--cpu" in sys.argv)
    pol = ReferencePolicy(seed=0, d_model=16, n_layers=1, n_heads=2)
    wrap = JointForward(pol)
    opt = torch.optim.AdamW(wrap.parameters(), lr=1e-3)
    model, opt = acc.prepare(wrap, opt)
    g = torch.Generator().manual_seed(acc.process_index)
    b1 = pol.generate(["a cup"] * 2, 1, generator=g)
    b2 = pol.generate(["a cup"] * 2, 2, previous=b1, generator=g)
    (lp1, _), (lp2, _) = model(b1, b2)
    acc.backward(-(lp1.sum() + lp2.sum()) * (acc.process_index + 1))
    gsum = sum(float(p.grad.abs().sum()) for p in pol.module.parameters() if p.grad is not None)
    print(f"rank {acc.process_index}: {acc.distributed_type} {type(model).__name__} "
          f"grad {gsum:.6f}", flush=True)


if __name__ == "__main__":
    main()
