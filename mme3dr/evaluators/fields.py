"""Typed parameter fields for the checks: one validator per kind of parameter, shared by every
check so the same kind of parameter is checked, described and documented the same way.

A check declares its parameters as a ``schema``, a dict from parameter name to a field (see
:class:`mme3dr.evaluators.check.Check`)::

    schema = {"tol": Length(0.01, upper=0.2), "resolution": Resolution()}

Each field knows its default (``REQUIRED`` when the case must give it), how to validate a
given value (``ValueError`` naming the check and the parameter, e.g. ``"parts: 'min_area' must
be a number in (0, 0.5], got 2"``), what to record with the score, and a short type text for
``mme3dr checks`` and the table in ``docs/checks.md`` (``length (0, 0.2]``).

Lengths are in normalised units (fractions of the asset's largest extent; +Z up, resting on
z = 0); fractions are of whatever the check says (the footprint, the surface area, the height).
A parameter whose value is ``None`` (not given, and no default) is not recorded.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from numbers import Real
from typing import Any

__all__ = [
    "REQUIRED",
    "Bool",
    "Choice",
    "Count",
    "Field",
    "Fraction",
    "Integer",
    "Length",
    "Number",
    "Range",
    "Resolution",
    "Text",
]


class _Required:
    """Marker default: the parameter must be given."""

    def __repr__(self) -> str:
        return "REQUIRED"


#: the default of a parameter the case must give
REQUIRED: Any = _Required()


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _is_number(x: Any) -> bool:
    return isinstance(x, Real) and not isinstance(x, bool)


@dataclass(frozen=True)
class Field:
    """One parameter: its ``default`` (``REQUIRED``, ``None`` for "absent unless given", or a
    value), ``record`` (``"always"``: recorded with every score; ``"non_default"``: only
    when it differs from the default, so records made before the parameter existed keep their
    parameters) and ``absent`` (how a ``None`` default reads in listings)."""

    default: Any = REQUIRED
    record: str = "always"
    #: what a ``None`` default means, for listings (e.g. ``"automatic"``)
    absent: str = "none"

    #: the kind shown in listings (``count``, ``fraction`` ...)
    kind = "value"

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def parse(self, check: str, key: str, value: Any) -> Any:
        """The value to record for a given ``value``; ``ValueError`` when it is invalid."""
        return value

    def type_text(self) -> str:
        """The kind and its bounds, e.g. ``fraction (0, 1]``."""
        return self.kind

    def default_text(self) -> str:
        """How the default reads in a listing (``required`` when there is none)."""
        if self.required:
            return "required"
        return self.absent if self.default is None else f"{self.default!r}"


def _interval(lo: float, hi: float, lo_open: bool, hi_open: bool) -> str:
    if math.isinf(hi):
        if math.isinf(lo):
            return ""
        return f"> {lo:g}" if lo_open else f">= {lo:g}"
    return f"{'(' if lo_open else '['}{lo:g}, {hi:g}{')' if hi_open else ']'}"


@dataclass(frozen=True)
class Number(Field):
    """A real number in an interval (default: any finite number). ``as_float`` records it as a
    float; otherwise the given number is recorded as given (an ``int`` stays an ``int``)."""

    lower: float = -math.inf
    upper: float = math.inf
    lower_open: bool = False
    upper_open: bool = False
    as_float: bool = False

    kind = "number"

    def _inside(self, v: float) -> bool:
        lo_ok = v > self.lower if self.lower_open else v >= self.lower
        hi_ok = v < self.upper if self.upper_open else v <= self.upper
        return lo_ok and hi_ok and math.isfinite(v)

    def bounds(self) -> str:
        return _interval(self.lower, self.upper, self.lower_open, self.upper_open)

    def parse(self, check: str, key: str, value: Any) -> Any:
        if not _is_number(value) or not self._inside(float(value)):
            where = self.bounds()
            where = f" in {where}" if where.startswith(("(", "[")) else (
                f" {where}" if where else "")
            raise ValueError(f"{check}: {key!r} must be a number{where}, got {value!r}")
        return float(value) if self.as_float else value

    def type_text(self) -> str:
        return f"{self.kind} {self.bounds()}".rstrip()


@dataclass(frozen=True)
class Fraction(Number):
    """A fraction in ``(0, upper]`` (``upper`` 1 unless said); ``zero_ok`` allows 0 too."""

    lower: float = 0.0
    upper: float = 1.0
    lower_open: bool = True
    zero_ok: bool = False

    kind = "fraction"

    def __post_init__(self) -> None:
        if self.zero_ok:
            object.__setattr__(self, "lower_open", False)


@dataclass(frozen=True)
class Length(Fraction):
    """A length in normalised units (fraction of the largest extent) in ``(0, upper]``."""

    kind = "length"


@dataclass(frozen=True)
class Count(Field):
    """A non-negative integer (a count of things)."""

    kind = "count"

    def parse(self, check: str, key: str, value: Any) -> Any:
        if not _is_int(value) or value < 0:
            raise ValueError(f"{check}: {key!r} must be a non-negative integer, got {value!r}")
        return value

    def type_text(self) -> str:
        return "count >= 0"


@dataclass(frozen=True)
class Integer(Field):
    """An integer of at least ``minimum``."""

    minimum: int = 0

    kind = "integer"

    def parse(self, check: str, key: str, value: Any) -> Any:
        if not _is_int(value) or value < self.minimum:
            raise ValueError(
                f"{check}: {key!r} must be an integer >= {self.minimum}, got {value!r}"
            )
        return value

    def type_text(self) -> str:
        return f"integer >= {self.minimum}"


#: voxel grid resolutions a check accepts (voxels on the largest extent)
RESOLUTION_BOUNDS = (16, 256)


@dataclass(frozen=True)
class Resolution(Field):
    """A voxel grid resolution (voxels on the largest extent), an integer in [16, 256]."""

    kind = "resolution"

    def parse(self, check: str, key: str, value: Any) -> Any:
        lo, hi = RESOLUTION_BOUNDS
        if not _is_int(value) or not lo <= value <= hi:
            raise ValueError(
                f"{check}: {key!r} must be an integer in [{lo}, {hi}], got {value!r}"
            )
        return int(value)

    def type_text(self) -> str:
        lo, hi = RESOLUTION_BOUNDS
        return f"resolution [{lo}, {hi}]"


@dataclass(frozen=True)
class Range(Field):
    """A ``[lo, hi]`` pair with ``lower <= lo <= hi <= upper``, recorded as a list (of floats
    when ``as_float``)."""

    lower: float = 0.0
    upper: float = math.inf
    as_float: bool = False

    kind = "range"

    def parse(self, check: str, key: str, value: Any) -> Any:
        ok = (
            isinstance(value, list | tuple)
            and len(value) == 2
            and all(_is_number(v) for v in value)
            and self.lower <= value[0] <= value[1] <= self.upper
        )
        if not ok:
            raise ValueError(
                f"{check}: {key!r} must be [lo, hi] with {self.lower:g} <= lo <= hi <= "
                f"{self.upper:g}, got {value!r}"
            )
        return [float(v) for v in value] if self.as_float else list(value)

    def type_text(self) -> str:
        if math.isinf(self.upper):
            return f"range [lo, hi], {self.lower:g} <= lo <= hi"
        return f"range [lo, hi] in [{self.lower:g}, {self.upper:g}]"

    def default_text(self) -> str:
        if isinstance(self.default, tuple):
            return repr(list(self.default))
        return super().default_text()


@dataclass(frozen=True)
class Choice(Field):
    """One of a fixed set of strings."""

    options: Sequence[str] = ()

    kind = "choice"

    def parse(self, check: str, key: str, value: Any) -> Any:
        if value not in self.options:
            raise ValueError(
                f"{check}: {key!r} must be one of {', '.join(self.options)}, got {value!r}"
            )
        return value

    def type_text(self) -> str:
        return " | ".join(self.options)


@dataclass(frozen=True)
class Bool(Field):
    """``true`` or ``false``."""

    kind = "bool"

    def parse(self, check: str, key: str, value: Any) -> Any:
        if not isinstance(value, bool):
            raise ValueError(f"{check}: {key!r} must be true or false, got {value!r}")
        return value


@dataclass(frozen=True)
class Text(Field):
    """A string, optionally checked by ``validate`` (which raises ``ValueError`` with its own
    message, e.g. a part selector's grammar); ``hint`` names the kind in listings."""

    validate: Callable[[str], Any] | None = None
    hint: str = "text"

    kind = "text"

    def parse(self, check: str, key: str, value: Any) -> Any:
        if not isinstance(value, str):
            raise ValueError(f"{check}: {key!r} must be a string, got {value!r}")
        if self.validate is not None:
            self.validate(value)
        return value

    def type_text(self) -> str:
        return self.hint
