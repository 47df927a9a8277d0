"""Build the procedural reference model for the ``mme3dr`` case set, its design variants and a
degenerate one.

    python scripts/make_mme3dr_reference.py OUT   # OUT/mme3dr-reference, OUT/mme3dr-variants,
                                                  # OUT/mme3dr-degenerate
    mme3dr eval OUT/mme3dr-reference --cases mme3dr --suites spatial,functional,physical

``mme3dr-reference`` answers every case listed in ``mme3dr/examples/mme3dr_reference.py``
(primitives and booleans, one PLY per case; the others are missing and score 0).
``mme3dr-variants`` answers the cases of ``mme3dr/examples/mme3dr_variants.py`` with other
correct designs of the same prompts (every listed check passes on both models).
``mme3dr-degenerate`` holds, for the same cases, the honest mesh after one asset-side attack
each (billboard, convex hull, exploded parts, noise..., cycling through the destructive
attacks of ``mme3dr.adversarial.ATTACKS``): the broken model the reference must beat by
far. Nothing is committed: both folders are rebuilt in seconds.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from mme3dr.cases import load_cases
from mme3dr.examples.mme3dr_reference import REFERENCE, build_reference
from mme3dr.examples.mme3dr_variants import VARIANTS, build_variants
from mme3dr.examples.models import write_mesh


def build_degenerate(out: Path, seed: int = 0) -> Path:
    """One attacked asset per reference case, attacks taken in turn."""
    from mme3dr.adversarial import ATTACKS

    cases = load_cases("mme3dr").by_id()
    # scale and winding attacks are harmless by design (a fair evaluator ties): leave them out
    names = sorted(set(ATTACKS) - {"extreme_scale", "inverted_normals"})
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    used = {}
    for i, cid in enumerate(REFERENCE):
        name = names[i % len(names)]
        mesh = ATTACKS[name](REFERENCE[cid](), cases[cid], rng)
        used[cid] = name
        if len(mesh.faces) == 0:  # an empty mesh cannot be written as PLY: write an empty OBJ
            (out / f"{cid}.obj").write_text("# empty mesh (attack: empty)\n")
        else:
            write_mesh(mesh, out / f"{cid}.ply")
    (out / "model.json").write_text(
        json.dumps({"name": "mme3dr-degenerate", "attacks": used}, indent=2) + "\n"
    )
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    root = Path(argv[0])
    ref = build_reference(root / "mme3dr-reference")
    var = build_variants(root / "mme3dr-variants")
    deg = build_degenerate(root / "mme3dr-degenerate")
    print(f"wrote {ref} ({len(REFERENCE)} cases), {var} ({len(VARIANTS)} cases) and {deg}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
