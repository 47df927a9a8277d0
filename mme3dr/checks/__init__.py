"""The weight-free checks, one module per check; the registry imports every public module of
this package (:func:`mme3dr.evaluators.registry.load_builtin`, by ``pkgutil`` scan).

The form of a check unit (the simplest explicit one that keeps the evaluator contract): a small
declarative class, subclass of :class:`mme3dr.evaluators.check.Check` (or
:class:`~mme3dr.evaluators.check.CountCheck` for counts), decorated with
:func:`~mme3dr.evaluators.registry.register`::

    @register
    class HoldsLiquidCheck(Check):
        name = "holds_liquid"       # what a case's "checks" use
        suite = "functional"
        version = "1"               # bump when scores change; stamped in every run
        weight = 1.0                # its weight in the suite score
        runs_by_default = False     # True: runs on every case of the suite
        description = "fraction of the bounding volume that keeps water poured from above"
        robust_to = ("empty", ...)  # attacks it never scores above an honest asset (audit)
        schema = {"min_fraction": Fraction(0.02), "resolution": Resolution(64)}

        def evaluate(self, sample):           # the measurement, then the grading
            water = sample.asset.measure(retained, resolution=self.values["resolution"])
            score, passed = grading.threshold_grade(water.fraction,
                                                    self.values["min_fraction"])
            return self.make_score(score, value=water.fraction, passed=passed, reason=...)

A class rather than a decorated function because the evaluator contract the runner, scoring,
audit and trainers rely on (``score(sample)``, recorded ``params``, ``Inverted`` for
``expect: false``, ``run: false`` for defaults, versions in stamps) is a class: the body of a
check is declarations and one method, with no ``__init__`` to write.

The schema's fields validate the parameters and document them (``mme3dr checks --markdown``);
measurements are functions ``fn(asset, **kwargs)`` called through ``asset.measure`` so they are
computed once per asset and arguments; measurements several checks share live in
:mod:`mme3dr.checks._measures` (modules starting with ``_`` are not check units). Check modules
never import each other. A check from another package is the same class in that package's
module, named by an entry point in group ``mme3dr.checks`` or by ``$MME3DR_PLUGINS``; see
``docs/adding_a_check.md``.
"""
