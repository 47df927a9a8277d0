"""The authoring record of version 1.0.0 of the adversarial case set (frozen; writes nothing).

    python scripts/make_adversarial_cases.py --check  # exit 1 unless the tables rebuild v1.0.0

Since version 2.0.0 the JSONL files are the source of truth and are edited directly:
``mme3dr/benchmark_data/adversarial/cases.jsonl`` is the latest version, and the frozen
``v1.0.0.jsonl`` beside it (loadable as ``adversarial@1.0.0``) is what these tables produced.
This script refuses to write; ``--check`` only confirms the tables still rebuild 1.0.0.

Families (``meta.family``, also a tag):

* ``counting``: the same object with different counts (``meta.group`` joins the variants);
* ``negation``: "without X" / "no X", where the absence is measurable;
* ``binding``: attributes bound to the right part (size, position, which part has the hole);
* ``relation``: unusual spatial relations between two separate objects;
* ``paraphrase``: pairs saying the same thing two ways (``meta.pair`` joins them; both carry
  identical checks, so a model should score alike and the leaderboard can report the gap);
* ``rare``: rare or oddly specific objects.

Prompts are written for this set. Check helpers are shared with make_mme3dr_cases.py.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_mme3dr_cases import (  # noqa: E402
    CHAIR_SEAT,
    CUP,
    SEAT,
    TOP,
    aspect,
    holes,
    layers,
    legs,
    liquid,
    mirror,
    opening,
    parts,
    radial,
    rel,
    rot,
    stacked,
)

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "mme3dr" / "benchmark_data" / "adversarial"
VERSION = "1.0.0"
E, M, H = "easy", "medium", "hard"
SS, MA, BO, WK, ST = (
    "spatial_structural", "mechanical_affordances", "biological_organic",
    "world_knowledge_rare", "stylized",
)

# (prompt, category, checks, tags, difficulty, meta)
COUNTING = [
    ("a wooden stool with three legs", MA, [legs(3), SEAT], E, "stool-legs"),
    ("a wooden stool with four legs", MA, [legs(4), SEAT], E, "stool-legs"),
    ("a wooden stool with six legs", MA, [legs(6), SEAT], H, "stool-legs"),
    ("a round table on a single pedestal with a round foot", MA, [legs(1), TOP], M, "table-legs"),
    ("a round table with three legs", MA, [legs(3), TOP], E, "table-legs"),
    ("a round table with five legs", MA, [legs(5), TOP], H, "table-legs"),
    ("a flat star with four points", SS, [radial(4)], M, "star-points"),
    ("a flat star with five points", SS, [radial(5)], E, "star-points"),
    ("a flat star with seven points", SS, [radial(7)], H, "star-points"),
    ("a flat star with nine points", SS, [radial(9)], H, "star-points"),
    ("a gear with six teeth", MA, [radial(6)], M, "gear-teeth"),
    ("a gear with ten teeth", MA, [radial(10)], M, "gear-teeth"),
    ("a gear with twenty teeth", MA, [radial(20)], H, "gear-teeth"),
    ("a staircase with two steps", SS, [layers(2)], E, "stairs"),
    ("a staircase with four steps", SS, [layers(4)], M, "stairs"),
    ("a staircase with seven steps", SS, [layers(7)], H, "stairs"),
    ("a button with one hole in the centre", SS, [holes(1)], E, "button-holes"),
    ("a button with three holes", SS, [holes(3)], M, "button-holes"),
    ("a button with six holes", SS, [holes(6)], H, "button-holes"),
    ("a tower of two stacked blocks", SS, [stacked(2), parts(2)], E, "block-tower"),
    ("a tower of five stacked blocks", SS, [stacked(5), parts(5)], M, "block-tower"),
    ("a tower of seven stacked blocks", SS, [stacked(7), parts(7)], H, "block-tower"),
    ("a flower with three petals, lying flat", BO, [radial(3)], M, "petals"),
    ("a flower with twelve petals, lying flat", BO, [radial(12)], H, "petals"),
    ("a ceiling fan with four blades", MA, [radial(4)], M, "fan-blades"),
    ("a ceiling fan with six blades", MA, [radial(6)], H, "fan-blades"),
    ("a vehicle with eight wheels", MA, [legs(8)], H, "wheels"),
    ("a vehicle with three wheels", MA, [legs(3)], M, "wheels"),
]

NEGATION = [
    ("a coffee mug without a handle", MA, [*CUP, holes(0)], E),
    ("a donut with no hole in the middle", ST, [holes(0)], M),
    ("a ring that is not broken: a closed loop", SS, [holes(1)], M),
    ("a bucket with no handle", MA, [*CUP, holes(0)], E),
    ("a table with no legs, its slab resting directly on the floor", MA, [legs(1)], H),
    ("a cup with no bottom, open at both ends like a tube", MA, [holes(1)], H),
    ("a bookshelf with no shelves, just the empty outer frame standing upright", SS,
     [holes(1)], H),
    ("a pot without a drainage hole", MA, [*CUP], M),
    ("a box without a lid", MA, [*CUP], E),
    ("a stool without a seat: just three legs joined at the top", MA, [legs(3)], H),
    ("a chair without armrests", MA, [legs(4), CHAIR_SEAT], M),
    ("a bowl that is not upside down", MA, [*CUP], M),
    ("a gear with no teeth, just a smooth disc with a hole", MA, [radial(0), holes(1)], H),
    ("a star with no points: a plain flat disc", SS, [radial(0), rot(8)], H),
    ("a ladder with no rungs: two bare parallel rails lying on the ground", SS,
     [holes(0)], H),
    ("a padlock with the shackle cut off, no loop left", MA, [holes(0)], H),
    ("a vase with no neck: a plain open cylinder", MA, [*CUP, rot(8)], M),
    ("a bench without a backrest", MA, [SEAT], E),
]

BINDING = [
    ("a large cube with a small sphere on top", SS,
     [parts(2), rel("smallest", "largest", "on_top_of")], M),
    ("a small cube with a large sphere on top", SS,
     [parts(2), rel("largest", "smallest", "on_top_of")], H),
    ("a tall thin cylinder beside a short wide cylinder", SS,
     [parts(2), rel("largest", "largest:2", "beside")], M),
    ("a mug whose handle is a closed loop, next to a cup with no handle", MA,
     [parts(2), holes(1)], H),
    ("a table with a round top and exactly three legs", MA, [legs(3), TOP], M),
    ("a square table with a round hole cut through the middle of its top", MA,
     [legs(4), holes(1)], H),
    ("a ring with a square cross-section lying flat", SS, [holes(1), rot(8)], M),
    ("a bowl on top of a box, not a box on top of a bowl", SS,
     [parts(2), rel("highest", "lowest", "on_top_of"), opening("up")], H),
    ("a short wide vase next to a tall narrow vase", MA, [parts(2)], M),
    ("a stool with three legs and a square seat", MA, [legs(3), SEAT], M),
    ("a cup on the left and a plate on the right, seen from the front", MA,
     [parts(2), rel("highest", "highest:2", "left_of")], H),
    ("a big ball in front of a small box, both on the floor", SS, [parts(2)], M),
    ("a tall tower of three blocks, the largest block on top", SS,
     [stacked(3), rel("largest", "lowest", "above")], H),
    ("a pyramid with a sphere resting on its tip", SS,
     [parts(2), rel("highest", "lowest", "on_top_of")], H),
]

RELATION = [
    ("a cube balanced on top of a sphere", SS,
     [parts(2), rel("highest", "lowest", "on_top_of")], H),
    ("a pyramid standing upside down on its tip on top of a cube", SS,
     [parts(2), rel("highest", "lowest", "on_top_of")], H),
    ("a chair standing on top of a table", MA,
     [parts(2), rel("highest", "lowest", "on_top_of")], H),
    ("a table resting upside down on top of another table", MA,
     [parts(2), rel("highest", "lowest", "on_top_of")], H),
    ("a ball inside a mug", MA, [parts(2), rel("smallest", "largest", "inside")], M),
    ("a mug inside a bowl", MA, [parts(2), rel("smallest", "largest", "inside")], M),
    ("a small box inside a larger open box", SS,
     [parts(2), rel("smallest", "largest", "inside")], M),
    ("a ring standing upright on top of a cube", SS,
     [parts(2), rel("highest", "lowest", "on_top_of")], M),
    ("a cone balanced point-down on a flat slab", SS,
     [parts(2), rel("highest", "lowest", "on_top_of")], H),
    ("a sphere resting on top of a ring lying flat", SS,
     [parts(2), rel("highest", "lowest", "on_top_of")], M),
    ("two spheres side by side, touching", SS,
     [parts(2), rel("largest", "largest:2", "touching")], M),
    ("a cube floating well above a sphere, not touching it", SS,
     [parts(2), rel("highest", "lowest", "above")], H),
    ("a stool standing on top of a crate", MA,
     [parts(2), rel("highest", "lowest", "on_top_of")], M),
    ("a cat curled up asleep inside an open cardboard box", BO,
     [rel("smallest", "largest", "inside")], H),
    ("a bird perched on top of a post", BO, [rel("highest", "lowest", "on_top_of")], H),
    ("a book lying flat on top of a stool", MA,
     [parts(2), rel("highest", "lowest", "on_top_of")], M),
]

# (prompt A, prompt B, category, checks, difficulty)
PARAPHRASE = [
    ("a three-legged stool", "a stool that stands on three legs", MA, [legs(3), SEAT], E),
    ("a mug with a handle", "a coffee cup you can hold by a loop on its side", MA,
     [*CUP, holes(1)], E),
    ("a five-pointed star lying flat", "a flat pentagram-shaped star with five tips", SS,
     [radial(5)], E),
    ("a staircase with three steps", "three stairs going up", SS, [layers(3)], E),
    ("a torus", "a ring shape like an inflated inner tube", SS, [holes(1)], E),
    ("a bookshelf with four shelves", "an open shelving unit holding books on four levels",
     SS, [layers(lo=4, hi=6)], M),
    ("a dining table with four legs", "a four-legged table for eating at", MA,
     [legs(4), TOP], E),
    ("a bowl", "a round open dish for soup", MA, [*CUP], E),
    ("a tower of three stacked cubes", "three cubes piled one on top of another", SS,
     [stacked(3), parts(3)], E),
    ("a gear with twelve teeth", "a cogwheel with a dozen cogs", MA, [radial(12)], M),
    ("a ball resting on a box", "a box with a ball sitting on its top", SS,
     [parts(2), rel("highest", "lowest", "on_top_of")], E),
    ("a bucket with a handle", "a pail with an arched carrying handle", MA,
     [*CUP, holes(1)], E),
    ("a spider", "an eight-legged arachnid standing on the ground", BO, [legs(8)], M),
    ("a flamingo on one leg", "a pink wading bird balancing on a single leg", BO,
     [legs(1)], H),
    ("an Egyptian pyramid", "the kind of four-sided stone pyramid built at Giza", WK,
     [rot(4), aspect(hl=(0.45, 0.8))], M),
    ("a wine glass", "a stemmed glass for drinking wine", MA, [*CUP, rot(8)], E),
    ("a button with two holes", "a two-hole sewing button", SS, [holes(2)], E),
    ("a chess pawn", "the smallest piece of a chess set", ST, [rot(8, 0.85)], E),
    ("a car with four wheels", "a four-wheeled automobile", MA, [legs(4)], E),
    ("a vase with a narrow neck", "a flower vase that narrows towards the top", MA,
     [*CUP], M),
]

RARE = [
    ("a Japanese kotatsu table with its quilt", WK, [], H),
    ("a Scandinavian kubb game set, all pieces standing", WK, [], H),
    ("a medieval trebuchet", WK, [], H),
    ("a Persian windcatcher tower", WK, [], H),
    ("a Chinese dougong bracket set", WK, [], H),
    ("a sailor's bosun chair", WK, [], H),
    ("a Korean onggi fermentation jar", WK, [], H),
    ("a Turkish cezve coffee pot", WK, [*CUP], H),
    ("an Argentinian mate gourd with a bombilla straw", WK, [liquid()], H),
    ("a Sami lavvu tent", WK, [aspect(hw=(0.6, 2.5))], H),
    ("a Greek kylix drinking cup with two handles", WK, [liquid(), holes(2)], H),
    ("a Dutch tulip vase with several spouts", WK, [], H),
    ("a Japanese daruma doll", WK, [mirror(0.8)], M),
    ("a Tibetan singing bowl", WK, [*CUP, rot(8)], M),
    ("a Mesopotamian ziggurat with three terraces", WK, [layers(lo=3, hi=5)], H),
    ("an Irish currach boat", WK, [aspect(lw=(2.0, 6.0))], H),
    ("a Shaker peg rail with six pegs", WK, [], H),
    ("a carved three-legged Ethiopian stool", WK, [legs(3)], H),
]


def build_cases() -> list[dict[str, Any]]:
    from mme3dr.evaluators import registry

    def case(cid: str, prompt: str, category: str, checks: list, difficulty: str,
             family: str, tags: list[str], meta: dict[str, Any]) -> dict[str, Any]:
        kinds = {registry.get(c["check"]).suite for c in checks}
        suites = [s for s in ("spatial", "functional") if s in kinds]
        suites += ["physical", "aesthetic", "alignment"]
        return {"id": cid, "prompt": prompt, "category": category, "suites": suites,
                "checks": checks, "tags": list(dict.fromkeys([family, *tags])),
                "difficulty": difficulty, "meta": {"family": family, **meta}}

    out = []
    for i, (p, cat, chk, d, group) in enumerate(COUNTING, 1):
        out.append(case(f"adv-count-{i:03d}", p, cat, chk, d, "counting", ["counting"],
                        {"group": group}))
    for i, (p, cat, chk, d) in enumerate(NEGATION, 1):
        out.append(case(f"adv-neg-{i:03d}", p, cat, chk, d, "negation", [], {}))
    for i, (p, cat, chk, d) in enumerate(BINDING, 1):
        out.append(case(f"adv-bind-{i:03d}", p, cat, chk, d, "binding", [], {}))
    for i, (p, cat, chk, d) in enumerate(RELATION, 1):
        out.append(case(f"adv-rel-{i:03d}", p, cat, chk, d, "relation", ["relation"], {}))
    for i, (a, b, cat, chk, d) in enumerate(PARAPHRASE, 1):
        pair = f"para-{i:03d}"
        for side, p in (("a", a), ("b", b)):
            out.append(case(f"adv-para-{i:03d}{side}", p, cat, chk, d, "paraphrase", [],
                            {"pair": pair}))
    for i, (p, cat, chk, d) in enumerate(RARE, 1):
        out.append(case(f"adv-rare-{i:03d}", p, cat, chk, d, "rare", ["world-knowledge"], {}))
    return out


def main(argv: list[str]) -> int:
    if "--check" not in argv:
        print(
            "refusing to write: since 2.0.0 mme3dr/benchmark_data/adversarial/cases.jsonl is "
            "the source of truth and is edited directly; this script only checks (--check) "
            "that its tables rebuild the frozen v1.0.0.jsonl",
            file=sys.stderr,
        )
        return 2
    cases = build_cases()
    text = "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases)
    families: dict[str, int] = {}
    for c in cases:
        families[c["meta"]["family"]] = families.get(c["meta"]["family"], 0) + 1
    meta_text = json.dumps(
        {
            "name": "adversarial",
            "version": VERSION,
            "description": "Prompt-side adversarial families for text-to-3D generators "
            "(counting, negation, binding, relation, paraphrase pairs, rare objects).",
            "license": "CC-BY-4.0",
            "families": families,
        },
        indent=2,
    ) + "\n"
    targets = ((OUT / f"v{VERSION}.jsonl", text), (OUT / f"v{VERSION}.meta.json", meta_text))
    stale = [str(p) for p, t in targets if not p.is_file() or p.read_text(encoding="utf-8") != t]
    if stale:
        print("differs from the tables: " + ", ".join(stale), file=sys.stderr)
        return 1
    print(f"{len(cases)} cases: the tables rebuild {targets[0][0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
