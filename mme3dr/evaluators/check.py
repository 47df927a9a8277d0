"""The check unit: a weight-free evaluator declared as one small class.

A check is an :class:`~mme3dr.evaluators.base.Evaluator` whose parameters are declared, not
hand-validated: a ``schema`` of typed fields (:mod:`mme3dr.evaluators.fields`) from which
:class:`Check` builds ``__init__`` (validation with readable messages, the parameters recorded
with every score), ``mme3dr checks`` builds its listing and ``mme3dr checks --markdown`` the
table in ``docs/checks.md``. Everything else a check declares is a class attribute (``name``,
``suite``, ``version``, ``weight``, ``runs_by_default``, ``robust_to``, ``description``) and
one method, :meth:`~mme3dr.evaluators.base.Evaluator.evaluate`, which calls the measurement
(through ``sample.asset.measure(fn, **kwargs)``, cached per asset by function and arguments)
and grades it (:mod:`mme3dr.evaluators.grading`). One check per module under
``mme3dr/checks/``; the registry finds them by scanning that package (and the ``mme3dr.checks``
entry points of installed packages). See ``docs/adding_a_check.md``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from mme3dr.evaluators import grading
from mme3dr.evaluators.base import Evaluator, Score
from mme3dr.evaluators.fields import Count, Field

__all__ = ["COUNT", "Check", "CountCheck", "plural"]


class Check(Evaluator):
    """Base class of the check units: parameters from :attr:`schema`.

    ``Check(**params)`` validates every given parameter with its field (``ValueError`` naming
    the check and the parameter), fills in the defaults, lets :meth:`validate` apply rules
    between parameters, and records the result in ``self.params`` (left out: parameters that
    are ``None``, and ``record="non_default"`` fields at their default). ``self.values`` holds
    every parameter's value, defaults included, for :meth:`evaluate` (given parameters first,
    in the order given, then the defaults in schema order). An unknown or missing
    required parameter is a ``TypeError`` (the registry reports it as "bad parameters").
    """

    #: parameter name -> field, in the order listings show them
    schema: ClassVar[dict[str, Field]] = {}

    def __init__(self, **given: Any):
        schema = self.schema
        unknown = sorted(set(given) - set(schema))
        if unknown:
            accepted = ", ".join(schema) or "none"
            raise TypeError(f"unknown parameter(s) {', '.join(unknown)}; accepted: {accepted}")
        missing = [k for k, f in schema.items() if f.required and given.get(k) is None]
        if missing:
            raise TypeError(f"missing required parameter(s) {', '.join(missing)}")
        values: dict[str, Any] = {}
        for key in [*given, *(k for k in schema if k not in given)]:  # as given, then defaults
            fld = schema[key]
            value = given[key] if key in given else fld.default
            if value is None and fld.default is None:
                values[key] = None
                continue
            values[key] = fld.parse(self.name, key, value)
        self.values: dict[str, Any] = self.validate(values)
        recorded = {
            k: v for k, v in self.values.items()
            if v is not None
            and not (schema[k].record == "non_default" and v == schema[k].default)
        }
        super().__init__(**recorded)

    def validate(self, values: dict[str, Any]) -> dict[str, Any]:
        """Rules between parameters (each already valid on its own); returns the values to
        use, possibly completed. Raise ``ValueError`` with a message naming the check."""
        return values


#: the count parameters (``expect``, or ``min`` and/or ``max``), added to a count check's schema
COUNT: dict[str, Field] = {"expect": Count(None), "min": Count(None), "max": Count(None)}


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class CountCheck(Check):
    """A check that counts something and compares with ``expect`` or ``min``/``max`` (graded
    by :func:`~mme3dr.evaluators.grading.count_grade`). Subclasses put ``**COUNT`` in their
    schema and set ``noun`` (the reason reads "found 3 ground contacts, expected 4")."""

    noun: ClassVar[str] = "thing"

    def validate(self, values: dict[str, Any]) -> dict[str, Any]:
        expect, lo, hi = values["expect"], values["min"], values["max"]
        if expect is None and lo is None and hi is None:
            raise ValueError(f"{self.name}: give 'expect' (an exact count) or 'min' and/or 'max'")
        if expect is not None and (lo is not None or hi is not None):
            raise ValueError(f"{self.name}: give either 'expect' or 'min'/'max', not both")
        if lo is not None and hi is not None and lo > hi:
            raise ValueError(f"{self.name}: 'min' ({lo}) is larger than 'max' ({hi})")
        return values

    def graded(self, found: int, **details: Any) -> Score:
        """The score of a found count, with ``details`` kept in the score."""
        v = self.values
        score, passed, text = grading.count_grade(found, v["expect"], v["min"], v["max"])
        return self.make_score(
            score,
            value=int(found),
            passed=passed,
            reason=f"found {plural(int(found), self.noun)}, {text}",
            **details,
        )


# ------------------------------------------------------------------------ the table of checks

#: markers around the generated table in ``docs/checks.md``
TABLE_START = "<!-- checks-table:start (generated by `mme3dr checks --markdown`) -->"
TABLE_END = "<!-- checks-table:end -->"


def param_rows(cls: type[Check]) -> list[tuple[str, str, str]]:
    """``(name, type, default)`` of each parameter of check ``cls``, in schema order."""
    return [(k, f.type_text(), f.default_text()) for k, f in cls.schema.items()]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown_table(classes: list[type[Check]]) -> str:
    """The check table of ``docs/checks.md``: one row per check (sorted by suite as in
    :data:`~mme3dr.suites.SUITES`, then name) with its parameters (type, default), weight,
    version, whether it runs by default and the attacks it claims to resist."""
    from mme3dr.suites import SUITES

    order = {s: i for i, s in enumerate(SUITES)}
    rows = [
        "| check | suite | parameters (type = default) | weight | version | default | robust_to |",
        "|---|---|---|---|---|---|---|",
    ]
    for cls in sorted(classes, key=lambda c: (order.get(c.suite, len(order)), c.name)):
        params = "<br>".join(
            f"`{k}` {_cell(t)} = {d}" for k, t, d in param_rows(cls)
        ) or "none"
        robust = ", ".join(cls.robust_to) or "none"
        rows.append(
            f"| `{cls.name}` | {cls.suite} | {params} | {float(cls.weight)!r} | {cls.version} | "
            f"{'yes' if cls.runs_by_default else 'no'} | {robust} |"
        )
    return "\n".join(rows) + "\n"
