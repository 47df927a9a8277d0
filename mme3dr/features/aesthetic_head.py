"""The LAION improved-aesthetic-predictor head: an MLP on CLIP image embeddings. Defined here,
with the other learned models, so the evaluator that runs it and the test helpers that write
random checkpoints for it both import it from the features layer."""

from __future__ import annotations

import functools


@functools.cache
def aesthetic_head_class() -> type:
    """The LAION aesthetic MLP head class (built on first use: importing this module must not
    import torch)."""
    import torch.nn as nn

    class AestheticHead(nn.Module):
        """LAION improved-aesthetic-predictor layout: Linear(d, 1024), Dropout, Linear(1024,
        128), Dropout, Linear(128, 64), Dropout, Linear(64, 16), Linear(16, 1) (no
        activations), state-dict keys ``layers.{0,2,4,6,7}.{weight,bias}``."""

        def __init__(self, in_dim: int = 768):
            super().__init__()
            self.in_dim = in_dim
            self.layers = nn.Sequential(
                nn.Linear(in_dim, 1024),
                nn.Dropout(0.2),
                nn.Linear(1024, 128),
                nn.Dropout(0.2),
                nn.Linear(128, 64),
                nn.Dropout(0.1),
                nn.Linear(64, 16),
                nn.Linear(16, 1),
            )

        def forward(self, x):
            return self.layers(x)

    return AestheticHead
