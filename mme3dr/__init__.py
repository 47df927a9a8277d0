"""mme3dr: an open, reproducible benchmark and evaluation toolkit for text-to-3D generation.

Conventions used everywhere in the package:

* canonical frame is right-handed, **+Z up**; glTF's +Y-up files are converted on load;
* an :class:`~mme3dr.assets.Asset` is centred in x and y, rests on z = 0 and is scaled so
  that its largest bounding-box extent is 1 (all lengths below are in these units);
* every evaluator returns a score in [0, 1] (higher is better) with a readable reason.
"""

__version__ = "0.1.0"
