"""A tiny Hugging Face causal LM and word-level tokenizer built in the test, nothing downloaded:
the mesh tokens (``<mesh-start>``, ``<mesh-end>``, ``<mesh-0>`` ...) are *special* tokens, as
real mesh-token models register them."""

from __future__ import annotations

import torch

from trainers.policies.hf import MESH_END, MESH_START


def tiny_tokenizer(words: list[str], cells: int):
    """Word-level fast tokenizer: ``<pad>`` 0, ``<eos>`` 1, ``<unk>`` 2, the mesh markers and
    ``cells`` voxel tokens (all special), then ``words``."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    specials = ["<pad>", "<eos>", "<unk>", MESH_START, MESH_END] + [
        f"<mesh-{i}>" for i in range(cells)]
    vocab = {t: i for i, t in enumerate(specials + words)}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="<eos>",
                                   unk_token="<unk>")
    fast.add_special_tokens({"additional_special_tokens": specials[3:]})
    return fast


def tiny_llama(vocab_size: int, max_positions: int):
    """A 2-layer, 32-wide Llama with seeded random weights (seed 0)."""
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=vocab_size, hidden_size=32, intermediate_size=64,
                      num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=2,
                      max_position_embeddings=max_positions, pad_token_id=0, eos_token_id=1,
                      bos_token_id=None, tie_word_embeddings=True)
    return LlamaForCausalLM(cfg)
