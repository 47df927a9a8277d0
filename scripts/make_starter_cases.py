"""Write mme3dr/benchmark_data/starter.jsonl (the starter case set) from the table below.

python scripts/make_starter_cases.py
"""

import json

ALL = ["spatial", "functional", "physical", "aesthetic", "alignment"]
S = ["spatial", "physical", "aesthetic", "alignment"]
F = ["spatial", "functional", "physical", "aesthetic", "alignment"]
cases = [
    # spatial_structural
    (
        "spa-001",
        "a tower of three wooden blocks, each smaller than the one below",
        "spatial_structural",
        S,
        [{"check": "stacked", "expect": 3}, {"check": "parts", "expect": 3}, {"check": "stable"}],
        ["counting", "stacking"],
        "easy",
    ),
    (
        "spa-002",
        "a tall open bookshelf with four shelves",
        "spatial_structural",
        F,
        [
            {"check": "horizontal_layers", "expect": 4},
            {"check": "aspect", "height_over_length": [1.2, 4.0]},
            {"check": "stable"},
        ],
        ["counting", "proportion"],
        "medium",
    ),
    (
        "spa-003",
        "a red rubber ball resting on top of a wooden crate",
        "spatial_structural",
        S,
        [
            {"check": "parts", "expect": 2},
            {"check": "relation", "a": "smallest", "b": "largest", "rel": "on_top_of"},
        ],
        ["relation"],
        "medium",
    ),
    (
        "spa-004",
        "a flat five-pointed star",
        "spatial_structural",
        S,
        [
            {"check": "radial_count", "expect": 5},
            {"check": "symmetry", "kind": "rotational", "order": 5, "min": 0.8},
            {"check": "aspect", "height_over_width": [0.0, 0.4]},
        ],
        ["counting", "symmetry"],
        "easy",
    ),
    (
        "spa-005",
        "a concrete staircase with three steps",
        "spatial_structural",
        F,
        [{"check": "horizontal_layers", "expect": 3}, {"check": "stable"}],
        ["counting"],
        "easy",
    ),
    (
        "spa-006",
        "a plain metal ring standing upright on its edge",
        "spatial_structural",
        S,
        [{"check": "through_holes", "expect": 1}, {"check": "parts", "expect": 1}],
        ["topology"],
        "easy",
    ),
    (
        "spa-007",
        "a stone arch made of two pillars joined by a beam",
        "spatial_structural",
        S,
        [
            {"check": "ground_contacts", "expect": 2},
            {"check": "parts", "expect": 1},
            {"check": "stable"},
        ],
        ["counting"],
        "medium",
    ),
    # mechanical_affordances
    (
        "mech-001",
        "a wooden stool with three legs",
        "mechanical_affordances",
        F,
        [
            {"check": "ground_contacts", "expect": 3},
            {"check": "stable"},
            {"check": "support_surface", "height": [0.8, 1.0], "min_area": 0.3},
        ],
        ["counting", "affordance"],
        "easy",
    ),
    (
        "mech-002",
        "a rectangular dining table with four legs",
        "mechanical_affordances",
        F,
        [
            {"check": "ground_contacts", "expect": 4},
            {"check": "support_surface", "height": [0.85, 1.0], "min_area": 0.5},
            {"check": "stable"},
        ],
        ["counting", "affordance"],
        "easy",
    ),
    (
        "mech-003",
        "a ceramic coffee mug with a handle",
        "mechanical_affordances",
        F,
        [
            {"check": "holds_liquid"},
            {"check": "through_holes", "expect": 1},
            {"check": "opening", "direction": "up"},
        ],
        ["affordance", "topology"],
        "medium",
    ),
    (
        "mech-004",
        "a deep soup bowl",
        "mechanical_affordances",
        F,
        [
            {"check": "holds_liquid"},
            {"check": "through_holes", "expect": 0},
            {"check": "opening", "direction": "up"},
        ],
        ["affordance"],
        "easy",
    ),
    (
        "mech-005",
        "a spur gear with twelve teeth",
        "mechanical_affordances",
        S,
        [
            {"check": "radial_count", "expect": 12},
            {"check": "symmetry", "kind": "rotational", "order": 12, "min": 0.8},
        ],
        ["counting", "symmetry"],
        "medium",
    ),
    (
        "mech-006",
        "a dining chair with four legs and a tall backrest",
        "mechanical_affordances",
        F,
        [
            {"check": "ground_contacts", "expect": 4},
            {"check": "support_surface", "height": [0.35, 0.65], "min_area": 0.3},
            {"check": "stable"},
        ],
        ["counting", "affordance"],
        "medium",
    ),
    (
        "mech-007",
        "an open-top wooden crate",
        "mechanical_affordances",
        F,
        [{"check": "opening", "direction": "up"}, {"check": "holds_liquid"}],
        ["affordance"],
        "easy",
    ),
    (
        "mech-008",
        "a round stool with four legs",
        "mechanical_affordances",
        F,
        [
            {"check": "ground_contacts", "expect": 4},
            {"check": "support_surface", "height": [0.8, 1.0], "min_area": 0.3},
        ],
        ["counting", "affordance"],
        "easy",
    ),
    # biological_organic
    (
        "bio-001",
        "a mushroom with a thick stem and a wide round cap",
        "biological_organic",
        S,
        [
            {"check": "parts", "expect": 1},
            {"check": "symmetry", "kind": "rotational", "order": 8, "min": 0.8},
            {"check": "stable"},
        ],
        ["symmetry"],
        "easy",
    ),
    (
        "bio-002",
        "a daisy flower head with eight petals, lying flat",
        "biological_organic",
        S,
        [
            {"check": "radial_count", "expect": 8},
            {"check": "aspect", "height_over_width": [0.0, 0.3]},
        ],
        ["counting"],
        "medium",
    ),
    (
        "bio-003",
        "a starfish with five arms lying on the sand",
        "biological_organic",
        S,
        [
            {"check": "radial_count", "expect": 5},
            {"check": "aspect", "height_over_width": [0.0, 0.4]},
        ],
        ["counting"],
        "easy",
    ),
    (
        "bio-004",
        "a tall saguaro cactus with two raised arms",
        "biological_organic",
        S,
        [
            {"check": "aspect", "height_over_length": [1.3, 6.0]},
            {"check": "stable"},
            {"check": "parts", "expect": 1},
        ],
        ["proportion"],
        "easy",
    ),
    (
        "bio-005",
        "a dog standing on four legs",
        "biological_organic",
        S,
        [{"check": "ground_contacts", "expect": 4}, {"check": "stable"}],
        ["counting"],
        "medium",
    ),
    (
        "bio-006",
        "a coiled snail shell",
        "biological_organic",
        ["physical", "aesthetic", "alignment"],
        [],
        ["organic"],
        "hard",
    ),
    # world_knowledge_rare
    (
        "wk-001",
        "the Eiffel Tower",
        "world_knowledge_rare",
        S,
        [
            {"check": "aspect", "height_over_length": [2.0, 8.0]},
            {"check": "ground_contacts", "expect": 4},
            {"check": "stable"},
        ],
        ["landmark", "proportion"],
        "medium",
    ),
    (
        "wk-002",
        "a red Japanese torii gate",
        "world_knowledge_rare",
        S,
        [{"check": "ground_contacts", "expect": 2}, {"check": "through_holes", "min": 1}],
        ["landmark", "counting"],
        "medium",
    ),
    (
        "wk-003",
        "a Stonehenge trilithon: two standing stones with a lintel on top",
        "world_knowledge_rare",
        S,
        [
            {"check": "parts", "expect": 3},
            {"check": "ground_contacts", "expect": 2},
            {"check": "relation", "a": "highest", "b": "largest", "rel": "above"},
        ],
        ["landmark", "relation"],
        "hard",
    ),
    (
        "wk-004",
        "an ancient Chinese bronze ding cauldron with three legs",
        "world_knowledge_rare",
        F,
        [{"check": "ground_contacts", "expect": 3}, {"check": "holds_liquid"}, {"check": "stable"}],
        ["artifact", "counting", "affordance"],
        "hard",
    ),
    (
        "wk-005",
        "a Rubik's cube",
        "world_knowledge_rare",
        S,
        [
            {"check": "aspect", "height_over_width": [0.85, 1.15]},
            {"check": "symmetry", "kind": "mirror", "min": 0.9},
        ],
        ["proportion", "symmetry"],
        "easy",
    ),
    (
        "wk-006",
        "a Dutch windmill with four sails",
        "world_knowledge_rare",
        S,
        [{"check": "stable"}, {"check": "aspect", "height_over_length": [1.0, 4.0]}],
        ["landmark"],
        "hard",
    ),
    # stylized
    (
        "sty-001",
        "a low-poly fox, faceted, game-ready",
        "stylized",
        S,
        [{"check": "ground_contacts", "expect": 4}, {"check": "stable"}],
        ["style", "counting"],
        "medium",
    ),
    (
        "sty-002",
        "a voxel-art tree in Minecraft style",
        "stylized",
        S,
        [{"check": "stable"}, {"check": "parts", "expect": 1}],
        ["style"],
        "easy",
    ),
    (
        "sty-003",
        "a cartoon rocket standing on three fins",
        "stylized",
        S,
        [
            {"check": "ground_contacts", "expect": 3},
            {"check": "radial_count", "expect": 3},
            {"check": "aspect", "height_over_length": [1.2, 5.0]},
        ],
        ["style", "counting"],
        "medium",
    ),
    (
        "sty-004",
        "a white chess pawn",
        "stylized",
        S,
        [
            {"check": "symmetry", "kind": "rotational", "order": 8, "min": 0.85},
            {"check": "stable"},
            {"check": "aspect", "height_over_length": [1.2, 3.0]},
        ],
        ["symmetry", "style"],
        "easy",
    ),
    (
        "sty-005",
        "a stylised table lamp with a conical shade",
        "stylized",
        S,
        [{"check": "stable"}, {"check": "parts", "expect": 1}],
        ["style"],
        "easy",
    ),
    (
        "sty-006",
        "a cartoon donut with a hole in the middle",
        "stylized",
        S,
        [
            {"check": "through_holes", "expect": 1},
            {"check": "aspect", "height_over_width": [0.1, 0.6]},
        ],
        ["style", "topology"],
        "easy",
    ),
]
with open("mme3dr/benchmark_data/starter.jsonl", "w") as f:
    for cid, prompt, cat, suites, checks, tags, diff in cases:
        f.write(
            json.dumps(
                {
                    "id": cid,
                    "prompt": prompt,
                    "category": cat,
                    "suites": suites,
                    "checks": checks,
                    "tags": tags,
                    "difficulty": diff,
                }
            )
            + "\n"
        )
print(len(cases))
