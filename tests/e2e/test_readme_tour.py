"""The README tour and every runnable docs/ walk, run as written against a `make run` server.

A walk is the fenced blocks of a document whose info string is `sh tour`. They run in order in
one bash process, from a temporary project root (`.venv` and `examples/` linked in), against
`probandi serve --demo` on a free port with a fresh database; `PROBANDI_URL` points them at it.
Each `# -> TEXT` line in a block is an output line the block must print, in order (`...` stands
for any text), so changing a documented result without changing the product fails here.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
VENV = Path(sys.executable).parents[1]
PROBANDI = str(Path(sys.executable).with_name("probandi"))
BLOCK = re.compile(r"^```sh tour\n(.*?)^```$", re.MULTILINE | re.DOTALL)
EXPECT = re.compile(r"^\s*# -> (.*?)\s*$", re.MULTILINE)
MARK = "@@tour-block-{}@@"


@dataclass(frozen=True)
class Block:
    line: int  # where the block starts in its document, for failure messages
    script: str
    expected: tuple[str, ...]


def tour_blocks(document: Path) -> list[Block]:
    text = document.read_text(encoding="utf-8")
    return [
        Block(text.count("\n", 0, m.start()) + 1, m.group(1), tuple(EXPECT.findall(m.group(1))))
        for m in BLOCK.finditer(text)
    ]


def walked_documents() -> list[str]:
    docs = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    return [str(d.relative_to(ROOT)) for d in docs if tour_blocks(d)]


def unmet(expected: tuple[str, ...], output: str) -> str | None:
    """The first expected line the output lacks (in order), or None when all are there."""
    lines = iter(line.rstrip() for line in output.splitlines())
    for want in expected:
        pattern = re.compile(".*".join(re.escape(part) for part in want.split("...")))
        if not any(pattern.fullmatch(line) for line in lines):
            return want
    return None


def _script(blocks: list[Block]) -> str:
    parts = ["set -eo pipefail"]
    for i, block in enumerate(blocks):
        parts += [f"echo '{MARK.format(i)}'", block.script]
    return "\n".join(parts) + "\n"


def _project_root(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "var").mkdir(parents=True)
    (root / ".venv").symlink_to(VENV)
    (root / "examples").symlink_to(ROOT / "examples")
    return root


@contextmanager
def demo_server(root: Path, env: dict[str, str]) -> Iterator[str]:
    """`probandi serve --demo` as `make run` starts it, from `root`, on a free port."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = root / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [PROBANDI, "serve", "--demo", "--host", "127.0.0.1", "--port", str(port)],
            cwd=root,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"server exited: {log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"server did not start: {log.read_text()[-3000:]}")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("document", walked_documents())
def test_documented_walk_prints_what_it_says(
    document: str, database_url: str, tmp_path: Path
) -> None:
    blocks = tour_blocks(ROOT / document)
    root = _project_root(tmp_path)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PROBANDI_")},
        "PROBANDI_DATABASE_URL": database_url,
    }
    with demo_server(root, env) as url:
        done = subprocess.run(
            ["bash", "-c", _script(blocks)],
            cwd=root,
            env={**env, "PROBANDI_URL": url},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=600,
            check=False,
        )
    output = done.stdout.decode("utf-8", errors="replace")
    pieces = re.split(r"^@@tour-block-\d+@@$", output, flags=re.MULTILINE)[1:]
    for i, block in enumerate(blocks):
        where = f"{document} block at line {block.line}"
        assert i < len(pieces), f"{where} never ran (exit {done.returncode}):\n{output[-3000:]}"
        shown = pieces[i]
        missing = unmet(block.expected, shown)
        assert missing is None, f"{where}: expected line {missing!r} not printed in:\n{shown}"
    assert done.returncode == 0, f"{document}: exit {done.returncode}\n{output[-3000:]}"


def test_the_readme_has_a_tour_and_every_runnable_doc_is_walked() -> None:
    assert "README.md" in walked_documents()
    readme = tour_blocks(ROOT / "README.md")
    assert sum(len(b.expected) for b in readme) >= 10
    runnable = [
        str(d.relative_to(ROOT))
        for d in (ROOT / "docs").glob("*.md")
        if "runnable walk" in d.read_text(encoding="utf-8")
    ]
    assert set(runnable) <= set(walked_documents())


def test_a_changed_documented_output_is_caught() -> None:
    output = 'publishable: false\ngate.state: "awaiting_proof"\nproof_due_at: "2026-11-09T09:00Z"\n'
    assert unmet(("publishable: false", "proof_due_at: ..."), output) is None
    assert unmet(("publishable: true",), output) == "publishable: true"
    assert unmet(('gate.state: "in_review"',), output) == 'gate.state: "in_review"'
    # In order: a line already passed does not count again.
    assert unmet(('gate.state: "awaiting_proof"', "publishable: false"), output) is not None
