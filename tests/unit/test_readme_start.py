"""The README opens, right after its title, with the two commands a newcomer needs."""

from __future__ import annotations

from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_starts_after_its_title_with_make_run_and_make_test() -> None:
    lines = [line for line in README.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert lines[0].startswith("# probandi")
    assert lines[1] == "```sh"
    assert lines[2].startswith("make run ")
    assert lines[3].startswith("make test ")
    assert lines[4] == "```"
