"""Does torch's FSDP2 ``fully_shard`` run on CPU with gloo? (a 2-process check, no GPU)

    python -m torch.distributed.run --nproc_per_node 2 scripts/check_fsdp2_cpu.py
    python -m torch.distributed.run --nproc_per_node 2 scripts/check_fsdp2_cpu.py --uneven
    python -m torch.distributed.run --nproc_per_node 2 scripts/check_fsdp2_cpu.py \
        --uneven --gathered

Shards a small MLP (each Linear one FSDP2 unit, then the root), runs forward, backward and an
AdamW step, three no-grad forwards while the root is unsharded (what generation would do), and
prints each rank's loss and the sum of the full (gathered) state dict, which must agree.
``--uneven`` makes rank r run ``3 + r`` no-grad forwards instead: with
``reshard_after_forward`` each unit all-gathers again per forward, so the ranks' collectives
no longer match (torch 2.14.1: gloo aborts with "Received data size doesn't match expected
size"). That is why generation, whose number of forwards differs per rank, must run on
gathered parameters (FSDP2 ``unshard`` of every unit / FSDP1 ``summon_full_params`` /
DeepSpeed ``GatheredParameters``) and never through per-forward all-gathers.
``--uneven --gathered`` does what :class:`trainers.engine_fsdp.Fsdp2Engine` does around
generation: every unit is told not to reshard after forward and ``unshard()``-ed (and the root),
so the uneven no-grad forwards run without any collective and the run completes.
"""

import sys

import torch
import torch.distributed as dist
from torch.distributed.fsdp import fully_shard


def main() -> None:
    dist.init_process_group("gloo")
    r = dist.get_rank()
    torch.manual_seed(0)
    m = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.Tanh(), torch.nn.Linear(16, 4))
    for layer in (m[0], m[2]):
        fully_shard(layer)
    fully_shard(m)
    opt = torch.optim.AdamW(m.parameters(), lr=1e-2)
    p = next(m.parameters())
    print(r, "parameter", type(p).__name__, "local shard", tuple(p.to_local().shape))
    x = torch.randn(4, 8, generator=torch.Generator().manual_seed(r))
    loss = m(x).pow(2).mean()
    loss.backward()
    opt.step()
    units = [m[0], m[2]] if "--gathered" in sys.argv else []
    for u in units:
        u.set_reshard_after_forward(False, recurse=False)
    for u in [*units, m]:
        u.unshard()
    with torch.no_grad():
        for _ in range(3 + (r if "--uneven" in sys.argv else 0)):
            m(x)
    for u in [*units, m]:
        u.reshard()
    for u in units:
        u.set_reshard_after_forward(True, recurse=False)
    full = {k: v.full_tensor() for k, v in m.state_dict().items()}
    print(r, "ok: loss", float(loss), "full state sum", float(sum(v.sum() for v in full.values())))
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
