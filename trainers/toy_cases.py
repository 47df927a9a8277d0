"""The toy prompt set the reference policy learns: counted furniture, stairs and vessels.

Every case carries verifiable checks (the targets of the rewards), so a policy that reads the
prompt can earn more reward than one that ignores it. Families (``N`` is in the prompt):

=============================  ==============================================================
``a table with N legs``        ``ground_contacts`` = N, ``support_surface`` near the top
``a stool with N legs``        ``ground_contacts`` = N, ``aspect`` height/width in [1.2, 4]
``a bench with 2 legs``        ``ground_contacts`` = 2, ``aspect`` length/width in [1.8, 8]
``a staircase with N steps``   ``horizontal_layers`` = N
``a cup`` / ``a bowl``         ``holds_liquid``, ``opening`` up; a bowl is wide, a cup is tall
=============================  ==============================================================

:func:`toy_split` holds out one count per counted family (``table 3``, ``stool 3``,
``staircase 2``): the held-out prompts use only words seen in training, in new combinations.
Voxel checks run at resolution 32 (the shapes are at most 8 cells across).
"""

from __future__ import annotations

from mme3dr.cases import Case

SUITES = ("spatial", "functional", "physical")
RES = 32

HELD_OUT = ("table-3", "stool-3", "staircase-2")


def _case(cid: str, prompt: str, category: str, checks: list[dict]) -> Case:
    return Case(id=cid, prompt=prompt, category=category, suites=SUITES, checks=tuple(checks),
                tags=("toy",))


def toy_cases() -> list[Case]:
    """All toy cases, in a fixed order."""
    cases: list[Case] = []
    for n in (1, 2, 3, 4):
        cases.append(_case(f"table-{n}", f"a table with {n} legs", "mechanical_affordances", [
            {"check": "ground_contacts", "expect": n},
            {"check": "support_surface", "height": [0.6, 1.0], "resolution": RES},
        ]))
    for n in (2, 3, 4):
        cases.append(_case(f"stool-{n}", f"a stool with {n} legs", "mechanical_affordances", [
            {"check": "ground_contacts", "expect": n},
            {"check": "aspect", "height_over_width": [1.2, 4.0]},
        ]))
    cases.append(_case("bench", "a bench with 2 legs", "mechanical_affordances", [
        {"check": "ground_contacts", "expect": 2},
        {"check": "aspect", "length_over_width": [1.8, 8.0]},
    ]))
    for n in (1, 2, 3):
        cases.append(_case(f"staircase-{n}", f"a staircase with {n} steps", "spatial_structural", [
            {"check": "horizontal_layers", "expect": n, "resolution": RES},
        ]))
    cases.append(_case("cup", "a cup", "mechanical_affordances", [
        {"check": "holds_liquid", "resolution": RES},
        {"check": "opening", "direction": "up", "resolution": RES},
        {"check": "aspect", "height_over_width": [0.9, 3.0]},
    ]))
    cases.append(_case("bowl", "a bowl", "mechanical_affordances", [
        {"check": "holds_liquid", "resolution": RES},
        {"check": "opening", "direction": "up", "resolution": RES},
        {"check": "aspect", "height_over_width": [0.2, 0.7]},
    ]))
    return cases


def toy_split() -> tuple[list[Case], list[Case]]:
    """``(train, held_out)``: held-out cases are :data:`HELD_OUT`."""
    cases = toy_cases()
    return [c for c in cases if c.id not in HELD_OUT], [c for c in cases if c.id in HELD_OUT]


def toy_words() -> list[str]:
    """Every word of the toy prompts (the reference policy's prompt vocabulary), sorted."""
    return sorted({w for c in toy_cases() for w in c.prompt.lower().split()})
