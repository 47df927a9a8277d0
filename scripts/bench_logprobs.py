"""Peak memory of the Hugging Face adapter's log-prob path: rows x length x vocabulary.

Each measurement runs in a fresh process: a small randomly initialised Llama (width 256, 2
layers) with the given vocabulary, one forward and backward of ``HFCausalLMPolicy.logprobs``
over ``rows`` sequences of ``length`` tokens, every token sampled (all in the loss). The
figure is the growth of the process's peak resident memory (``ru_maxrss``) over a warm-up of
the same code on 1 row x 8 tokens (which already holds the parameters, their gradients and
the libraries), so it is the memory of the log-prob path itself. ``--path naive`` measures the
textbook computation (full-vocabulary float32 ``log_softmax`` over every position) for
comparison. Children run with ``MALLOC_MMAP_THRESHOLD_=65536`` so freed blocks go back to the
system and the peak reflects live memory, not allocator fragmentation.

    python scripts/bench_logprobs.py                      # the default grid, about 2 minutes
    python scripts/bench_logprobs.py --out docs/bench_logprobs.json

Expected: the chunked path grows linearly in rows x length (the model's activations) and not
with the vocabulary: a chunk holds ``--chunk-elements`` float32 logits (``elements / V``
positions, as :func:`trainers.policies.logprobs.auto_chunk`); the naive path grows with
rows x length x vocabulary.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

GRID = [  # (rows, length, vocab)
    (2, 256, 32768), (4, 256, 32768), (8, 256, 32768), (4, 1024, 32768),
    (4, 256, 8192), (4, 256, 131072),
]
NAIVE = [(4, 256, 32768), (4, 256, 131072)]


def _measure(rows: int, length: int, vocab: int, path: str, elements: int) -> dict:
    """Child process body: build, warm up, measure; returns the figures."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    from trainers.policies.base import StepBatch
    from trainers.policies.hf import HFCausalLMPolicy
    from trainers.policies.logprobs import auto_chunk

    torch.set_num_threads(1)
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=vocab, hidden_size=256, intermediate_size=512,
                      num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=4,
                      max_position_embeddings=length + 8, pad_token_id=0, eos_token_id=1,
                      bos_token_id=None)
    model = LlamaForCausalLM(cfg)

    class Tok:  # the adapter only needs ids here
        eos_token_id, pad_token_id = 1, 0

    chunk = auto_chunk(vocab, elements)
    pol = HFCausalLMPolicy(model, Tok(), lambda t: None, logprob_chunk=chunk)

    def batch(n: int, t: int) -> StepBatch:
        seq = torch.randint(2, vocab, (n, t), generator=torch.Generator().manual_seed(1))
        att = torch.ones(n, t, dtype=torch.long)
        loss = torch.ones(n, t)
        loss[:, 0] = 0
        return StepBatch(2, [""] * n, seq, att, loss)

    def run(b: StepBatch) -> None:
        if path == "naive":
            out = model(input_ids=b.sequences, attention_mask=b.attention_mask).logits.float()
            lp = torch.log_softmax(out[:, :-1], -1).gather(2, b.sequences[:, 1:, None])[..., 0]
        else:
            lp, _ = pol.logprobs(b)
        (lp * b.loss_mask[:, : lp.shape[1]]).sum().backward()

    run(batch(1, 8))
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    run(batch(rows, length))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    full_logits_mb = rows * length * vocab * 4 / 2**20
    return {"rows": rows, "length": length, "vocab": vocab, "path": path, "chunk": chunk,
            "peak_mb": round((peak - base) / 1024, 1),
            "full_logits_float32_mb": round(full_logits_mb, 1)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--chunk-elements", type=int, default=2**23,
                   help="float32 logits per chunk (default 2^23: 32 MB)")
    p.add_argument("--out", type=Path, default=None, help="write the rows as JSON here")
    p.add_argument("--child", nargs=5, default=None, help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.child:
        rows, length, vocab, path, elements = a.child
        print(json.dumps(_measure(int(rows), int(length), int(vocab), path, int(elements))))
        return 0
    results = []
    jobs = [(*g, "chunked") for g in GRID] + [(*g, "naive") for g in NAIVE]
    print(f"{'path':8} {'rows':>4} {'len':>5} {'vocab':>7} {'chunk':>5} {'peak MB':>8} "
          f"{'N*L*V*4 MB':>10}")
    for rows, length, vocab, path in jobs:
        cmd = [sys.executable, __file__, "--child", str(rows), str(length), str(vocab), path,
               str(a.chunk_elements)]
        out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=True,
                             env={"PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1",
                                  "PATH": "/usr/bin:/bin", "MALLOC_MMAP_THRESHOLD_": "65536"})
        r = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(r)
        print(f"{path:8} {rows:4d} {length:5d} {vocab:7d} {r['chunk']:5d} {r['peak_mb']:8.1f} "
              f"{r['full_logits_float32_mb']:10.1f}", flush=True)
    if a.out:
        a.out.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
