"""The table reader rejects malformed input with file, line and column."""

from __future__ import annotations

import pytest

from ifnonto.errors import IfnontoError
from ifnonto.schema import load_schema
from ifnonto.tables import parse_refs, read_table

SECTIONS = "\t".join(load_schema().tables["sections"].names)


def write(tmp_path, text, name="t.tsv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_rows_with_line_numbers(tmp_path):
    path = write(tmp_path, f"# comment\n{SECTIONS}\nabstract\tAbstract\t1\t\t\n\nintro\tIntroduction\t2\t\t\n")
    rows = read_table(path, "sections")
    assert [(r.line, r["id"]) for r in rows] == [(3, "abstract"), (5, "intro")]


@pytest.mark.parametrize("body, line, fragment", [
    ("abstract\tAbstract\n", 2, "expected 5 tab-separated columns"),
    ("abstract\tAbstract\t1\t\t\textra\n", 2, "found 6"),
    ("\tAbstract\t1\t\t\n", 2, "id: must not be empty"),
    ("abstract \tAbstract\t1\t\t\n", 2, "whitespace"),
    ("abstract\tAbstract\tfirst\t\t\n", 2, "order: must be an integer"),
    ("ok\tOk\t1\t\t\nbad\x00\tBad\t2\t\t\n", 3, "NUL"),
])
def test_malformed_rows(tmp_path, body, line, fragment):
    path = write(tmp_path, f"{SECTIONS}\n{body}")
    with pytest.raises(IfnontoError) as err:
        read_table(path, "sections")
    assert err.value.line == line
    assert fragment in str(err.value)
    assert str(path) in str(err.value)


def test_wrong_header(tmp_path):
    path = write(tmp_path, "id\tlabel\n")
    with pytest.raises(IfnontoError, match="header must be exactly"):
        read_table(path, "sections")


def test_empty_and_binary_files(tmp_path):
    with pytest.raises(IfnontoError, match="empty table"):
        read_table(write(tmp_path, ""), "sections")
    binary = tmp_path / "b.tsv"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(IfnontoError, match="UTF-8"):
        read_table(binary, "sections")


@pytest.mark.parametrize("printed, numbers", [
    ("121", [121]), ("31,39-41", [31, 39, 40, 41]), ("13–17", [13, 14, 15, 16, 17]), ("72,73", [72, 73]), ("", []),
])
def test_reference_numbers_as_printed(tmp_path, printed, numbers):
    from ifnonto.tables import Row
    row = Row("facts", tmp_path / "f.tsv", 2, {"refs": printed})
    assert parse_refs(row, 240) == numbers


@pytest.mark.parametrize("printed, fragment", [("41", "outside 1..40"), ("0", "outside"), ("12-10", "backwards"),
                                               ("12;13", "must look like"), ("ref 12", "must look like")])
def test_bad_reference_numbers(tmp_path, printed, fragment):
    from ifnonto.tables import Row
    row = Row("facts", tmp_path / "f.tsv", 7, {"refs": printed})
    with pytest.raises(IfnontoError, match=fragment) as err:
        parse_refs(row, 40)
    assert err.value.line == 7 and err.value.column == "refs"


def test_schema_values_and_optional_columns(tmp_path):
    effects = load_schema().tables["effects"]
    required = [c.name for c in effects.columns if not c.optional]
    cells = {name: "" for name in required}
    cells.update(id="EF-1", regulator="IFNG", direction="increases", target="x", polarity="+", section="s",
                 evidence="TAS", description="d")
    row = "\t".join(cells[name] for name in required)
    # a table without the optional columns of the next curation pass is read, its optional cells empty
    rows = read_table(write(tmp_path, "\t".join(required) + "\n" + row + "\n"), "effects")
    assert rows[0]["target_aspect"] == "" and rows[0]["polarity"] == "+"
    # a value outside the schema's list is a row error naming the column
    bad = row.replace("\tincreases\t", "\tsideways\t")
    with pytest.raises(IfnontoError, match="direction: unknown value 'sideways'") as err:
        read_table(write(tmp_path, "\t".join(required) + "\n" + bad + "\n", "bad.tsv"), "effects")
    assert err.value.line == 2
    # optional columns are checked too, when present
    header = "\t".join(required + ["target_aspect"])
    with pytest.raises(IfnontoError, match="target_aspect: unknown value 'size'"):
        read_table(write(tmp_path, header + "\n" + row + "\tsize\n", "aspect.tsv"), "effects")
