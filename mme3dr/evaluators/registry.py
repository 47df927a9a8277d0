"""Registry of evaluator classes, keyed by name (the name a case's ``checks`` use).

Where evaluators come from (:func:`load_builtin`, run before every lookup; each source is read
once per process, except ``$MME3DR_PLUGINS``, which is read on every call):

* **check units**: every module of the :data:`CHECK_PACKAGES` (``mme3dr.checks``) whose name
  does not start with ``_``, found by a ``pkgutil`` scan, one check per module
  (:mod:`mme3dr.evaluators.check`);
* **learned evaluators**: the modules in :data:`BUILTIN_MODULES` (skipped when a module of
  theirs is not installed);
* **entry points** in group :data:`ENTRY_POINT_GROUP` (``mme3dr.checks``) of installed
  packages: each names a module (``my_pkg.checks``), whose classes register themselves with
  :func:`register`, or an evaluator class (``my_pkg.checks:MyCheck``), registered on load;
* **``$MME3DR_PLUGINS``**: comma-separated modules imported the same way (workers import
  them too).

Importing a check registers it; evaluators never import each other.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import inspect
import os
import pkgutil
from typing import Any

from mme3dr.evaluators.base import SUITES, Evaluator

_REGISTRY: dict[str, type[Evaluator]] = {}

#: packages whose public modules are check units (scanned with ``pkgutil``)
CHECK_PACKAGES: tuple[str, ...] = ("mme3dr.checks",)

#: modules of the learned evaluators (heavier classes, one module per suite)
BUILTIN_MODULES: tuple[str, ...] = (
    "mme3dr.evaluators.alignment",
    "mme3dr.evaluators.aesthetic",
    "mme3dr.evaluators.vlm_judge",
)

#: entry-point group through which an installed package adds checks
ENTRY_POINT_GROUP = "mme3dr.checks"

#: sources already read in this process (see :func:`load_builtin`)
_LOADED: set[str] = set()


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


def check_modules(package: str = "mme3dr.checks") -> list[str]:
    """The check-unit modules of ``package``: its modules not starting with ``_``, sorted."""
    pkg = importlib.import_module(package)
    return sorted(
        f"{package}.{info.name}"
        for info in pkgutil.iter_modules(pkg.__path__)
        if not info.name.startswith("_") and not info.ispkg
    )


def entry_points() -> list[importlib.metadata.EntryPoint]:
    """The installed entry points of group :data:`ENTRY_POINT_GROUP`."""
    return list(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP))


def _load_entry_point(ep: importlib.metadata.EntryPoint) -> None:
    obj = ep.load()
    if inspect.isclass(obj) and issubclass(obj, Evaluator) and _REGISTRY.get(obj.name) is not obj:
        register(obj)


def _import_optional(module: str) -> None:
    """Import ``module``; a learned suite whose own dependencies are absent is skipped."""
    try:
        importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise


def load_builtin() -> None:
    """Register every evaluator: the check units (package scan), the learned evaluators, the
    ``mme3dr.checks`` entry points and ``$MME3DR_PLUGINS`` (see the module docstring)."""
    if "builtin" not in _LOADED:
        for package in CHECK_PACKAGES:
            for module in check_modules(package):
                importlib.import_module(module)
        for module in BUILTIN_MODULES:
            _import_optional(module)
        _LOADED.add("builtin")
    if "entry_points" not in _LOADED:
        _LOADED.add("entry_points")  # first, so a failing plugin is reported once, not looped
        for ep in entry_points():
            _load_entry_point(ep)
    for module in plugin_modules():
        importlib.import_module(module)


def reload_entry_points() -> None:
    """Read the ``mme3dr.checks`` entry points again (after installing a package)."""
    _LOADED.discard("entry_points")
    load_builtin()


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
    """Whether evaluator ``cls`` takes keyword parameter ``param`` (a check unit: in its
    ``schema``; another evaluator: in its ``__init__`` signature)."""
    schema = getattr(cls, "schema", None)
    if isinstance(schema, dict):
        return param in schema
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


def weight(name: str) -> float:
    """The weight of evaluator ``name`` in its suite score (its class's ``weight``); 1.0 for
    a name nobody registered."""
    try:
        return float(get(name).weight)
    except KeyError:
        return 1.0


def default_evaluators(suite: str) -> list[type[Evaluator]]:
    """Evaluators that run on every case of ``suite`` without being listed as checks."""
    load_builtin()
    return [c for n, c in sorted(_REGISTRY.items()) if c.suite == suite and c.runs_by_default]
