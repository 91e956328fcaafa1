"""The sweep asks the registry about approved proof in bulk: one SELECT per 500 ids."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from probandi.bootstrap import Runtime
from probandi.queries.sweep import approved_among
from tests.support.catalogs import a_crackdown


def test_approved_proof_is_looked_up_in_chunks_never_per_row(runtime: Runtime) -> None:
    a_crackdown(runtime)  # listings held-1 (awaiting proof) and old-chanel (ungated)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    ids = [f"L{i}" for i in range(1_200)] + ["held-1", "old-chanel", "held-1"]
    event.listen(runtime.reader, "before_cursor_execute", count)
    try:
        with Session(runtime.reader) as session:
            found = approved_among(session, ids)
    finally:
        event.remove(runtime.reader, "before_cursor_execute", count)
    assert found == set()  # neither is approved
    selects = [s for s in statements if "FROM listings" in s]
    assert len(selects) == 3  # 1,202 distinct ids in chunks of 500
