"""``mme3dr train`` / ``python -m trainers.hi_grpo``: run Hi-GRPO from a YAML config.

Usage errors (a missing or malformed config, an unknown key) exit 2 with one line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Annotated

import typer


def run(config: Path | None, out: str | None, resume: bool, steps: int | None,
        overrides: list[str], quiet: bool) -> int:
    """Load the config, apply ``--out``/``--steps``/``--set`` and train; returns an exit code."""
    from mme3dr.errors import ConfigError
    from trainers.config import load_config
    from trainers.trainer import train

    sets = list(overrides)
    if out is not None:
        sets.append(f"run_dir={out}")
    if steps is not None:
        sets.append(f"steps={steps}")
    try:
        cfg = load_config(config, sets)
        last = train(cfg, resume=resume, quiet=quiet)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: resume with --resume", file=sys.stderr)
        return 130
    if not quiet and last:
        print(f"done: {cfg.steps} steps in {cfg.run_dir} (metrics.jsonl, reward.png, "
              "checkpoints/)")
    return 0


def train_cmd(
    config: Annotated[Path, typer.Option("--config", "-c", help="YAML config file.")],
    out: Annotated[str | None, typer.Option(help="Run folder (overrides run_dir).")] = None,
    resume: Annotated[bool, typer.Option(help="Continue from the latest checkpoint.")] = False,
    steps: Annotated[int | None, typer.Option(help="Total steps (overrides steps).")] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Override a key: section.key=value.")
    ] = None,
    quiet: Annotated[bool, typer.Option(help="No terminal lines.")] = False,
) -> None:
    """Train a text-to-3D policy with Hi-GRPO on mme3dr's evaluators."""
    code = run(config, out, resume, steps, set_ or [], quiet)
    if code:
        raise typer.Exit(code)


def main(argv: list[str] | None = None) -> int:
    """argparse entry point for ``python -m trainers.hi_grpo``."""
    p = argparse.ArgumentParser(prog="python -m trainers.hi_grpo", description=train_cmd.__doc__)
    p.add_argument("--config", "-c", type=Path, required=True)
    p.add_argument("--out", default=None)
    p.add_argument("--resume", action="store_true")
    p.add_argument("--steps", type=int, default=None)
    p.add_argument("--set", dest="overrides", action="append", default=[])
    p.add_argument("--quiet", action="store_true")
    a = p.parse_args(argv)
    return run(a.config, a.out, a.resume, a.steps, a.overrides, a.quiet)
