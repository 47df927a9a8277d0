"""Asset-side attacks: reward-hacking and degenerate meshes made from an honest one.

Every attack is a function ``(honest, case, rng) -> trimesh.Trimesh`` registered in
:data:`ATTACKS` under a short name. ``honest`` is a +Z-up mesh that answers ``case``; the
attack returns what a lazy or reward-hacking generator might output instead. Attacks never
modify ``honest``. ``mme3dr audit`` (:mod:`mme3dr.audit`) scores honest and attacked assets
with every evaluator; evaluators declare the attacks they claim to be robust to in
``Evaluator.robust_to``.

* ``billboard``: the object flattened onto a vertical plane, a zero-thickness picture card
  carrying its front silhouette;
* ``empty``: a mesh with no faces (the loader refuses it; it scores like an unreadable file);
* ``near_empty``: one small triangle lying at the object's base;
* ``exploded``: the surface cut into octant pieces pushed apart (open, floating shards);
* ``noise``: a soup of random triangles filling the object's bounding box;
* ``extreme_scale``: the honest mesh scaled by 1000 and moved far from the origin
  (normalisation must undo it: a fair evaluator ties);
* ``inverted_normals``: every face's winding reversed (a fair evaluator ties);
* ``duplicate_stacked``: two copies of the object, one stacked on the other;
* ``one_view_silhouette``: a thin slab with the object's exact front (XZ) silhouette and
  nothing else, right from one view only;
* ``convex_hull``: the convex hull of the object, every cavity, hole and gap filled.
"""

from __future__ import annotations

from mme3dr.adversarial.attacks import ATTACKS, Attack, apply_attack, register_attack

__all__ = ["ATTACKS", "Attack", "apply_attack", "register_attack"]
