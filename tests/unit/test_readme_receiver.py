"""The README's webhook receiver excerpt is the example receiver's own code, line for line,
so the excerpt cannot drift from the receiver docs/webhooks.md runs in its tested walk."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_readme_excerpt_is_taken_from_the_example_receiver() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```$", readme, re.MULTILINE | re.DOTALL)
    excerpt = next(b for b in blocks if "standardwebhooks" in b)
    receiver = [
        line.strip() for line in (ROOT / "examples/webhook_receiver.py").read_text().splitlines()
    ]
    lines = [line.strip() for line in excerpt.splitlines() if line.strip() not in ("", "...")]
    assert len(lines) >= 5
    missing = [
        line
        for line in lines
        if line.split("  #")[0].strip() not in {r.split("  #")[0].strip() for r in receiver}
    ]
    assert missing == []
