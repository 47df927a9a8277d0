"""Policies Hi-GRPO can train: the CPU reference policy and a Hugging Face causal-LM adapter."""

from __future__ import annotations

from typing import Any

from trainers.policies.base import Policy, StepBatch

__all__ = ["Policy", "StepBatch", "build_policy"]


def build_policy(spec: dict[str, Any], seed: int = 0) -> Policy:
    """A policy from its config mapping: ``{"kind": "reference", ...}`` or ``{"kind": "hf", ...}``.

    ``reference`` takes :class:`trainers.policies.reference.ReferenceConfig` fields;
    ``hf`` takes :func:`trainers.policies.hf.policy_from_config` keys.
    """
    spec = dict(spec)
    kind = spec.pop("kind", None)
    if kind == "reference":
        from trainers.policies.reference import ReferenceConfig, ReferencePolicy

        return ReferencePolicy(ReferenceConfig(**spec), seed=seed)
    if kind == "hf":
        from trainers.policies.hf import policy_from_config

        return policy_from_config(spec, seed=seed)
    raise ValueError(f"unknown policy kind {kind!r}; known: reference, hf")
