"""The Hugging Face adapter: one full Hi-GRPO step on a tiny randomly initialised causal LM.

No download: the model comes from a ``LlamaConfig``, the tokenizer is a word-level
``tokenizers`` object built here, and the mesh decoder is the simple voxel-index decoder.
"""

from __future__ import annotations

import pytest
import torch
from tiny_hf import tiny_llama, tiny_tokenizer

from trainers.config import config_from_dict
from trainers.policies.hf import MESH_END, MESH_START, HFCausalLMPolicy, VoxelIndexDecoder
from trainers.toy_cases import toy_split
from trainers.trainer import HiGRPOTrainer

CELLS = 27  # a 3 x 3 x 3 grid
WORDS = ["a", "table", "with", "1", "2", "3", "4", "legs", "stool", "bench", "staircase",
         "steps", "cup", "bowl", "plan", ":", "refine", "wide", "tall", "solid"]


def make_tokenizer():
    return tiny_tokenizer(WORDS, CELLS)


def make_model(vocab_size):
    return tiny_llama(vocab_size, max_positions=128)


def warm_up(model, tokenizer, texts, steps=60):
    """A few supervised steps so the random model writes well-formed mesh spans (an RL run
    starts from a model that already knows the format)."""
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    batch = tokenizer(texts, return_tensors="pt", padding=True)
    labels = batch["input_ids"].masked_fill(batch["attention_mask"] == 0, -100)
    model.train()
    for _ in range(steps):
        loss = model(**batch, labels=labels).loss
        opt.zero_grad()
        loss.backward()
        opt.step()
    return float(loss.detach())


def warmed_policy() -> HFCausalLMPolicy:
    """The tiny Llama, warmed up to write mesh spans, in the adapter (deterministic: seed 0;
    also built in the 2-process tests of ``tests/test_trainers_distributed.py``)."""
    tok = make_tokenizer()
    model = make_model(len(tok))
    s = f"{MESH_START} <mesh-0> <mesh-2> <mesh-6> <mesh-8> <mesh-9> {MESH_END} <eos>"
    r = f"{MESH_START} <mesh-0> <mesh-2> <mesh-6> <mesh-8> <mesh-9> <mesh-10> {MESH_END} <eos>"
    texts = [f"{p} plan : table 4 {s} refine : solid {r}" for p in
             ("a table with 4 legs", "a stool with 3 legs", "a cup")]
    assert warm_up(model, tok, texts) < 2.0
    return HFCausalLMPolicy(model, tok, VoxelIndexDecoder((3, 3, 3)),
                            step1_template="{prompt} plan :", step2_template=" refine :",
                            max_new_tokens=(12, 14), temperature=1.0)


@pytest.fixture(scope="module")
def policy():
    return warmed_policy()


def test_generate_logprobs_decode(policy):
    g = torch.Generator().manual_seed(0)
    b1 = policy.generate(["a table with 4 legs", "a cup"], 1, generator=g)
    b2 = policy.generate(["a table with 4 legs", "a cup"], 2, previous=b1, generator=g)
    assert (b1.lengths() > 0).all() and (b2.lengths() <= 14).all()
    # step 2 is conditioned on the whole step-1 completion (ids, not re-tokenised text)
    for i in range(2):
        ids1 = b1.sequences[i][b1.attention_mask[i].bool()].tolist()
        ids2 = b2.sequences[i][b2.attention_mask[i].bool()].tolist()
        eos = policy.eos_id
        assert ids2[: len(ids1) - (ids1[-1] == eos)] == ids1[: len(ids1) - (ids1[-1] == eos)]
    lp, ent = policy.logprobs(b2)
    on = b2.loss_mask > 0
    assert torch.isfinite(lp[on]).all() and (lp[on] <= 0).all() and (ent[on] >= 0).all()
    decoded = 0
    for i in range(2):
        try:
            assert len(policy.decode(b2, i).faces) > 0
            decoded += 1
        except ValueError:
            pass
    assert decoded >= 1
    greedy = policy.generate(["a table with 4 legs"], 1, greedy=True)
    assert MESH_START in greedy.texts[0]


@pytest.mark.parametrize("step", [1, 2])
def test_hf_generate_and_the_loop_agree_greedily(policy, step):
    """``model.generate`` (the default backend) and the adapter's own loop give the same
    greedy tokens, masks and lengths, for step 1 and for step 2 after it."""
    prompts = ["a table with 4 legs", "a cup", "a stool with 3 legs"]
    out = {}
    for backend in ("hf_generate", "loop"):
        policy.generation = backend
        try:
            b = policy.generate(prompts, 1, greedy=True)
            if step == 2:
                b = policy.generate(prompts, 2, previous=b, greedy=True)
        finally:
            policy.generation = "hf_generate"
        out[backend] = b
    a, b = out["hf_generate"], out["loop"]
    assert a.sequences.shape == b.sequences.shape
    assert torch.equal(a.sequences, b.sequences)
    assert torch.equal(a.attention_mask, b.attention_mask)
    assert torch.equal(a.loss_mask, b.loss_mask)


def test_hf_generate_sampling_is_seeded_by_the_generator(policy):
    """Sampling with ``model.generate`` is reproducible from the caller's generator, advances
    it, and leaves torch's global generator as it was."""
    assert policy.generation == "hf_generate"
    prompts = ["a table with 4 legs"] * 6
    state = torch.get_rng_state()
    g1, g2 = torch.Generator().manual_seed(5), torch.Generator().manual_seed(5)
    a, b = policy.generate(prompts, 1, generator=g1), policy.generate(prompts, 1, generator=g2)
    assert torch.equal(a.sequences, b.sequences)
    assert torch.equal(g1.get_state(), g2.get_state())
    c = policy.generate(prompts, 1, generator=g1)  # the advanced generator: another draw
    assert not torch.equal(c.sequences, a.sequences) or c.sequences.shape != a.sequences.shape
    assert torch.equal(torch.get_rng_state(), state)
    # the completions are sampled, not greedy: six rows of one prompt are not all alike
    assert len({tuple(r.tolist()) for r in a.sequences}) > 1
    # every row's mask covers its tokens up to and including the first <eos>, nothing after
    for i in range(len(a)):
        new = a.sequences[i][a.loss_mask[i] > 0].tolist()
        assert policy.eos_id not in new[:-1]


def test_undecodable_completion_is_reported(policy):
    b = policy.generate(["a cup"], 1, generator=torch.Generator().manual_seed(1))
    b.loss_mask[:] = 0  # an empty completion: no mesh span
    with pytest.raises(ValueError, match="mesh-start"):
        policy.decode(b, 0)


def test_one_full_hi_grpo_step_on_the_tiny_hf_model(policy, tmp_path):
    train, _ = toy_split()
    cfg = config_from_dict({
        "run_dir": str(tmp_path / "hf"), "steps": 1, "policy": {"kind": "hf"},
        "grpo": {"prompts_per_step": 2, "group_size": 4, "epochs": 2, "minibatches": 2},
        "rewards": {"workers": 0,
                    "step1": [{"evaluator": "ground_contacts", "source": "case"},
                              {"evaluator": "stable"}, {"evaluator": "floating_parts"}],
                    "step2": [{"evaluator": "watertight"}, {"evaluator": "parts",
                              "params": {"expect": 1}}]},
        "eval": {"every": 0}, "checkpoint": {"every": 1}, "log": {"plot": False},
    })
    before = [p.detach().clone() for p in policy.model.parameters()]
    tr = HiGRPOTrainer(cfg, policy=policy, train_cases=train[:2], quiet=True)
    m = tr.train()
    assert tr.step == 1
    assert m["data/rows_step1"] + m["data/rows_step2"] > 0
    assert m["loss/ratio"] == pytest.approx(1.0, abs=0.5)
    changed = any(not torch.equal(a, b) for a, b in zip(before, policy.model.parameters(),
                                                         strict=True))
    assert changed
    for key in ("reward/step1/mean", "reward/step2/mean", "loss/kl", "loss/clip_fraction",
                "length/step1", "time/generate"):
        assert key in m
    assert (tmp_path / "hf" / "checkpoints" / "step-000001" / "state.pt").is_file()


# ----------------------------------------------------------- log-probs: chunked, joint


def naive_logprobs(policy, batch):
    """The textbook computation: full-vocabulary log_softmax over every position."""
    seq, att = batch.sequences, batch.attention_mask
    logits = policy.model(input_ids=seq, attention_mask=att,
                          position_ids=policy._positions(att)).logits.float()
    logps = torch.log_softmax(logits[:, :-1] / policy.temperature, -1)
    lp = torch.gather(logps, 2, seq[:, 1:, None])[..., 0]
    ent = -(logps.exp() * logps).sum(-1)
    zero = torch.zeros(seq.shape[0], 1)
    return torch.cat([zero, lp], 1), torch.cat([zero, ent], 1)


def _two_steps(policy, seed=3):
    g = torch.Generator().manual_seed(seed)
    prompts = ["a table with 4 legs", "a cup", "a stool with 3 legs"]
    b1 = policy.generate(prompts, 1, generator=g)
    return b1, policy.generate(prompts, 2, previous=b1, generator=g)


def test_chunked_logprobs_equal_the_full_softmax_values_and_gradients(policy):
    policy.model.eval()
    _, b2 = _two_steps(policy)
    on = b2.loss_mask > 0
    policy.logprob_chunk = 5  # several chunks, one ragged
    lp, ent = policy.logprobs(b2)
    ref_lp, ref_ent = naive_logprobs(policy, b2)
    assert torch.allclose(lp[on], ref_lp[on], atol=1e-5)
    assert torch.allclose(ent[on], ref_ent[on], atol=1e-4)
    assert (lp[~on] == 0).all()
    w = torch.randn(lp.shape, generator=torch.Generator().manual_seed(0))
    grads = []
    for fn in (lambda: policy.logprobs(b2)[0], lambda: naive_logprobs(policy, b2)[0]):
        policy.model.zero_grad()
        (fn() * w * on).sum().backward()
        grads.append([p.grad.clone() for p in policy.model.parameters()])
    for a, b in zip(*grads, strict=True):
        assert torch.allclose(a, b, atol=1e-5, rtol=1e-4)
    policy.model.zero_grad()
    policy.logprob_chunk = None


def test_joint_logprobs_read_both_steps_from_one_forward(policy, monkeypatch):
    policy.model.eval()
    b1, b2 = _two_steps(policy, seed=5)
    assert (b1.sequences[:, -1] == policy.pad_id).any() or True
    calls = []
    original = policy._hidden
    monkeypatch.setattr(policy, "_hidden", lambda s, a: calls.append(s.shape) or original(s, a))
    (lp1, ent1), (lp2, ent2) = policy.joint_logprobs(b1, b2)
    assert calls == [b2.sequences.shape]  # one forward, over the step-2 sequence
    with torch.no_grad():
        r1, e1 = naive_logprobs(policy, b1)
        r2, _ = naive_logprobs(policy, b2)
    m1, m2 = b1.loss_mask > 0, b2.loss_mask > 0
    assert lp1.shape == b1.sequences.shape and lp2.shape == b2.sequences.shape
    assert torch.allclose(lp1[m1], r1[m1], atol=1e-5)
    assert torch.allclose(ent1[m1], e1[m1], atol=1e-4)
    assert torch.allclose(lp2[m2], r2[m2], atol=1e-5)
    # the step-1 <eos> is not in the step-2 sequence, yet its log-probability is right
    ends = [i for i in range(len(b1)) if policy.eos_id in policy.completion_ids(b1, i)]
    assert ends, "the warmed-up model ends its step-1 completions"


# --------------------------------------------------------------------------- dropout


def _gpt2_policy(tok, texts, dropout):
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(0)
    cfg = GPT2Config(vocab_size=len(tok), n_positions=128, n_embd=32, n_layer=2, n_head=2,
                     resid_pdrop=dropout, embd_pdrop=dropout, attn_pdrop=dropout,
                     bos_token_id=1, eos_token_id=1, pad_token_id=0)
    model = GPT2LMHeadModel(cfg)
    warm_up(model, tok, texts)
    return HFCausalLMPolicy(model, tok, VoxelIndexDecoder((3, 3, 3)),
                            step1_template="{prompt} plan :", step2_template=" refine :",
                            max_new_tokens=(12, 14))


def _llama_dropout_policy(tok, texts, dropout):
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=len(tok), hidden_size=32, intermediate_size=64,
                      num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=2,
                      max_position_embeddings=128, pad_token_id=0, eos_token_id=1,
                      bos_token_id=None, attention_dropout=dropout)
    model = LlamaForCausalLM(cfg)
    warm_up(model, tok, texts)
    return HFCausalLMPolicy(model, tok, VoxelIndexDecoder((3, 3, 3)),
                            step1_template="{prompt} plan :", step2_template=" refine :",
                            max_new_tokens=(12, 14))


def _first_update(policy, tmp_path, disable_dropout=True):
    train, _ = toy_split()
    cfg = config_from_dict({
        "run_dir": str(tmp_path / "hf"), "steps": 1, "policy": {"kind": "hf"},
        "grpo": {"prompts_per_step": 2, "group_size": 4, "epochs": 1, "minibatches": 1,
                 "dynamic_sampling": False, "disable_dropout": disable_dropout},
        "rewards": {"workers": 0,  # counts differ between the sampled shapes: reward spread
                    "step1": [{"evaluator": "ground_contacts", "params": {"expect": 4}}],
                    "step2": [{"evaluator": "ground_contacts", "params": {"expect": 4}}]},
        "eval": {"every": 0}, "checkpoint": {"every": 0}, "log": {"plot": False},
    })
    tr = HiGRPOTrainer(cfg, policy=policy, train_cases=train[:2], quiet=True)
    return tr.train_step()


@pytest.mark.parametrize("build", [_gpt2_policy, _llama_dropout_policy],
                         ids=["gpt2-dropout", "llama-attention-dropout"])
def test_ratio_is_one_and_kl_zero_on_the_first_update_with_dropout(build, tmp_path):
    tok = make_tokenizer()
    spans = [" ".join(f"<mesh-{c}>" for c in cells) for cells in
             ([0, 2, 6, 8, 9], [0, 9], [4, 13, 22], [0, 1, 2, 3], [9, 10, 11])]
    texts = [f"{p} plan : table 4 {MESH_START} {a} {MESH_END} <eos> refine : solid "
             f"{MESH_START} {b} {MESH_END} <eos>" for p in ("a table with 4 legs", "a cup")
             for a, b in zip(spans, spans[1:] + spans[:1], strict=True)]
    m = _first_update(build(tok, texts, 0.1), tmp_path)
    assert m["loss/tokens"] > 0
    assert m["loss/ratio_first"] == 1.0
    assert m["loss/ratio_dev_max_first"] == 0.0
    assert m["loss/kl_first"] == 0.0
    # the control: with dropout left on in the loss forward the ratio is not 1
    m = _first_update(build(tok, texts, 0.1), tmp_path / "on", disable_dropout=False)
    assert m["loss/tokens"] > 0 and m["loss/ratio_dev_max_first"] > 1e-4
