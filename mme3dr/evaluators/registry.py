"""Registry of evaluator classes, keyed by name (the name a case's ``checks`` use)."""

from __future__ import annotations

import importlib
import inspect
import os
from typing import Any

from mme3dr.evaluators.base import SUITES, Evaluator

_REGISTRY: dict[str, type[Evaluator]] = {}

#: modules imported by :func:`load_builtin`; one module per suite.
BUILTIN_MODULES: tuple[str, ...] = (
    "mme3dr.evaluators.physical",
    "mme3dr.evaluators.spatial",
    "mme3dr.evaluators.functional",
    "mme3dr.evaluators.alignment",
    "mme3dr.evaluators.aesthetic",
    "mme3dr.evaluators.vlm_judge",
)


def register(cls: type[Evaluator]) -> type[Evaluator]:
    """Class decorator: add an evaluator to the registry under ``cls.name``."""
    name = getattr(cls, "name", None)
    if not name:
        raise TypeError(f"{cls.__qualname__} has no 'name'")
    if getattr(cls, "suite", None) not in SUITES:
        raise TypeError(f"{cls.__qualname__}.suite must be one of {SUITES}")
    existing = _REGISTRY.get(name)
    if existing is not None and existing is not cls:
        raise ValueError(f"evaluator {name!r} registered twice ({existing.__qualname__})")
    _REGISTRY[name] = cls
    return cls


#: environment variable naming extra modules (comma-separated) whose evaluators register
#: themselves on import, e.g. ``MME3DR_PLUGINS=my_checks`` (workers import them too)
PLUGINS_ENV = "MME3DR_PLUGINS"


def plugin_modules() -> list[str]:
    """The modules named by ``$MME3DR_PLUGINS``."""
    return [m.strip() for m in os.environ.get(PLUGINS_ENV, "").split(",") if m.strip()]


def load_builtin() -> None:
    """Import the built-in suite modules (and ``$MME3DR_PLUGINS``) so their evaluators
    register themselves."""
    for module in BUILTIN_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
    for module in plugin_modules():
        importlib.import_module(module)


def known_names() -> list[str]:
    load_builtin()
    return sorted(_REGISTRY)


def get(name: str) -> type[Evaluator]:
    """The evaluator class called ``name``; ``KeyError`` lists the known names."""
    load_builtin()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(
            f"unknown check/evaluator {name!r}; known: {', '.join(sorted(_REGISTRY))}"
        ) from None


def build(name: str, params: dict[str, Any] | None = None) -> Evaluator:
    """Instantiate evaluator ``name`` with ``params``; ``ValueError`` explains bad parameters."""
    cls = get(name)
    try:
        return cls(**(params or {}))
    except TypeError as exc:
        raise ValueError(f"bad parameters for {name!r}: {exc}") from None


#: keys of a case's check entry that the framework reads (never passed to the evaluator)
CONTROL_KEYS: tuple[str, ...] = ("run",)


def accepts(cls: type[Evaluator], param: str) -> bool:
    """Whether evaluator ``cls`` takes keyword parameter ``param``."""
    try:
        return param in inspect.signature(cls.__init__).parameters
    except (TypeError, ValueError):
        return False


def build_check(entry: dict[str, Any]) -> Evaluator | None:
    """Build the evaluator a case's check entry asks for, with the per-case controls:

    * ``{"check": NAME, "run": false}`` switches off a default evaluator for this case (the
      result is ``None``); only default evaluators can be switched off, with no other keys;
    * ``{"check": NAME, "expect": false}`` on an evaluator that has no ``expect`` parameter
      inverts its judgement (:class:`~mme3dr.evaluators.base.Inverted`: the case expects the
      object to *fail* it, e.g. a floating cube is expected not to be ``stable``);
      ``"expect": true`` is the evaluator's plain judgement. Evaluators that take ``expect``
      (the count checks) get it as a parameter.

    ``KeyError`` for an unknown name, ``ValueError`` for bad parameters or controls.
    """
    from mme3dr.evaluators.base import Inverted

    name = entry["check"]
    params = {k: v for k, v in entry.items() if k != "check"}
    cls = get(name)
    run = params.pop("run", True)
    if not isinstance(run, bool):
        raise ValueError(f"run must be true or false, got {run!r}")
    if not run:
        if not cls.runs_by_default:
            raise ValueError(
                f"run: false switches off a default evaluator; {name!r} does not run by default"
            )
        if params:
            raise ValueError(f"run: false takes no other keys, got {', '.join(sorted(params))}")
        return None
    expect = params.get("expect")
    if isinstance(expect, bool) and not accepts(cls, "expect"):
        params.pop("expect")
        ev = build(name, params)
        return ev if expect else Inverted(ev)
    return build(name, params)


def default_evaluators(suite: str) -> list[type[Evaluator]]:
    """Evaluators that run on every case of ``suite`` without being listed as checks."""
    load_builtin()
    return [c for n, c in sorted(_REGISTRY.items()) if c.suite == suite and c.runs_by_default]
