"""What travels between the driver and the workers: partition specs and their results."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, NamedTuple


class InputFormat(enum.StrEnum):
    CSV = "csv"
    JSONL = "jsonl"
    PARQUET = "parquet"


@dataclass(frozen=True)
class PartSpec:
    """One partition of the input: plain data, cheap to ship to a worker.

    Text (CSV, JSON lines): bytes [start, stop) of the file, cut at line ends; line
    numbers are counted inside the part and made file-wide by the driver. Parquet: rows
    [start, stop) of the file (0-based), held by `row_groups`, whose first row is
    `group_start`.
    """

    index: int
    path: str
    fmt: InputFormat
    start: int
    stop: int
    header: tuple[str, ...] = ()
    row_groups: tuple[int, ...] = ()
    group_start: int = 0
    first_of_file: bool = False

    @property
    def units(self) -> int:
        """Progress units: rows of Parquet, bytes of text."""
        return self.stop - self.start

    @property
    def text(self) -> bool:
        return self.fmt is not InputFormat.PARQUET


class RowError(NamedTuple):
    """A skipped row: its line (text, counted within the part) or row (Parquet, file-wide)."""

    number: int
    message: str


@dataclass(frozen=True)
class PartResult:
    """A screened partition: its findings (approval not yet known) and skipped rows."""

    index: int
    rows: int  # rows seen, valid or not (blank lines are not rows)
    lines: int  # text: lines in the part, for file-wide line numbers; Parquet: 0
    findings: Any  # an Arrow table of the output's schema
    errors: tuple[RowError, ...]
    seconds: float
    worker: str  # process id and engine serial: shows the engine was built once per worker
