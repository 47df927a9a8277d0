"""Build the example model folders (reference and broken) for the starter cases.

    python scripts/make_examples.py [OUT_ROOT]   # default: examples
"""

import sys
from pathlib import Path

from mme3dr.examples.models import build_examples

if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("examples")
    for name, path in build_examples(root).items():
        print(f"{name}: {path}")
