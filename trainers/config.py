"""Hi-GRPO run configuration: every hyperparameter, loaded from YAML, validated.

A config file is a YAML mapping with the sections below (every key optional, defaults shown in
the dataclasses). Unknown keys are errors (a typo must not silently fall back to a default).
``--set section.key=value`` overrides any key from the command line (values parsed as YAML).

.. code-block:: yaml

    run_dir: runs/tiny
    seed: 0
    steps: 120
    policy: {kind: reference, d_model: 64, n_layers: 2}
    data: {train: toy, eval: toy-heldout}
    grpo: {prompts_per_step: 4, group_size: 8, epochs: 2, minibatches: 2, eps_low: 0.2, ...}
    optim: {lr: 1.0e-3, grad_clip: 1.0}
    rewards: {step1: [...terms...], step2: [...terms...], workers: 1}
    eval: {every: 20, samples: 8}
    log: {jsonl: true, tensorboard: false, plot: true}
    checkpoint: {every: 20, keep: 2}
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mme3dr.errors import ConfigError


def _default_step1_terms() -> list[dict[str, Any]]:
    """Global evaluators: counts and overall shape from the case, stability, support."""
    return [
        {"evaluator": "ground_contacts", "source": "case", "weight": 2.0},
        {"evaluator": "horizontal_layers", "source": "case", "weight": 2.0},
        {"evaluator": "aspect", "source": "case", "weight": 1.0},
        {"evaluator": "stable", "weight": 1.0},
        {"evaluator": "floating_parts", "weight": 1.0},
    ]


def _default_step2_terms() -> list[dict[str, Any]]:
    """Local evaluators: surface quality and the case's functional checks."""
    return [
        {"evaluator": "watertight", "weight": 1.0},
        {"evaluator": "support_surface", "source": "case", "weight": 1.0},
        {"evaluator": "holds_liquid", "source": "case", "weight": 1.0},
        {"evaluator": "opening", "source": "case", "weight": 1.0},
    ]


@dataclass
class DataConfig:
    """Prompt sources: ``toy`` / ``toy-heldout`` (:mod:`trainers.toy_cases`), a bundled case-set
    name or a JSONL path (:func:`mme3dr.cases.load_cases`). ``eval`` may be ``null``."""

    train: str = "toy"
    eval: str | None = "toy-heldout"


@dataclass
class GRPOConfig:
    """The Hi-GRPO algorithm (see :mod:`trainers.hi_grpo`).

    ``prompts_per_step`` prompts (over all processes) times ``group_size`` completions per step;
    ``epochs`` passes over the batch, each in ``minibatches`` optimiser steps (so the ratio
    leaves 1 and the clip acts after the first update); ``lam`` is lambda in
    ``R~_high = R_high + lam * R_low``; ``dynamic_sampling`` drops groups whose rewards have no
    spread in both steps and draws up to ``max_resample_rounds`` extra batches to refill
    (every process draws the same number of rounds, so their prompt streams stay in step).

    ``disable_dropout`` (default true) sets every dropout probability of the policy to 0 for
    the whole run, so the forward in the loss matches the one that computed ``old_logp``
    (the ratio is exactly 1 before the first update) and the KL to an identical reference is
    exactly 0. TRL's ``GRPOConfig.disable_dropout`` does the same but defaults to false; our
    loop makes ``epochs x minibatches`` updates per batch, where dropout noise in the ratio
    would be clipped as if the policy had moved, hence the other default. ``old_logp`` and
    ``ref_logp`` are always computed in eval mode (dropout off) whatever this says.

    ``micro_batch_rows`` (0: a whole minibatch per forward) bounds the rows of one forward
    pass; a minibatch's gradients accumulate over its micro-batches.

    ``mode`` selects the method (the paper's Table 6 ablation, same sampling and updates):
    ``hi_grpo`` (default): ``L(1)`` with advantages of ``R~_high`` plus ``L(2)`` with
    advantages of ``R_low``; ``step1_only``: ``L(1)`` alone, advantages of ``R_high`` (step 2
    is sampled but never trained); ``step2_only``: ``L(2)`` alone, advantages of ``R_low``;
    ``plain``: one-step GRPO: one reward, every ``step1`` and ``step2`` term scored on the
    final mesh, one advantage per completion, one token mean over both steps' tokens.
    """

    prompts_per_step: int = 4
    group_size: int = 8
    epochs: int = 2
    minibatches: int = 2
    eps_low: float = 0.2
    eps_high: float = 0.28
    beta: float = 0.01
    adv_eps: float = 1e-4
    lam: float = 1.0
    dynamic_sampling: bool = True
    max_resample_rounds: int = 1
    disable_dropout: bool = True
    micro_batch_rows: int = 0
    mode: str = "hi_grpo"


MODES = ("hi_grpo", "step1_only", "step2_only", "plain")


@dataclass
class OptimConfig:
    """AdamW on the policy's parameters, constant learning rate after a linear warm-up."""

    lr: float = 1e-3
    weight_decay: float = 0.0
    betas: tuple[float, float] = (0.9, 0.99)
    grad_clip: float = 1.0
    warmup_steps: int = 0


@dataclass
class RewardsConfig:
    """Reward terms per step (:class:`mme3dr.rewards.RewardTerm` dicts) and their workers.

    ``workers`` processes score batches of at least ``min_parallel`` distinct meshes (0:
    in-process); one pool, started once, serves both steps. With ``overlap`` (and workers)
    step 1's rewards are scored while the loop samples step 2, and both steps' while it
    computes the frozen log-probs (``old_logp``, ``ref_logp``) of the same rows; without it
    the loop waits for each step's rewards as soon as it submits them.
    ``dedup``: rows of a batch with the same case and the same mesh are scored once;
    ``cache``: the rewards of the last ``cache`` distinct ``(case, mesh)`` pairs are reused in
    later steps (0: off). Neither changes a number: the evaluators are deterministic
    (:class:`mme3dr.rewards.MeshReward`).

    ``undecodable`` is the reward of a sample the policy's decoder cannot turn into a mesh (no
    mesh span, an empty grid, a decoder error): by default 0.0, the lowest reward a term can
    give, so the policy is pushed toward well-formed output; ``null`` masks such samples out
    of the loss instead (no signal). Either way they are counted
    (``reward/stepK/undecodable``). A sample whose *evaluator* fails (errors, skips) is always
    masked: that is not the policy's fault.
    """

    step1: list[dict[str, Any]] = field(default_factory=_default_step1_terms)
    step2: list[dict[str, Any]] = field(default_factory=_default_step2_terms)
    workers: int = 1
    min_parallel: int = 16
    undecodable: float | None = 0.0
    overlap: bool = True
    dedup: bool = True
    cache: int = 4096


@dataclass
class HeldOutEvalConfig:
    """Periodic evaluation on the held-out cases (``data.eval``).

    ``samples`` completions per case drawn with a generator seeded by ``seed`` (the same
    random numbers at every evaluation); with ``runner`` the first sample's final mesh of each
    case is also written out and scored by :func:`mme3dr.runner.run_eval`, as ``mme3dr eval``.
    ``every`` 0 disables it; evaluation also runs before the first and after the last step.
    """

    every: int = 20
    samples: int = 8
    seed: int = 1234
    runner: bool = True


@dataclass
class LogConfig:
    """``metrics.jsonl`` always; a terminal line every ``every`` steps; TensorBoard if asked."""

    every: int = 1
    tensorboard: bool = False
    plot: bool = True


@dataclass
class CheckpointConfig:
    """Checkpoint every ``every`` steps (and at the end), keeping the last ``keep``."""

    every: int = 20
    keep: int = 2


@dataclass
class TrainConfig:
    """A whole run. ``torch_threads`` limits intra-op threads (1 is fastest for tiny models
    on shared CPUs); ``device`` is ``cpu`` or ``cuda``."""

    run_dir: str = "runs/hi-grpo"
    seed: int = 0
    steps: int = 100
    device: str = "cpu"
    torch_threads: int = 1
    policy: dict[str, Any] = field(default_factory=lambda: {"kind": "reference"})
    data: DataConfig = field(default_factory=DataConfig)
    grpo: GRPOConfig = field(default_factory=GRPOConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    rewards: RewardsConfig = field(default_factory=RewardsConfig)
    eval: HeldOutEvalConfig = field(default_factory=HeldOutEvalConfig)
    log: LogConfig = field(default_factory=LogConfig)
    checkpoint: CheckpointConfig = field(default_factory=CheckpointConfig)

    def validate(self) -> TrainConfig:
        g = self.grpo
        if g.group_size < 2:
            raise ConfigError("grpo.group_size must be >= 2 (advantages compare within a group)")
        if g.prompts_per_step < 1 or g.epochs < 1 or g.minibatches < 1:
            raise ConfigError("grpo.prompts_per_step, epochs and minibatches must be >= 1")
        if g.mode not in MODES:
            raise ConfigError(f"grpo.mode must be one of {', '.join(MODES)}, got {g.mode!r}")
        if g.micro_batch_rows < 0:
            raise ConfigError("grpo.micro_batch_rows must be >= 0 (0: no micro-batching)")
        u = self.rewards.undecodable
        if u is not None and not (isinstance(u, int | float) and math.isfinite(u)):
            raise ConfigError("rewards.undecodable must be a finite number or null")
        if self.rewards.cache < 0 or self.rewards.workers < 0:
            raise ConfigError("rewards.cache and rewards.workers must be >= 0")
        if not (0 <= g.eps_low < 1 and g.eps_high >= 0):
            raise ConfigError("grpo.eps_low must be in [0, 1) and eps_high >= 0")
        if self.steps < 0:
            raise ConfigError("steps must be >= 0")
        if "kind" not in self.policy:
            raise ConfigError("policy.kind is required (reference or hf)")
        from mme3dr.rewards import RewardSpec

        for name in ("step1", "step2"):
            try:
                RewardSpec.from_list(getattr(self.rewards, name), name=name)
            except (KeyError, ValueError, TypeError) as exc:
                raise ConfigError(f"rewards.{name}: {exc}") from None
        return self

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _build(cls: type, data: Any, where: str) -> Any:
    """Instantiate dataclass ``cls`` from a mapping, recursively, rejecting unknown keys."""
    if not dataclasses.is_dataclass(cls):
        return data
    if data is None:
        return cls()
    if not isinstance(data, dict):
        raise ConfigError(f"{where or 'config'}: expected a mapping, got {type(data).__name__}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ConfigError(
            f"{where or 'config'}: unknown key(s) {', '.join(unknown)}; known: {', '.join(fields)}"
        )
    kwargs = {}
    for name, value in data.items():
        sub = _nested_types().get((cls.__name__, name))
        kwargs[name] = _build(sub, value, f"{where}.{name}" if where else name) if sub else value
        if name == "betas" and isinstance(value, list):
            kwargs[name] = tuple(value)
        kwargs[name] = _coerce(fields[name], kwargs[name], f"{where}.{name}" if where else name)
    return cls(**kwargs)


def _coerce(f: dataclasses.Field, value: Any, where: str) -> Any:
    """Numbers given as strings (YAML reads ``1e-3`` as a string) become numbers; a value of
    the wrong kind for a numeric or boolean field is an error."""
    default = f.default if f.default is not dataclasses.MISSING else None
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true or false, got {value!r}")
        return value
    if isinstance(default, int | float) and value is not None:
        kind = float if isinstance(default, float) else int
        try:
            out = kind(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{where}: expected a number, got {value!r}") from None
        if kind is int and out != float(value):
            raise ConfigError(f"{where}: expected an integer, got {value!r}")
        return out
    return value


def _nested_types() -> dict[tuple[str, str], type]:
    return {
        ("TrainConfig", "data"): DataConfig,
        ("TrainConfig", "grpo"): GRPOConfig,
        ("TrainConfig", "optim"): OptimConfig,
        ("TrainConfig", "rewards"): RewardsConfig,
        ("TrainConfig", "eval"): HeldOutEvalConfig,
        ("TrainConfig", "log"): LogConfig,
        ("TrainConfig", "checkpoint"): CheckpointConfig,
    }


def apply_overrides(data: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Apply ``a.b.c=value`` strings (values parsed as YAML) to a nested mapping, in place."""
    for item in overrides:
        if "=" not in item:
            raise ConfigError(f"--set expects KEY=VALUE, got {item!r}")
        key, raw = item.split("=", 1)
        parts = key.strip().split(".")
        node = data
        for p in parts[:-1]:
            node = node.setdefault(p, {})
            if not isinstance(node, dict):
                raise ConfigError(f"--set {key}: {p} is not a section")
        try:
            node[parts[-1]] = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            raise ConfigError(f"--set {key}: not valid YAML: {_yaml_problem(exc)}") from None
    return data


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """A YAML parse error on one line: the problem and where (PyYAML's own text spans lines)."""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    mark = getattr(exc, "problem_mark", None)
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
    return f"{problem}{where}"


def config_from_dict(data: dict[str, Any]) -> TrainConfig:
    return _build(TrainConfig, data, "").validate()


def load_config(path: str | Path | None, overrides: list[str] | None = None) -> TrainConfig:
    """Read a YAML config (or start from defaults with ``path=None``) and apply overrides."""
    data: dict[str, Any] = {}
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(f"{p}: config file does not exist")
        try:
            data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"{p}: not valid YAML: {_yaml_problem(exc)}") from None
        if not isinstance(data, dict):
            raise ConfigError(f"{p}: must hold a mapping")
    apply_overrides(data, overrides or [])
    return config_from_dict(data)
