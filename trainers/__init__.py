"""Hi-GRPO trainers on mme3dr's own evaluators.

Not built yet (see the trainers issue); the package exists so the layout is in place.
"""
