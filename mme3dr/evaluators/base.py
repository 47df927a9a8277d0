"""The evaluator contract: what every suite module implements and the runner calls.

An evaluator turns one :class:`Sample` (a case and the asset a model produced for it) into a
:class:`Score`. Measurement lives in :mod:`mme3dr.geometry` (pure functions, numbers out);
an evaluator is the *judgement* on top: it compares the measurement with the case's
expectation and explains the result in a sentence.

Two kinds of use, one class:

* **suite evaluators** (``runs_by_default = True``) run on every case whose ``suites`` list
  contains the evaluator's suite, with default parameters (for example ``watertight``);
* **checks** are listed in a case's ``checks`` with parameters, e.g.
  ``{"check": "ground_contacts", "expect": 3}``; the same class is instantiated with
  ``expect=3``. A default evaluator that also appears as a check runs once, with the
  case's parameters.
"""

from __future__ import annotations

import functools
import importlib.util
import time
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from mme3dr.suites import SUITES

if TYPE_CHECKING:
    from mme3dr.assets import Asset
    from mme3dr.cases import Case
    from mme3dr.render.rig import Rig
    from mme3dr.render.views import Views

__all__ = ["EXTRA_MODULES", "SUITES", "Evaluator", "Inverted", "Sample", "Score"]


@dataclass
class Score:
    """One evaluator's verdict on one sample.

    ``score`` is in [0, 1] (higher is better) or ``None`` when the evaluator was skipped or
    failed; ``value`` is what was measured, in natural units (a count, a fraction, a length in
    normalised units); ``passed`` is ``None`` where no threshold makes sense.
    """

    evaluator: str
    suite: str
    score: float | None
    value: Any = None
    passed: bool | None = None
    reason: str = ""
    status: str = "ok"  # ok | skipped | error
    params: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _clean_reason(text: str) -> str:
    """A reason fit for a record: no ANSI escape codes, bounded length."""
    from mme3dr.weights import strip_ansi

    text = strip_ansi(text)
    return text if len(text) <= 2000 else text[:2000] + " [...]"


#: the modules each optional extra of the package provides (see pyproject.toml)
EXTRA_MODULES: dict[str, tuple[str, ...]] = {
    "learned": ("torch", "open_clip", "transformers"),
    "train": ("torch", "transformers", "accelerate"),
}


@functools.cache
def module_installed(name: str) -> bool:
    """Whether top-level module ``name`` can be imported here (found, not imported)."""
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


@dataclass
class Sample:
    """A case together with the asset produced for it. Views are rendered lazily, once."""

    case: Case
    asset: Asset
    rig: Rig | None = None
    device: str = "cpu"
    backend: str = "gl"
    _views: Views | None = field(default=None, repr=False)
    render_seconds: float = 0.0

    def views(self) -> Views:
        """The rig's renders of the asset; rendered on first use and shared by all evaluators."""
        if self._views is None:
            from mme3dr.render import get_rig, render

            rig = self.rig if self.rig is not None else get_rig("orbit8")
            t0 = time.perf_counter()
            self._views = render(self.asset, rig, backend=self.backend)
            self.render_seconds += time.perf_counter() - t0
        return self._views


class Evaluator(ABC):
    """Base class. Subclasses set the class attributes and implement :meth:`evaluate`.

    Subclasses that take parameters define a keyword-only ``__init__`` that validates them
    (raising ``ValueError`` with a readable message) and calls ``super().__init__(**params)``
    so the parameters are recorded with every score.
    """

    name: ClassVar[str]
    suite: ClassVar[str]
    version: ClassVar[str] = "1"
    needs_views: ClassVar[bool] = False
    runs_by_default: ClassVar[bool] = False
    description: ClassVar[str] = ""
    #: weight of this evaluator's score in its suite score (:func:`mme3dr.scoring.check_weight`)
    weight: ClassVar[float] = 1.0

    #: asset-side attacks (``mme3dr.adversarial.ATTACKS``) this evaluator claims never to score
    #: above an honest asset; checked by ``mme3dr audit`` (see docs/audit.md)
    robust_to: ClassVar[tuple[str, ...]] = ()

    def __init__(self, **params: Any):
        self.params: dict[str, Any] = dict(params)

    def required_weights(self) -> tuple[tuple[str, str | None], ...]:
        """``(weights name, explicit path or None)`` this instance needs (none by default)."""
        return ()

    def required_extra(self) -> str | None:
        """The ``mme3dr[...]`` extra this evaluator's code needs, or ``None`` for the core.

        By default an evaluator that needs weights needs the ``learned`` extra (torch,
        open_clip, transformers); subclasses may override.
        """
        return "learned" if self.required_weights() else None

    def missing_extra(self) -> str | None:
        """One line saying which extra to install when :meth:`required_extra` is absent."""
        extra = self.required_extra()
        if extra is None:
            return None
        absent = [m for m in EXTRA_MODULES.get(extra, ()) if not module_installed(m)]
        if not absent:
            return None
        return (f"{self.name} needs the '{extra}' extra ({', '.join(absent)} not installed): "
                f"pip install 'mme3dr[{extra}]'")

    def available(self) -> bool:
        """Whether this evaluator can produce a score here (e.g. its weights are present).

        Scoring rule 7 (:mod:`mme3dr.scoring`): a missing or unreadable asset scores 0 only on
        suites with at least one available evaluator, so a suite nobody can measure stays
        absent for every model. By default: every :meth:`required_weights` resolves locally.
        """
        needed = self.required_weights()
        if not needed:
            return True
        if self.missing_extra() is not None:
            return False
        from mme3dr.weights import WeightsMissing, resolve

        for name, explicit in needed:
            try:
                resolve(name, explicit)
            except (WeightsMissing, KeyError):
                return False
        return True

    @abstractmethod
    def evaluate(self, sample: Sample) -> Score:
        """Measure and judge; may raise, :meth:`score` turns exceptions into error scores."""

    def score(self, sample: Sample) -> Score:
        """Run :meth:`evaluate`, timing it; an exception becomes a ``status="error"`` score."""
        t0 = time.perf_counter()
        missing = self.missing_extra()
        try:
            if missing is not None:
                result = Score(evaluator=self.name, suite=self.suite, score=None,
                               status="skipped", reason=missing)
            else:
                result = self.evaluate(sample)
        except MemoryError:  # over the case's memory budget: the whole case fails (workers)
            raise
        except Exception as exc:  # noqa: BLE001 - one failing evaluator never stops a run
            result = Score(
                evaluator=self.name,
                suite=self.suite,
                score=None,
                status="error",
                reason=_clean_reason(f"{type(exc).__name__}: {exc}"),
            )
        result.params = dict(self.params)
        result.seconds = time.perf_counter() - t0
        return result

    def make_score(
        self,
        score: float | None,
        *,
        value: Any = None,
        passed: bool | None = None,
        reason: str = "",
        status: str = "ok",
        **details: Any,
    ) -> Score:
        """Build a :class:`Score` for this evaluator, clamping ``score`` to [0, 1]."""
        if score is not None:
            score = float(score)
            if score != score:  # NaN: a measurement failed; never report it as a number
                return Score(
                    evaluator=self.name,
                    suite=self.suite,
                    score=None,
                    value=value,
                    status="error",
                    reason=f"score is NaN ({reason})" if reason else "score is NaN",
                    details=details,
                )
            score = min(1.0, max(0.0, score))
        return Score(
            evaluator=self.name,
            suite=self.suite,
            score=score,
            value=value,
            passed=passed,
            reason=reason,
            status=status,
            details=details,
        )


class Inverted(Evaluator):
    """A case that expects an object to *fail* an evaluator (``{"check": NAME, "expect":
    false}``): the inner score ``s`` becomes ``1 - s`` and ``passed`` flips. Skipped, not
    applicable and errored outcomes are kept as they are (an error still scores 0)."""

    def __init__(self, inner: Evaluator):
        self.inner = inner
        self.name = inner.name  # type: ignore[misc]
        self.suite = inner.suite  # type: ignore[misc]
        self.version = inner.version  # type: ignore[misc]
        self.needs_views = inner.needs_views  # type: ignore[misc]
        self.weight = inner.weight  # type: ignore[misc]
        self.robust_to = ()  # type: ignore[misc]  # claims are about the plain judgement
        self.params = dict(inner.params) | {"expect": False}

    def available(self) -> bool:
        return self.inner.available()

    def required_weights(self) -> tuple[tuple[str, str | None], ...]:
        return self.inner.required_weights()

    def evaluate(self, sample: Sample) -> Score:
        result = self.inner.evaluate(sample)
        if result.status == "ok" and result.score is not None:
            result.score = 1.0 - float(result.score)
            if result.passed is not None:
                result.passed = not result.passed
            result.reason = f"expected to fail: {result.reason}" if result.reason else (
                "expected to fail")
            result.details = dict(result.details) | {"inverted": True}
        return result
