"""Rewrite README.md's outcome table from sim/outcomes.py (run after adding an outcome):

    .venv/bin/python scripts/outcome_table.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.outcomes import readme_table  # noqa: E402


def main() -> None:
    readme = ROOT / "README.md"
    text = readme.read_text()
    new, n = re.subn(r"(<!-- outcome table:[^\n]*-->\n)(.*?)(\n\n)", lambda m: m.group(1) + readme_table() + m.group(3),
                     text, count=1, flags=re.S)
    if n != 1:
        sys.exit("README.md has no '<!-- outcome table: ... -->' marker")
    readme.write_text(new)


if __name__ == "__main__":
    main()
