"""Print chosen fields of the JSON on stdin (one document, or JSON lines): `path: value` lines.

    curl -s ... | python3 examples/pick.py publishable gate.state reasons.0 voucher.findings.*.code

A path is keys and list indexes joined by dots; `*` maps over a list. Values print as JSON.
Standard library only, so any python3 runs it (no jq needed).
"""

from __future__ import annotations

import json
import sys
from typing import Any


def pick(value: Any, keys: list[str]) -> Any:
    if not keys:
        return value
    key, rest = keys[0], keys[1:]
    if key == "*":
        return [pick(item, rest) for item in value]
    return pick(value[int(key)] if isinstance(value, list) else value[key], rest)


def main(paths: list[str]) -> None:
    text = sys.stdin.read()
    try:
        documents = [json.loads(text)]
    except ValueError:
        try:  # JSON lines: each document in turn
            documents = [json.loads(line) for line in text.splitlines() if line.strip()]
        except ValueError:
            sys.exit(f"pick: not JSON: {text[:500]!r}")
    for document in documents:
        show(document, paths)


def show(document: Any, paths: list[str]) -> None:
    for path in paths:
        try:
            value = pick(document, path.split("."))
        except (KeyError, IndexError, TypeError, ValueError):
            sys.exit(f"pick: no {path!r} in {json.dumps(document, ensure_ascii=False)[:500]}")
        print(f"{path}: {json.dumps(value, ensure_ascii=False)}")


if __name__ == "__main__":
    main(sys.argv[1:])
