"""The benchmark's suites, in report order. A leaf module: cases and evaluators both read it."""

from __future__ import annotations

#: the four MME-3DR suites plus text alignment
SUITES: tuple[str, ...] = ("spatial", "functional", "physical", "aesthetic", "alignment")
