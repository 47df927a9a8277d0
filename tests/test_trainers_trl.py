"""mme3dr's reward under real TRL: ``trl.GRPOTrainer`` (trl 1.16) for a few steps on CPU.

The model is a tiny randomly initialised Llama, the tokenizer a word-level ``tokenizers``
object built here whose mesh tokens are *special* tokens (as real mesh-token models register
them). TRL hands reward functions text decoded with ``skip_special_tokens=True``, where every
mesh token is gone; the reward must decode ``completion_ids`` instead, or every completion is
undecodable and nothing is learned. Nothing is downloaded.
"""

from __future__ import annotations

import json
import math
import pickle

import pytest
import torch

trl = pytest.importorskip("trl")

from tiny_hf import tiny_llama, tiny_tokenizer  # noqa: E402

from mme3dr.trl_rewards import MarkedTokenDecoder, TRLMeshReward  # noqa: E402
from trainers.policies.hf import MESH_END, MESH_START, VoxelIndexDecoder  # noqa: E402
from trainers.toy_cases import toy_split  # noqa: E402

CELLS = 27  # 3 x 3 x 3
WORDS = ["a", "table", "with", "1", "2", "3", "4", "legs", "stool", "bench", "staircase",
         "steps", "cup", "bowl", "plan", ":"]
TERMS = [{"evaluator": "ground_contacts", "source": "case", "weight": 2.0},
         {"evaluator": "watertight", "weight": 1.0}]


class RecordingReward(TRLMeshReward):
    """The reward under test, keeping every value it returned (for the assertions)."""

    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self.seen: list[float | None] = []

    def __call__(self, *a, **k):
        out = super().__call__(*a, **k)
        self.seen.extend(out)
        return out


def _warm_up(model, tok, prompts: list[str], steps: int = 40) -> None:
    """A few supervised steps so the random model writes mesh spans of varying cells (an RL
    run starts from a model that knows the format; the variety gives the rewards spread)."""
    spans = ["<mesh-0> <mesh-2> <mesh-6> <mesh-8>", "<mesh-0> <mesh-1> <mesh-3> <mesh-4>",
             "<mesh-4> <mesh-13>", "<mesh-0> <mesh-2> <mesh-6> <mesh-8> <mesh-9> <mesh-11>"]
    texts = [f"{p} {MESH_START} {s} {MESH_END} <eos>" for p in prompts for s in spans]
    batch = tok(texts, return_tensors="pt", padding=True)
    labels = batch["input_ids"].masked_fill(batch["attention_mask"] == 0, -100)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(steps):
        loss = model(**batch, labels=labels).loss
        opt.zero_grad()
        loss.backward()
        opt.step()


def _dataset(cases):
    import datasets

    return datasets.Dataset.from_dict({
        "prompt": [f"{c.prompt} plan :" for c in cases],
        "id": [c.id for c in cases],
        "category": [c.category for c in cases],
        "suites": [list(c.suites) for c in cases],
        "checks": [json.dumps(list(c.checks), sort_keys=True) for c in cases],
    })


@pytest.fixture
def one_thread():
    """One intra-op thread: a 32-wide model gains nothing from more, and loses a lot on a
    shared CPU."""
    was = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(was)


def test_grpo_trainer_trains_on_mme3dr_rewards_from_special_mesh_tokens(tmp_path, one_thread):
    from trl import GRPOConfig, GRPOTrainer

    tok = tiny_tokenizer(WORDS, CELLS)
    model = tiny_llama(len(tok), max_positions=64)
    cases = [c for c in toy_split()[0] if any(k.get("check") == "ground_contacts"
                                               for k in c.checks)][:4]
    data = _dataset(cases)
    _warm_up(model, tok, list(data["prompt"]))
    recording = RecordingReward(TERMS, MarkedTokenDecoder(VoxelIndexDecoder((3, 3, 3))),
                                tokenizer=tok, name="mme3dr_toy", undecodable=0.0)
    recording = pickle.loads(pickle.dumps(recording))  # what a spawned worker would receive
    args = GRPOConfig(
        output_dir=str(tmp_path / "out"), use_cpu=True, bf16=False, fp16=False,
        gradient_checkpointing=False, per_device_train_batch_size=4, num_generations=4,
        max_completion_length=10, max_steps=3, learning_rate=5e-3, logging_steps=1,
        report_to="none", save_strategy="no", seed=0, disable_dropout=True, beta=0.0,
        dataloader_num_workers=0, temperature=1.0,
    )
    trainer = GRPOTrainer(model=model, reward_funcs=[recording], args=args, train_dataset=data,
                          processing_class=tok)
    before = [p.detach().clone() for p in model.parameters()]
    trainer.train()

    # every reward is a number, and most completions were decoded from the ids
    seen = recording.seen
    assert seen and all(r is not None and math.isfinite(r) for r in seen), seen
    assert recording.counts["samples"] == len(seen) == 3 * 4
    assert recording.counts["undecodable"] < len(seen)  # reading TRL's text gives all 12
    assert len(set(seen)) > 1  # spread within the batch: advantages are not all zero
    logs = [r for r in trainer.state.log_history if "reward" in r]
    assert len(logs) == 3
    for row in logs:
        assert math.isfinite(row["reward"]) and math.isfinite(row["loss"])
        assert math.isfinite(row["rewards/mme3dr_toy/mean"])
    assert any(row["grad_norm"] > 0 for row in logs)
    moved = max(float((p.detach() - q).abs().max()) for p, q in
                zip(model.parameters(), before, strict=True))
    assert moved > 0, "GRPOTrainer did not change the parameters"
