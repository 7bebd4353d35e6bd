"""The table reader rejects malformed input with file, line and column."""

from __future__ import annotations

import pytest

from ifnonto.errors import IfnontoError
from ifnonto.tables import SCHEMAS, parse_refs, read_table

HEADER = "\t".join(SCHEMAS["xrefs"])


def write(tmp_path, text, name="t.tsv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_rows_with_line_numbers(tmp_path):
    path = write(tmp_path, f"# comment\n{HEADER}\nIFNG\tHGNC:5438\tIFNG\n\nIFNB1\tHGNC:5434\tIFNB1\n")
    rows = read_table(path, "xrefs")
    assert [(r.line, r["entity"]) for r in rows] == [(3, "IFNG"), (5, "IFNB1")]


@pytest.mark.parametrize("body, line, fragment", [
    ("IFNG\tHGNC:5438\n", 2, "expected 3 tab-separated columns"),
    ("IFNG\tHGNC:5438\tIFNG\textra\n", 2, "found 4"),
    ("IFNG\t\tIFNG\n", 2, "id: must not be empty"),
    ("IFNG \tHGNC:5438\tIFNG\n", 2, "whitespace"),
    ("ok\tHGNC:1\tx\nbad\x00\tHGNC:2\ty\n", 3, "NUL"),
])
def test_malformed_rows(tmp_path, body, line, fragment):
    path = write(tmp_path, f"{HEADER}\n{body}")
    with pytest.raises(IfnontoError) as err:
        read_table(path, "xrefs")
    assert err.value.line == line
    assert fragment in str(err.value)
    assert str(path) in str(err.value)


def test_wrong_header(tmp_path):
    path = write(tmp_path, "entity\tid\n")
    with pytest.raises(IfnontoError, match="header must be exactly"):
        read_table(path, "xrefs")


def test_empty_and_binary_files(tmp_path):
    with pytest.raises(IfnontoError, match="empty table"):
        read_table(write(tmp_path, ""), "xrefs")
    binary = tmp_path / "b.tsv"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(IfnontoError, match="UTF-8"):
        read_table(binary, "xrefs")


@pytest.mark.parametrize("printed, numbers", [
    ("121", [121]), ("31,39-41", [31, 39, 40, 41]), ("13–17", [13, 14, 15, 16, 17]), ("72,73", [72, 73]), ("", []),
])
def test_reference_numbers_as_printed(tmp_path, printed, numbers):
    from ifnonto.tables import Row
    row = Row("facts", tmp_path / "f.tsv", 2, {"refs": printed})
    assert parse_refs(row) == numbers


@pytest.mark.parametrize("printed, fragment", [("241", "outside 1..240"), ("0", "outside"), ("12-10", "backwards"),
                                               ("12;13", "must look like"), ("ref 12", "must look like")])
def test_bad_reference_numbers(tmp_path, printed, fragment):
    from ifnonto.tables import Row
    row = Row("facts", tmp_path / "f.tsv", 7, {"refs": printed})
    with pytest.raises(IfnontoError, match=fragment) as err:
        parse_refs(row)
    assert err.value.line == 7 and err.value.column == "refs"
