"""The authoring record of version 1.0.0 of the MME-3DR open case set (frozen; writes nothing).

    python scripts/make_mme3dr_cases.py --check  # exit 1 unless the tables rebuild v1.0.0.jsonl

Since version 2.0.0 the JSONL files are the source of truth and are edited directly:
``mme3dr/benchmark_data/mme3dr/cases.jsonl`` is the latest version, and the frozen
``mme3dr/benchmark_data/mme3dr/v1.0.0.jsonl`` (loadable as ``mme3dr@1.0.0``) is what these
tables produced. This script refuses to write any file; ``--check`` only confirms that the
tables still rebuild 1.0.0 byte for byte. The card's statistics are regenerated from the JSONL
by ``scripts/case_set_card.py``.

Every prompt here was written for this set. A row is ``(id, prompt, checks, tags,
difficulty)``; suites follow from the checks (``spatial`` / ``functional`` when a check of that
suite is listed; ``physical``, ``aesthetic`` and ``alignment`` always). Ids are frozen: append
new cases, never renumber (results and the reference model key on ids). Checks state only what
is true of *any* correct object for the prompt: counts where the prompt fixes them, ranges
where real objects vary (a bookcase "with four shelves" may have 4 or 5 boards), nothing where
a check would be a guess. See the dataset card (mme3dr/benchmark_data/mme3dr/README.md).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "mme3dr" / "benchmark_data" / "mme3dr"
VERSION = "1.0.0"

C = dict[str, Any]


# ------------------------------------------------------------------------------- check helpers
def legs(n: int | None = None, lo: int | None = None, hi: int | None = None) -> C:
    """Ground contacts (legs, wheels, feet)."""
    return _count("ground_contacts", n, lo, hi)


def holes(n: int | None = None, lo: int | None = None, hi: int | None = None) -> C:
    return _count("through_holes", n, lo, hi)


def layers(n: int | None = None, lo: int | None = None, hi: int | None = None) -> C:
    return _count("horizontal_layers", n, lo, hi)


def parts(n: int | None = None, lo: int | None = None, hi: int | None = None) -> C:
    return _count("parts", n, lo, hi)


def stacked(n: int | None = None, lo: int | None = None, hi: int | None = None) -> C:
    return _count("stacked", n, lo, hi)


def radial(n: int | None = None, lo: int | None = None, hi: int | None = None) -> C:
    return _count("radial_count", n, lo, hi)


def _count(name: str, n: int | None, lo: int | None, hi: int | None) -> C:
    c: C = {"check": name}
    if n is not None:
        c["expect"] = n
    if lo is not None:
        c["min"] = lo
    if hi is not None:
        c["max"] = hi
    return c


def rot(order: int, mn: float = 0.8) -> C:
    return {"check": "symmetry", "kind": "rotational", "order": order, "min": mn}


def mirror(mn: float = 0.8) -> C:
    return {"check": "symmetry", "kind": "mirror", "min": mn}


def aspect(hw: tuple[float, float] | None = None, hl: tuple[float, float] | None = None,
           lw: tuple[float, float] | None = None) -> C:
    """Proportions: height over the shorter (hw) / longer (hl) side, length over width (lw)."""
    c: C = {"check": "aspect"}
    for key, v in (("height_over_width", hw), ("height_over_length", hl),
                   ("length_over_width", lw)):
        if v is not None:
            c[key] = [float(v[0]), float(v[1])]
    return c


def rel(a: str, b: str, r: str) -> C:
    return {"check": "relation", "a": a, "b": b, "rel": r}


def liquid() -> C:
    return {"check": "holds_liquid"}


def surface(lo: float, hi: float, area: float = 0.3) -> C:
    """A usable flat top (seat, tabletop) between ``lo`` and ``hi`` of the height."""
    return {"check": "support_surface", "height": [lo, hi], "min_area": area}


def opening(direction: str = "up") -> C:
    return {"check": "opening", "direction": direction}


def stable() -> C:
    return {"check": "stable"}


def tall(m: float = 1.0) -> C:
    return {"check": "upright", "expect": "tall", "min_aspect": m}


def wide(m: float = 1.0) -> C:
    return {"check": "upright", "expect": "wide", "min_aspect": m}


TOP = surface(0.8, 1.0, 0.5)  # a tabletop
SEAT = surface(0.8, 1.0, 0.3)  # a stool seat
CHAIR_SEAT = surface(0.3, 0.7, 0.25)  # a seat below a backrest
CUP = [liquid(), opening("up")]
E, M, H = "easy", "medium", "hard"

# ---------------------------------------------------------------------------------------- tables
# (id, prompt, checks, tags, difficulty)

SPATIAL = [
    ("spa-001", "a tower of three wooden blocks, each one smaller than the block beneath it",
     [stacked(3), parts(3), stable()], ["counting", "stacking"], E),
    ("spa-002", "four toy building blocks stacked into a single wobbly column",
     [stacked(4), parts(4)], ["counting", "stacking"], M),
    ("spa-003", "a pile of five hardcover books lying flat, one on top of another",
     [stacked(5), parts(5)], ["counting", "stacking"], M),
    ("spa-004", "two wooden shipping crates, one stacked on the other",
     [stacked(2), parts(2), stable()], ["counting", "stacking"], E),
    ("spa-005", "a small rubber ball sitting on top of a big cardboard box",
     [parts(2), rel("highest", "lowest", "on_top_of")], ["relation"], E),
    ("spa-006", "a single green apple resting on a flat dinner plate",
     [parts(2), rel("highest", "lowest", "on_top_of")], ["relation"], E),
    ("spa-007", "a little cube resting on top of a much bigger cube",
     [stacked(2), rel("smallest", "largest", "on_top_of")], ["relation", "stacking"], E),
    ("spa-008", "a football lying on the floor underneath a small square table",
     [parts(2), rel("smallest", "largest", "inside")], ["relation"], M),
    ("spa-009", "a flat five-pointed star shape",
     [radial(5), rot(5), aspect(hw=(0.0, 0.4))], ["counting", "symmetry"], E),
    ("spa-010", "a six-pointed star cut out of thick sheet metal, lying flat",
     [radial(6), rot(6), aspect(hw=(0.0, 0.4))], ["counting", "symmetry"], E),
    ("spa-011", "an eight-pointed star-shaped floor tile",
     [radial(8), aspect(hw=(0.0, 0.3))], ["counting"], M),
    ("spa-012", "a chunky plus sign lying flat on the ground",
     [radial(4), rot(4), aspect(hw=(0.0, 0.4))], ["counting", "symmetry"], E),
    ("spa-013", "a concrete staircase with three steps",
     [layers(3), stable()], ["counting"], E),
    ("spa-014", "a straight flight of five stone steps",
     [layers(5)], ["counting"], M),
    ("spa-015", "a short wooden step with just two treads",
     [layers(2)], ["counting"], E),
    ("spa-016", "a stepped pyramid built from four square tiers",
     [layers(4), rot(4)], ["counting", "symmetry"], M),
    ("spa-017", "three round tiers stacked into one piece, each tier narrower than the one below",
     [layers(3), rot(8), parts(1)], ["counting", "symmetry"], M),
    ("spa-018", "an open bookshelf with four shelves and no back panel",
     [layers(lo=4, hi=6), holes(lo=3, hi=5)], ["counting", "topology"], M),
    ("spa-019", "a tall narrow bookcase with five shelves",
     [layers(lo=5, hi=7), aspect(hl=(1.5, 6.0))], ["counting", "proportion"], M),
    ("spa-020", "a low shelving unit with two shelves",
     [layers(lo=2, hi=4)], ["counting"], E),
    ("spa-021", "a stone arch made of two pillars joined by a beam",
     [legs(2), parts(1), stable()], ["counting"], M),
    ("spa-022", "a plain rectangular doorway frame standing on its own",
     [legs(2), parts(1)], ["counting"], E),
    ("spa-023", "a metal ring standing upright on its edge",
     [holes(1), parts(1)], ["topology"], E),
    ("spa-024", "a fat torus lying flat",
     [holes(1), aspect(hw=(0.1, 0.6))], ["topology", "proportion"], E),
    ("spa-025", "an empty rectangular picture frame standing upright",
     [holes(1), parts(1)], ["topology"], E),
    ("spa-026", "a thick flat washer with a round hole through the middle",
     [holes(1), rot(8), aspect(hw=(0.05, 0.4))], ["topology", "symmetry"], E),
    ("spa-027", "a short length of metal pipe lying on its side",
     [holes(1), parts(1)], ["topology"], E),
    ("spa-028", "a round shirt button with four thread holes",
     [holes(4), aspect(hw=(0.0, 0.4))], ["counting", "topology"], M),
    ("spa-029", "a coat button with two holes",
     [holes(2), aspect(hw=(0.0, 0.4))], ["counting", "topology"], E),
    ("spa-030", "a hexagonal nut lying flat on a workbench",
     [holes(1), radial(6)], ["counting", "topology"], M),
    ("spa-031", "a square-based pyramid",
     [rot(4), aspect(hl=(0.3, 1.5)), stable()], ["symmetry", "proportion"], E),
    ("spa-032", "a perfect cube",
     [aspect(hw=(0.9, 1.1), lw=(1.0, 1.1)), rot(4)], ["proportion", "symmetry"], E),
    ("spa-033", "a solid cylinder standing on end, twice as tall as it is wide",
     [aspect(hw=(1.7, 2.3)), rot(8)], ["proportion", "symmetry"], E),
    ("spa-034", "a flat disc about ten times wider than it is thick",
     [aspect(hw=(0.05, 0.2)), rot(8)], ["proportion", "symmetry"], E),
    ("spa-035", "a long square beam lying on the ground, ten times longer than it is thick",
     [aspect(lw=(6.0, 14.0), hl=(0.0, 0.2))], ["proportion"], E),
    ("spa-036", "two cubes of slightly different sizes sitting side by side, touching",
     [parts(2), rel("largest", "largest:2", "touching")], ["relation", "counting"], M),
    ("spa-037", "a large cube with a small ball next to it on the ground",
     [parts(2), rel("smallest", "largest", "beside")], ["relation"], E),
    ("spa-038", "a box with a ball on its right-hand side, as seen from the front",
     [parts(2), rel("smallest", "largest", "right_of")], ["relation"], H),
    ("spa-039", "a small cube placed to the left of a large cylinder, viewed from the front",
     [parts(2), rel("smallest", "largest", "left_of")], ["relation"], H),
    ("spa-040", "a ball sitting inside an open-topped box",
     [parts(2), rel("smallest", "largest", "inside"), opening("up")], ["relation"], M),
    ("spa-041", "a glass marble resting at the bottom of a bowl",
     [parts(2), rel("smallest", "largest", "inside")], ["relation"], M),
    ("spa-042", "a small vase standing on top of a side table",
     [parts(2), rel("highest", "lowest", "on_top_of")], ["relation"], M),
    ("spa-043", "a doughnut-shaped ring lying on top of a cube",
     [parts(2), rel("highest", "lowest", "on_top_of")], ["relation"], M),
    ("spa-044", "six tin cans stacked in a pyramid: three on the bottom, two, then one on top",
     [parts(6), stacked(3)], ["counting", "stacking"], H),
    # touching washers fuse into one tube-like solid: one hole through the pile
    ("spa-045", "three flat metal washers stacked on top of each other",
     [parts(3), stacked(3), holes(1)], ["counting", "stacking", "topology"], M),
    ("spa-046", "a slender square tower about five times as tall as it is wide",
     [aspect(hw=(3.5, 7.0)), rot(4)], ["proportion"], E),
    ("spa-047", "a ring of eight standing stones arranged in a circle",
     [legs(8), parts(8)], ["counting", "symmetry"], M),
    ("spa-048", "a three-tier serving stand with round plates on a central rod",
     [layers(3), rot(8)], ["counting", "symmetry"], M),
    ("spa-049", "a wooden cube with one round hole drilled straight through it",
     [holes(1), parts(1)], ["topology"], E),
    ("spa-050", "a block with two parallel holes drilled through it from top to bottom",
     [holes(2)], ["topology", "counting"], M),
    ("spa-051", "a cube with round holes drilled through it from all three directions, "
     "meeting in the centre",
     [holes(5)], ["topology"], H),
    ("spa-052", "an L-shaped bracket made of two flat plates at a right angle",
     [parts(1)], ["structure"], E),
    ("spa-053", "a wooden plank laid across the tops of two upright blocks, like a bridge",
     [parts(3), legs(2), stacked(2), rel("highest", "lowest", "on_top_of")],
     ["relation", "stacking", "counting"], M),
]

MECH = [
    ("mech-001", "a wooden stool with three legs",
     [legs(3), SEAT, stable()], ["counting", "affordance"], E),
    ("mech-002", "a tall round bar stool on four legs",
     [legs(4), SEAT], ["counting", "affordance"], E),
    ("mech-003", "a low milking stool with three stubby legs",
     [legs(3), SEAT], ["counting", "affordance"], E),
    ("mech-004", "a rectangular dining table with four legs",
     [legs(4), TOP, aspect(hl=(0.25, 0.8)), stable()], ["counting", "affordance", "proportion"],
     E),
    ("mech-005", "a round cafe table standing on three legs",
     [legs(3), TOP], ["counting", "affordance"], E),
    ("mech-006", "a small square side table with four legs",
     [legs(4), TOP, aspect(lw=(1.0, 1.2))], ["counting", "affordance"], E),
    ("mech-007", "a long backless picnic bench on four legs",
     [legs(4), SEAT, aspect(lw=(2.5, 10.0))], ["counting", "affordance", "proportion"], E),
    ("mech-008", "a low coffee table, much longer than it is tall, with four legs",
     [legs(4), TOP, aspect(hl=(0.15, 0.6))], ["counting", "affordance", "proportion"], E),
    ("mech-009", "a long banquet table with six legs",
     [legs(6), TOP], ["counting", "affordance"], M),
    ("mech-010", "a dining chair with four legs and a tall backrest",
     [legs(4), CHAIR_SEAT, stable()], ["counting", "affordance"], M),
    ("mech-011", "a simple wooden kitchen chair",
     [legs(4), CHAIR_SEAT], ["counting", "affordance"], E),
    ("mech-012", "an office chair on a five-spoke base with casters",
     [legs(5), CHAIR_SEAT], ["counting", "affordance"], M),
    ("mech-013", "a ceramic coffee mug with one handle",
     [*CUP, holes(1)], ["affordance", "topology"], E),
    ("mech-014", "a tall travel mug with a loop handle",
     [*CUP, holes(1)], ["affordance", "topology"], E),
    ("mech-015", "a plain drinking tumbler without a handle",
     [*CUP, holes(0), rot(8)], ["affordance", "symmetry"], E),
    ("mech-016", "a deep soup bowl",
     [*CUP, holes(0)], ["affordance"], E),
    ("mech-017", "a wide, shallow salad bowl",
     [*CUP, rot(8)], ["affordance", "symmetry"], E),
    ("mech-018", "a metal bucket with an arched wire handle",
     [*CUP, holes(1)], ["affordance", "topology"], M),
    ("mech-019", "a flower vase with a round belly and a narrow neck",
     [*CUP, rot(8)], ["affordance", "symmetry"], M),
    ("mech-020", "a wine glass with a long thin stem",
     [*CUP, rot(8)], ["affordance", "symmetry"], M),
    ("mech-021", "an open-top wooden crate",
     [*CUP], ["affordance"], E),
    ("mech-022", "a plastic storage bin with its lid off",
     [*CUP], ["affordance"], E),
    ("mech-023", "a wooden bookshelf with three shelves",
     [layers(lo=3, hi=5), surface(0.0, 1.0, 0.3)], ["counting", "affordance"], E),
    ("mech-024", "a spur gear with twelve teeth",
     [radial(12), rot(12)], ["counting", "symmetry"], M),
    ("mech-025", "a small gear with eight teeth",
     [radial(8), rot(8)], ["counting", "symmetry"], M),
    ("mech-026", "a bicycle sprocket with sixteen teeth",
     [radial(16)], ["counting"], H),
    ("mech-027", "a brass padlock with its shackle closed",
     [holes(1), parts(1)], ["topology"], M),
    ("mech-028", "a pair of scissors lying flat with the blades closed",
     [holes(2), aspect(hw=(0.0, 0.2))], ["topology", "counting"], M),
    ("mech-029", "a claw hammer lying on its side",
     [aspect(lw=(1.5, 6.0), hl=(0.0, 0.3))], ["proportion"], E),
    ("mech-030", "an aluminium stepladder standing open",
     [legs(4)], ["counting"], M),
    ("mech-031", "a wooden ladder with six rungs lying flat on the ground",
     [holes(lo=5, hi=6)], ["counting", "topology"], M),
    ("mech-032", "a small car with four wheels",
     [legs(4), aspect(lw=(1.6, 3.5))], ["counting", "proportion"], E),
    ("mech-033", "a six-wheeled delivery truck with three axles",
     [legs(6)], ["counting"], M),
    ("mech-034", "a child's tricycle",
     [legs(3)], ["counting"], M),
    ("mech-035", "a skateboard",
     [legs(4), aspect(lw=(2.5, 6.0))], ["counting", "proportion"], E),
    ("mech-036", "a wheelbarrow with one wheel at the front and two legs at the back",
     [legs(3), liquid()], ["counting", "affordance"], M),
    ("mech-037", "a camera tripod with its three legs spread",
     [legs(3), stable()], ["counting"], E),
    ("mech-038", "a carpenter's sawhorse",
     [legs(4)], ["counting"], M),
    ("mech-039", "a double bed frame with a mattress, on four short legs",
     [legs(4), surface(0.3, 1.0, 0.5)], ["counting", "affordance"], E),
    ("mech-040", "a park bench with a backrest",
     [CHAIR_SEAT], ["affordance"], E),
    ("mech-041", "a desk lamp with a heavy round base",
     [stable()], ["physics"], E),
    ("mech-042", "a stovetop kettle with a spout and a handle",
     [holes(lo=1)], ["topology"], M),
    ("mech-043", "a teapot",
     [holes(lo=1)], ["topology"], M),
    ("mech-044", "a garden watering can with a long spout",
     [holes(lo=1)], ["topology"], M),
    ("mech-045", "a wire coat hanger",
     [holes(lo=1)], ["topology"], M),
    ("mech-046", "a ceiling fan with five blades",
     [radial(5)], ["counting"], M),
    ("mech-047", "a three-bladed ceiling fan",
     [radial(3)], ["counting"], M),
    ("mech-048", "a dumbbell lying on the gym floor",
     [legs(2), mirror()], ["counting", "symmetry"], E),
    ("mech-049", "a trophy cup with two handles",
     [*CUP, holes(2)], ["affordance", "topology", "counting"], M),
    ("mech-050", "a wicker laundry basket",
     [opening("up")], ["affordance"], E),
    ("mech-051", "a terracotta plant pot with a drainage hole in the bottom",
     [opening("up"), holes(1)], ["affordance", "topology"], M),
    ("mech-052", "a kitchen funnel",
     [opening("up"), holes(1)], ["affordance", "topology"], M),
    ("mech-053", "a cooking pot with two side handles",
     [*CUP], ["affordance", "counting"], M),
    ("mech-054", "a frying pan with a long handle",
     [*CUP], ["affordance"], E),
    ("mech-055", "an ice cube tray",
     [liquid()], ["affordance"], M),
    ("mech-056", "a muffin tin with six cups",
     [liquid()], ["affordance"], M),
    ("mech-057", "a stone birdbath on a pedestal",
     [*CUP, rot(8, 0.75)], ["affordance", "symmetry"], M),
    ("mech-058", "a wagon wheel with six spokes",
     [holes(lo=6, hi=7)], ["counting", "topology"], H),
    ("mech-059", "a road bicycle",
     [legs(lo=2, hi=3)], ["counting"], H),
    ("mech-060", "a backyard swing set with an A-frame at each end",
     [legs(4)], ["counting"], M),
    ("mech-061", "a kettle barbecue grill on three legs",
     [legs(3)], ["counting"], M),
    ("mech-062", "a mailbox on a single wooden post",
     [legs(1)], ["counting"], E),
    ("mech-063", "an umbrella stand",
     [*CUP], ["affordance"], E),
    ("mech-064", "a motorcycle",
     [legs(lo=2, hi=3)], ["counting"], M),
    ("mech-065", "a shopping cart on four casters",
     [legs(4)], ["counting"], M),
    ("mech-066", "a drinking fountain",
     [], ["affordance"], H),
    ("mech-067", "an adjustable wrench lying on a table",
     [aspect(hw=(0.0, 0.35))], ["proportion"], M),
    ("mech-068", "a two-seater sofa",
     [surface(0.2, 0.7, 0.3)], ["affordance"], E),
    ("mech-069", "a wooden bunk bed with a ladder",
     [legs(lo=4, hi=6)], ["counting"], H),
]

BIO = [
    ("bio-001", "a mushroom with a thick stem and a wide round cap",
     [parts(1), rot(8), stable()], ["symmetry"], E),
    ("bio-002", "a red toadstool with a domed cap",
     [rot(8)], ["symmetry"], E),
    ("bio-003", "a daisy flower head with eight petals, lying flat",
     [radial(8), aspect(hw=(0.0, 0.3))], ["counting"], M),
    ("bio-004", "a flat flower with five rounded petals",
     [radial(5)], ["counting"], M),
    ("bio-005", "a six-petalled flower blossom lying flat",
     [radial(6)], ["counting"], M),
    ("bio-006", "a four-leaf clover lying flat, with its stem trimmed off",
     [radial(4)], ["counting"], M),
    ("bio-007", "a starfish with five arms lying on the sand",
     [radial(5), aspect(hw=(0.0, 0.4))], ["counting"], E),
    ("bio-008", "a six-armed starfish",
     [radial(6)], ["counting"], M),
    ("bio-009", "a tall saguaro cactus with two raised arms",
     [aspect(hl=(1.3, 6.0)), parts(1), stable()], ["proportion"], E),
    ("bio-010", "a tall columnar cactus with no arms",
     [aspect(hw=(2.0, 15.0)), rot(8, 0.75)], ["proportion", "symmetry"], E),
    ("bio-011", "a round barrel cactus",
     [aspect(hw=(0.5, 1.6))], ["proportion"], E),
    ("bio-012", "a dog standing on four legs",
     [legs(4), stable()], ["counting"], M),
    ("bio-013", "a horse standing still",
     [legs(4)], ["counting"], M),
    ("bio-014", "a dairy cow standing with its head up",
     [legs(4)], ["counting"], M),
    ("bio-015", "a cat standing on all fours",
     [legs(4)], ["counting"], M),
    ("bio-016", "a woolly sheep standing in a field",
     [legs(4)], ["counting"], M),
    ("bio-017", "a pig standing on four short legs",
     [legs(4), stable()], ["counting"], E),
    ("bio-018", "a giraffe standing tall",
     [legs(4), aspect(hl=(0.9, 3.0))], ["counting", "proportion"], M),
    ("bio-019", "an elephant with its trunk raised",
     [legs(4)], ["counting"], M),
    ("bio-020", "a camel with a single hump",
     [legs(4)], ["counting", "world-knowledge"], M),
    ("bio-021", "a long dachshund standing side-on",
     [legs(4)], ["counting"], M),
    ("bio-022", "a flamingo standing on one leg",
     [legs(1)], ["counting"], H),
    ("bio-023", "a chicken standing on two legs",
     [legs(2)], ["counting"], M),
    ("bio-024", "an ostrich standing upright",
     [legs(2), aspect(hl=(1.0, 4.0))], ["counting", "proportion"], M),
    ("bio-025", "a penguin standing upright",
     [legs(lo=1, hi=2), aspect(hl=(1.2, 4.0))], ["counting", "proportion"], E),
    ("bio-026", "a spider standing on its eight legs",
     [legs(8)], ["counting"], H),
    ("bio-027", "an ant standing on six legs",
     [legs(6)], ["counting"], H),
    ("bio-028", "a ladybird beetle walking on six legs",
     [legs(6)], ["counting"], H),
    ("bio-029", "an oak tree with a single trunk and a round leafy crown",
     [legs(1), parts(1)], ["structure"], E),
    ("bio-030", "a young pine tree",
     [legs(1), aspect(hl=(1.2, 6.0))], ["proportion"], E),
    ("bio-031", "a coconut palm tree",
     [legs(1)], ["structure"], E),
    ("bio-032", "a human skull",
     [mirror(0.75)], ["symmetry"], M),
    ("bio-033", "a chicken egg lying on its side",
     [aspect(lw=(1.1, 1.7), hw=(0.8, 1.2))], ["proportion"], E),
    ("bio-034", "a ripe pumpkin",
     [aspect(hw=(0.4, 1.2))], ["proportion"], E),
    ("bio-035", "a banana lying on a table",
     [aspect(lw=(1.8, 8.0), hw=(0.1, 0.8))], ["proportion"], E),
    ("bio-036", "a carrot with its leaves cut off, lying down",
     [aspect(lw=(3.0, 15.0))], ["proportion"], E),
    ("bio-037", "a coiled snail shell",
     [], ["organic"], H),
    ("bio-038", "a spiral seashell",
     [], ["organic"], H),
    ("bio-039", "a snake coiled up on the ground",
     [aspect(hw=(0.0, 0.7))], ["proportion"], M),
    ("bio-040", "a sea turtle",
     [aspect(hw=(0.1, 0.7))], ["proportion"], M),
    ("bio-041", "a bird's nest",
     [opening("up")], ["affordance"], M),
    ("bio-042", "a person standing with arms by their sides",
     [legs(2), aspect(hl=(2.0, 7.0))], ["counting", "proportion"], M),
    ("bio-043", "a person standing in a T-pose with arms straight out",
     [legs(2), aspect(hl=(0.8, 1.3)), mirror(0.8)], ["counting", "proportion", "symmetry"], M),
    ("bio-044", "a butterfly with its wings spread flat",
     [mirror(0.8)], ["symmetry"], M),
    ("bio-045", "a bat with outstretched wings",
     [mirror(0.75)], ["symmetry"], M),
    ("bio-046", "a maple leaf lying flat",
     [aspect(hw=(0.0, 0.25))], ["proportion"], E),
    ("bio-047", "an oak leaf",
     [], ["organic"], E),
    ("bio-048", "a sunflower on a tall stem",
     [aspect(hl=(1.5, 12.0))], ["proportion"], E),
    ("bio-049", "a red tulip on a straight stem",
     [aspect(hl=(1.5, 12.0))], ["proportion"], E),
    ("bio-050", "a single long-stemmed rose",
     [], ["organic"], M),
    ("bio-051", "a branching piece of coral",
     [], ["organic"], H),
    ("bio-052", "a jellyfish with trailing tentacles",
     [], ["organic"], H),
    ("bio-053", "a spiny sea urchin",
     [aspect(hw=(0.4, 1.2))], ["proportion"], M),
    ("bio-054", "a human heart, anatomically accurate",
     [], ["organic"], H),
    ("bio-055", "a Tyrannosaurus rex standing on its two hind legs",
     [legs(2)], ["counting"], H),
    ("bio-056", "a long-necked sauropod dinosaur",
     [legs(lo=4, hi=5)], ["counting"], H),
    ("bio-057", "a seahorse",
     [], ["organic"], H),
    ("bio-058", "a frog sitting on a lily pad",
     [], ["organic", "relation"], M),
    ("bio-059", "a tortoise with a high domed shell",
     [aspect(hl=(0.3, 0.9))], ["proportion"], M),
    ("bio-060", "a bunch of grapes",
     [], ["organic"], M),
    ("bio-061", "a pineapple standing upright",
     [aspect(hw=(1.3, 4.0))], ["proportion"], E),
    ("bio-062", "a pear",
     [aspect(hw=(1.0, 2.0))], ["proportion"], E),
    ("bio-063", "a tree stump with exposed roots",
     [], ["organic"], M),
    ("bio-064", "a squirrel sitting up holding a nut",
     [], ["organic"], M),
    ("bio-065", "a crab with two large claws",
     [mirror(0.7)], ["symmetry"], H),
    ("bio-066", "an owl perched on a branch",
     [], ["organic", "relation"], M),
    ("bio-067", "a hedgehog curled into a ball",
     [aspect(hw=(0.5, 1.3))], ["proportion"], M),
]

WORLD = [
    ("wk-001", "the Eiffel Tower",
     [aspect(hl=(2.0, 8.0)), legs(4), stable()], ["landmark", "proportion", "counting"], M),
    ("wk-002", "a red Japanese torii gate",
     [legs(2), holes(lo=1)], ["landmark", "counting"], M),
    ("wk-003", "a Stonehenge trilithon: two standing stones with a lintel laid across the top",
     [parts(3), legs(2), rel("highest", "largest", "above")], ["landmark", "relation"], H),
    ("wk-004", "an ancient Chinese bronze ding cauldron with three legs",
     [legs(3), liquid(), stable()], ["artifact", "counting", "affordance"], H),
    ("wk-005", "a Rubik's cube",
     [aspect(hw=(0.85, 1.15)), mirror(0.9)], ["proportion", "symmetry"], E),
    ("wk-006", "a Dutch windmill with four sails",
     [stable(), aspect(hl=(1.0, 4.0))], ["landmark"], H),
    ("wk-007", "the Great Pyramid of Giza",
     [rot(4), aspect(hl=(0.45, 0.8))], ["landmark", "proportion", "symmetry"], M),
    ("wk-008", "a Mesoamerican step pyramid with four broad terraces",
     [layers(lo=4, hi=6)], ["landmark", "counting"], H),
    ("wk-009", "the Leaning Tower of Pisa",
     [aspect(hl=(2.0, 5.0)), stable()], ["landmark", "proportion"], M),
    ("wk-010", "a moai statue from Easter Island",
     [aspect(hl=(1.5, 5.0))], ["landmark", "proportion"], M),
    ("wk-011", "a classic red-and-white striped lighthouse",
     [rot(8, 0.75), aspect(hl=(2.0, 10.0))], ["landmark", "proportion", "symmetry"], E),
    ("wk-012", "an ancient Greek amphora with two handles",
     [*CUP, holes(2)], ["artifact", "affordance", "counting"], M),
    ("wk-013", "a five-storey Japanese pagoda",
     [aspect(hl=(1.5, 5.0))], ["landmark", "proportion"], H),
    ("wk-014", "an igloo built from snow blocks",
     [mirror(0.8), aspect(hl=(0.25, 0.8))], ["landmark", "symmetry"], E),
    ("wk-015", "a Plains tipi",
     [aspect(hw=(0.8, 2.5))], ["artifact", "proportion"], M),
    ("wk-016", "a Mongolian yurt",
     [aspect(hw=(0.35, 0.9))], ["artifact", "proportion"], M),
    ("wk-017", "a Viking longship",
     [aspect(lw=(2.0, 10.0)), mirror(0.75)], ["artifact", "proportion"], H),
    ("wk-018", "an Egyptian obelisk",
     [aspect(hw=(4.0, 15.0)), rot(4)], ["landmark", "proportion", "symmetry"], M),
    ("wk-019", "a Japanese stone lantern (toro)",
     [stable()], ["artifact"], H),
    ("wk-020", "a Russian samovar",
     [stable()], ["artifact"], H),
    ("wk-021", "a wooden abacus with beads on rods",
     [holes(lo=1)], ["artifact", "topology"], M),
    ("wk-022", "a grand piano standing on its three legs",
     [legs(3)], ["artifact", "counting"], H),
    ("wk-023", "a concert harp",
     [holes(lo=1)], ["artifact", "topology"], H),
    ("wk-024", "a maneki-neko beckoning cat figurine",
     [aspect(hl=(1.0, 2.5))], ["artifact", "proportion"], M),
    ("wk-025", "a Russian matryoshka doll",
     [rot(8, 0.8), aspect(hw=(1.3, 2.6))], ["artifact", "symmetry", "proportion"], E),
    ("wk-026", "a carved Dutch wooden clog",
     [aspect(lw=(2.0, 3.5))], ["artifact", "proportion"], M),
    ("wk-027", "a brass astrolabe",
     [], ["artifact"], H),
    ("wk-028", "a fluted Corinthian column",
     [rot(4, 0.75), aspect(hl=(3.0, 12.0))], ["landmark", "proportion", "symmetry"], M),
    ("wk-029", "the Arc de Triomphe in Paris",
     [legs(4), mirror(0.8)], ["landmark", "counting", "symmetry"], H),
    ("wk-030", "the Taj Mahal",
     [mirror(0.8)], ["landmark", "symmetry"], H),
    ("wk-031", "the Sydney Opera House",
     [], ["landmark"], H),
    ("wk-032", "the Colosseum in Rome",
     [holes(lo=1), aspect(hl=(0.15, 0.5))], ["landmark", "topology", "proportion"], H),
    ("wk-033", "the Elizabeth Tower in London, home of Big Ben",
     [aspect(hl=(3.5, 10.0))], ["landmark", "proportion"], M),
    ("wk-034", "the Parthenon on the Acropolis",
     [aspect(lw=(1.8, 2.8), hl=(0.15, 0.5))], ["landmark", "proportion"], H),
    ("wk-035", "the Washington Monument",
     [aspect(hw=(8.0, 14.0)), rot(4)], ["landmark", "proportion", "symmetry"], M),
    ("wk-036", "a Saturn V rocket",
     [aspect(hw=(6.0, 15.0))], ["artifact", "proportion"], M),
    ("wk-037", "the Atomium in Brussels",
     [], ["landmark"], H),
    ("wk-038", "an Inuit inukshuk stone figure",
     [legs(2)], ["artifact", "counting"], H),
    ("wk-039", "a samurai kabuto helmet",
     [], ["artifact"], H),
    ("wk-040", "a Moroccan tagine with a conical lid",
     [rot(8, 0.75), aspect(hw=(0.4, 1.1))], ["artifact", "symmetry", "proportion"], M),
    ("wk-041", "a stroopwafel",
     [aspect(hw=(0.03, 0.2)), rot(8)], ["artifact", "proportion"], M),
    ("wk-042", "a closed Swiss army knife lying flat",
     [aspect(lw=(2.5, 5.0), hl=(0.0, 0.35))], ["artifact", "proportion"], M),
    ("wk-043", "a penny-farthing bicycle",
     [legs(2)], ["artifact", "counting"], H),
    ("wk-044", "a Mobius strip",
     [holes(1)], ["topology"], H),
    ("wk-045", "a trefoil knot made of a thick tube",
     [holes(lo=1)], ["topology"], H),
    ("wk-046", "a caltrop lying on the ground",
     [legs(3), radial(3)], ["artifact", "counting"], H),
    ("wk-047", "an hourglass",
     [rot(8, 0.75)], ["artifact", "symmetry"], E),
    ("wk-048", "a surveyor's theodolite on a tripod",
     [legs(3)], ["artifact", "counting"], H),
    ("wk-049", "a Roman chariot",
     [legs(lo=2, hi=3)], ["artifact", "counting"], H),
    ("wk-050", "a gramophone with a large flared horn",
     [], ["artifact"], H),
    ("wk-051", "a Newton's cradle desk toy",
     [], ["artifact"], M),
    ("wk-052", "an icosahedral twenty-sided die",
     [aspect(hw=(0.8, 1.25))], ["artifact", "proportion"], M),
]

STYLE = [
    ("sty-001", "a low-poly fox, faceted, game-ready", [legs(4), stable()],
     ["style", "counting"], M),
    ("sty-002", "a voxel-art tree in Minecraft style", [stable(), parts(1)], ["style"], E),
    ("sty-003", "a cartoon rocket standing on three fins",
     [legs(3), radial(3), aspect(hl=(1.2, 5.0))], ["style", "counting"], M),
    ("sty-004", "a white chess pawn", [rot(8, 0.85), stable(), aspect(hl=(1.2, 3.0))],
     ["symmetry", "style"], E),
    ("sty-005", "a stylised table lamp with a conical shade", [stable(), parts(1)],
     ["style"], E),
    ("sty-006", "a cartoon donut with a hole in the middle",
     [holes(1), aspect(hw=(0.1, 0.6))], ["style", "topology"], E),
    ("sty-007", "a claymation-style coffee mug with a chunky handle",
     [*CUP, holes(1)], ["style", "affordance", "topology"], E),
    ("sty-008", "a low-poly three-legged stool", [legs(3), SEAT], ["style", "counting"], E),
    ("sty-009", "a voxel-style wooden table with four legs", [legs(4), TOP],
     ["style", "counting", "affordance"], E),
    ("sty-010", "a cartoon car with four chunky wheels", [legs(4)], ["style", "counting"], E),
    ("sty-011", "a toy building brick with eight round studs on top",
     [aspect(lw=(1.5, 2.5), hw=(0.4, 1.1))], ["style", "proportion"], M),
    ("sty-012", "a low-poly pine tree", [legs(1), aspect(hl=(1.2, 5.0))],
     ["style", "proportion"], E),
    ("sty-013", "a cel-shaded fantasy sword lying flat", [aspect(lw=(4.0, 20.0))],
     ["style", "proportion"], E),
    ("sty-014", "a cartoon treasure chest with the lid shut", [aspect(lw=(1.1, 2.5))],
     ["style", "proportion"], E),
    ("sty-015", "a glossy five-pointed star ornament lying flat", [radial(5), rot(5)],
     ["style", "counting", "symmetry"], E),
    ("sty-016", "a cartoon sun with eight pointed rays, lying flat", [radial(8)],
     ["style", "counting"], M),
    ("sty-017", "a sugar cookie cut in the shape of a six-pointed star", [radial(6)],
     ["style", "counting"], E),
    ("sty-018", "a gingerbread man cookie lying flat", [aspect(hw=(0.0, 0.25)), mirror(0.8)],
     ["style", "symmetry"], E),
    ("sty-019", "a blocky toy robot standing on two legs", [legs(2), mirror(0.8)],
     ["style", "counting", "symmetry"], M),
    ("sty-020", "a low-poly mushroom with a spotted cap", [mirror(0.8)], ["style"], E),
    ("sty-021", "a toy windmill with four sails", [stable()], ["style"], M),
    ("sty-022", "a stylised teacup sitting on a saucer", [liquid(), holes(lo=1)],
     ["style", "affordance"], M),
    ("sty-023", "a steampunk pocket watch", [], ["style"], H),
    ("sty-024", "a low-poly rowing boat", [aspect(lw=(2.0, 6.0))], ["style", "proportion"], E),
    ("sty-025", "an art-deco vase with a fluted body", [*CUP, rot(8, 0.75)],
     ["style", "affordance", "symmetry"], M),
    ("sty-026", "a minimalist Scandinavian stool with three splayed legs", [legs(3), SEAT],
     ["style", "counting"], E),
    ("sty-027", "a pixel-art heart extruded into a thick 3D slab", [mirror(0.85)],
     ["style", "symmetry"], E),
    ("sty-028", "a cartoon bomb with a lit fuse", [], ["style"], E),
    ("sty-029", "a tiny isometric-style cottage with a pitched roof", [mirror(0.7)],
     ["style", "symmetry"], M),
    ("sty-030", "a cartoon snowman made of three stacked snowballs",
     [aspect(hl=(0.9, 4.0))], ["style", "proportion"], E),
    ("sty-031", "a claymation birthday cake with three tiers", [layers(3), rot(8, 0.75)],
     ["style", "counting"], M),
    ("sty-032", "a cartoon blacksmith's anvil", [stable()], ["style"], E),
    ("sty-033", "a wooden toy spinning top", [rot(8)], ["style", "symmetry"], E),
    ("sty-034", "a cartoon hot air balloon with a basket", [], ["style"], M),
    ("sty-035", "a glowing paper lantern", [rot(8, 0.75)], ["style", "symmetry"], E),
    ("sty-036", "a stylised Greek column", [rot(4, 0.8), aspect(hl=(3.0, 12.0))],
     ["style", "symmetry", "proportion"], E),
    ("sty-037", "a toy rocking horse on two curved rockers", [legs(2)],
     ["style", "counting"], M),
    ("sty-038", "a cartoon fire hydrant", [stable()], ["style"], E),
    ("sty-039", "a balloon dog twisted from a long balloon", [legs(4)],
     ["style", "counting"], M),
    ("sty-040", "a plush teddy bear sitting down", [], ["style"], E),
    ("sty-041", "a toon-shaded skeleton key lying flat", [holes(lo=1)], ["style", "topology"],
     M),
    ("sty-042", "a stylised wooden rocking chair", [legs(2), CHAIR_SEAT],
     ["style", "counting", "affordance"], M),
    ("sty-043", "a cute birdhouse on a pole", [legs(1)], ["style", "counting"], E),
    ("sty-044", "a cartoon ice cream cone with one scoop", [aspect(hl=(1.3, 4.0))],
     ["style", "proportion"], E),
    ("sty-045", "an origami crane", [mirror(0.75)], ["style", "symmetry"], H),
    ("sty-046", "a low-poly wine bottle", [aspect(hw=(2.5, 6.0))], ["style", "proportion"], E),
    ("sty-047", "a chibi-style cat sitting down", [], ["style"], E),
    ("sty-048", "a voxel-art sword", [], ["style"], E),
    ("sty-049", "a low-poly crystal cluster", [], ["style"], M),
    ("sty-050", "a stylised campfire with crossed logs", [], ["style"], M),
    ("sty-051", "a cartoon cactus in a round pot", [stable()], ["style"], E),
    ("sty-052", "a low-poly tropical island with one palm tree", [],
     ["style"], M),
    ("sty-053", "a cartoon trophy with two big handles", [holes(2), liquid()],
     ["style", "counting", "affordance"], M),
    ("sty-054", "a toy wooden train engine on four wheels", [legs(4)],
     ["style", "counting"], M),
    ("sty-055", "a low-poly wooden barrel", [rot(8, 0.75), aspect(hw=(0.9, 2.0))],
     ["style", "symmetry", "proportion"], E),
    ("sty-056", "a cartoon flower pot with a drainage hole", [opening("up"), holes(1)],
     ["style", "affordance", "topology"], M),
    ("sty-057", "a stylised ceiling fan with three curved blades", [radial(3)],
     ["style", "counting"], M),
    ("sty-058", "a chunky cartoon padlock", [holes(1)], ["style", "topology"], E),
    ("sty-059", "a toy truck with six wheels", [legs(6)], ["style", "counting"], M),
    ("sty-060", "a cartoon bucket with a handle", [*CUP, holes(1)],
     ["style", "affordance", "topology"], E),
    ("sty-061", "a low-poly four-legged table", [legs(4), TOP], ["style", "counting"], E),
    ("sty-062", "a blocky dog figurine standing on four legs", [legs(4)],
     ["style", "counting"], E),
    ("sty-063", "a cartoon ladder with four rungs, lying down", [holes(lo=3, hi=4)],
     ["style", "counting", "topology"], M),
    ("sty-064", "a stylised bookshelf with three shelves", [layers(lo=3, hi=5)],
     ["style", "counting"], E),
    ("sty-065", "a cartoon gear with ten teeth", [radial(10)], ["style", "counting"], M),
    ("sty-066", "a toy spider with eight wiggly legs", [legs(8)], ["style", "counting"], H),
    ("sty-067", "a chunky cartoon dumbbell", [legs(2), mirror(0.8)],
     ["style", "counting", "symmetry"], E),
    ("sty-068", "a papercraft-style house with a gable roof", [mirror(0.75)],
     ["style", "symmetry"], E),
    ("sty-069", "a stylised lighthouse", [rot(8, 0.75), aspect(hl=(2.0, 10.0))],
     ["style", "symmetry", "proportion"], E),
    ("sty-070", "a cartoon wine glass", [*CUP], ["style", "affordance"], E),
    ("sty-071", "a low-poly camera tripod", [legs(3)], ["style", "counting"], M),
    ("sty-072", "a cute cartoon bird standing on two legs", [legs(2)],
     ["style", "counting"], M),
    ("sty-073", "a stylised stepped pyramid with three tiers", [layers(3), rot(4)],
     ["style", "counting", "symmetry"], E),
    ("sty-074", "a cartoon stack of three pancakes", [aspect(hw=(0.15, 0.8))],
     ["style", "proportion"], E),
    ("sty-075", "a chunky toy tricycle", [legs(3)], ["style", "counting"], M),
    ("sty-076", "a glossy toy ring with a gem on top", [holes(1)], ["style", "topology"], M),
    ("sty-077", "a flat cartoon four-pointed sparkle shape", [radial(4), rot(4)],
     ["style", "counting", "symmetry"], E),
    ("sty-078", "a voxel-style open crate", [*CUP], ["style", "affordance"], E),
    ("sty-079", "a stylised office chair with a five-star base", [legs(5)],
     ["style", "counting"], M),
    ("sty-080", "a cartoon mailbox on a post", [legs(1)], ["style", "counting"], E),
    ("sty-081", "a claymation snail", [], ["style"], M),
    ("sty-082", "an ink-sketch style wooden chair", [legs(4), CHAIR_SEAT],
     ["style", "counting", "affordance"], M),
]

TABLES: dict[str, list[tuple]] = {
    "spatial_structural": SPATIAL,
    "mechanical_affordances": MECH,
    "biological_organic": BIO,
    "world_knowledge_rare": WORLD,
    "stylized": STYLE,
}


def build_cases() -> list[dict[str, Any]]:
    """Every case as a dict, in table order; suites follow from the checks."""
    from mme3dr.evaluators import registry

    out = []
    for category, rows in TABLES.items():
        for cid, prompt, checks, tags, difficulty in rows:
            kinds = {registry.get(c["check"]).suite for c in checks}
            suites = [s for s in ("spatial", "functional") if s in kinds]
            suites += ["physical", "aesthetic", "alignment"]
            out.append(
                {
                    "id": cid,
                    "prompt": prompt,
                    "category": category,
                    "suites": suites,
                    "checks": checks,
                    "tags": list(tags),
                    "difficulty": difficulty,
                }
            )
    return out


def main(argv: list[str]) -> int:
    if "--check" not in argv:
        print(
            "refusing to write: since 2.0.0 mme3dr/benchmark_data/mme3dr/cases.jsonl is the "
            "source of truth and is edited directly; this script only checks (--check) that "
            "its tables rebuild the frozen v1.0.0.jsonl",
            file=sys.stderr,
        )
        return 2
    cases = build_cases()
    text = "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases)
    meta = {
        "name": "mme3dr",
        "version": VERSION,
        "description": "MME-3DR open case set: prompts over the five MME-3DR categories with "
        "verifiable geometric checks (written for this project; see README.md).",
        "license": "CC-BY-4.0",
        "categories": list(TABLES),
    }
    meta_text = json.dumps(meta, indent=2) + "\n"
    targets = ((OUT / f"v{VERSION}.jsonl", text), (OUT / f"v{VERSION}.meta.json", meta_text))
    stale = [str(p) for p, t in targets if not p.is_file() or p.read_text(encoding="utf-8") != t]
    if stale:
        print("differs from the tables: " + ", ".join(stale), file=sys.stderr)
        return 1
    print(f"{len(cases)} cases: the tables rebuild {targets[0][0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
