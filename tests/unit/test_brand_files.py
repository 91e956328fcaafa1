"""Brand files: a CSV `gated` cell is read only from an explicit spelling."""

from __future__ import annotations

import pytest

from probandi.domain.errors import InvalidInput
from probandi.entrypoints.brand_files import parse_brand_rows


def _csv(*rows: str, header: str = "name,aliases,gated") -> bytes:
    return "\n".join([header, *rows, ""]).encode()


@pytest.mark.parametrize(
    ("cell", "gated"),
    [
        *[("true", True), ("TRUE", True), ("1", True), ("Yes", True), (" yes ", True)],
        *[("false", False), ("False", False), ("0", False), ("NO", False)],
    ],
)
def test_explicit_spellings_of_gated_are_read(cell: str, gated: bool) -> None:
    [brand] = parse_brand_rows("text/csv", _csv(f"Chanel,CC,{cell}"))
    assert brand.gated is gated


@pytest.mark.parametrize(("cell", "shown"), [("maybe", "'maybe'"), ("", "empty"), ("y", "'y'")])
def test_any_other_gated_cell_is_refused_naming_its_line(cell: str, shown: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_brand_rows("text/csv", _csv("Chanel,CC,true", f"Prada,,{cell}"))
    assert refused.value.message == (f"line 3: gated is {shown}; write true/false, 1/0 or yes/no")
    assert refused.value.details["field"] == "gated"


def test_a_file_without_a_gated_column_gates_every_brand() -> None:
    brands = parse_brand_rows("text/csv", _csv("Chanel,CC", "Prada,", header="name,aliases"))
    assert [b.gated for b in brands] == [True, True]


def test_a_bad_json_brand_is_named_by_its_position() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_brand_rows(
            "application/json", b'[{"name": "Chanel"}, {"name": "Prada", "gated": "maybe"}]'
        )
    assert refused.value.message.startswith("brand 2: gated: ")
    assert refused.value.details["field"] == "gated"


def test_a_brand_file_that_is_not_json_says_where() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_brand_rows("application/json", b'[\n  {"name": "Chanel"},\n  oops\n]')
    assert refused.value.message == "the file is not valid JSON: Expecting value at line 3 column 3"
