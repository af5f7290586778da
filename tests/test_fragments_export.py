"""The coded-fragments CSV, byte for byte, against an independent recomputation.

The export (``Study.fragments`` then ``exchange/csv.py``) is tuned for speed (50,000 codings
in well under its 2 s budget); the oracle here is the slow, obvious version: every coding read
straight from the study file with sqlite3, its context looked up one by one, its speaker found
by walking the turns, the formula guard and RFC 4180 quoting written out by hand. The study is
hostile on purpose: formula-like titles, memos and texts, escape sequences and carriage
returns that an older study or another tool may have stored, documents with the same title in
different organisations, no organisation at all, sub-codes, two coders, cases and waves.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.core.clean import clean_field
from qualcode.core.scope import Scope
from qualcode.exchange.csv import FRAGMENT_COLUMNS, neutralise, write_csv, write_csv_stream, write_fragments_csv
from qualcode.exchange.tables import write_fragments
from qualcode.study.study import Study

TEXT_A = (
    "Interviewer: Hoe was het eerste bezoek?\n"
    "Moeder: =Eerlijk gezegd, ik was bang. - Toen kwam ze gewoon bij ons thuis, “zonder oordeel”.\n"
    "Interviewer: +En daarna?\n"
    "Moeder: @Daarna voelde ik me gezien; ĳs en café, zei ze, 100% echt.\n"
)
TEXT_B = (
    "Coach: Ik kom wekelijks, soms twee keer.\n"
    'Vader: -Dat hielp, al was het "zwaar", echt zwaar.\n'
    "Coach: Wat gaf de doorslag?\n"
    "Vader: Dat ze bleef; ze gaf niet op.\n"
)


def build(path: Path) -> Study:
    study = Study.create(path, "vijandig", coder="tester")
    study.add_code("Relatie")
    study.add_code("Vertrouwensband", parent="Relatie")
    study.add_code("=Formule")
    docs = [
        # same title in two organisations: their codings interleave by position in the export
        ("gesprek", TEXT_A, {"organisation": "B-org", "project": "P", "role": "ouder", "participant": "M1"}),
        ("gesprek", TEXT_B + ".", {"organisation": "A-org", "project": "P", "role": "vader"}),
        ("=kop", TEXT_A + "..", {"role": "ouder"}),  # no organisation, no project
        ("zonder", TEXT_B + "...", {"organisation": "A-org"}),  # no project
        ("gesprek", TEXT_A + "....", {"organisation": "A-org", "project": "P", "role": "ouder"}),
    ]
    ids = [study.add_document(text, title=title, metadata=meta) for title, text, meta in docs]
    study.assign_case(ids[0], "G-1", wave="1")
    study.assign_case(ids[1], "G-1", wave="2")
    for doc_id in ids:
        text = study.document(doc_id).text
        first, second = ("=Eerlijk", "- Toen") if "=Eerlijk" in text else ("Ik kom", "-Dat")
        spans = [(0, 12), (13, 40), (text.index(first), len(text) - 1), (text.index(second), text.index(second) + 9)]
        for code, (start, end) in zip(["Vertrouwensband", "Relatie", "=Formule", "Relatie"], spans, strict=True):
            study.add_coding(doc_id, code, start, end)
        study.add_coding(doc_id, "Relatie", 13, 40, coder="anna", memo="-let op")
        study.add_coding(doc_id, "=Formule", 2, 30, memo="regel een\nregel twee")
    study.close()
    # What an older study or another tool may hold: formula starts, escapes, carriage returns.
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE codings SET memo = ? WHERE id = 1", ("\tinspringen\r\nen \x1b[31mrood\x1b[0m",))
        conn.execute("UPDATE codings SET memo = ? WHERE id = 2", ('=HYPERLINK("x")\rna CR',))
        conn.execute("UPDATE documents SET participant = ? WHERE id = ?", ("+31 6 1234", ids[2]))
    return Study.open(path, coder="tester")


def oracle_rows(path: Path, study_name: str) -> list[list[object]]:
    """Every coding as the export's row, computed the slow and obvious way."""
    conn = sqlite3.connect(path)
    codes = {i: (parent, name) for i, parent, name in conn.execute("SELECT id, parent_id, name FROM codes")}

    def code_path(code_id: int) -> str:
        parent, name = codes[code_id]
        return name if parent is None else code_path(parent) + "/" + name

    rows = []
    for cid, doc_id, code_id, coder_id, start, end, memo in conn.execute(
        'SELECT id, document_id, code_id, coder_id, start, "end", memo FROM codings'
    ):
        title, text, role, participant, project_id, case_id, wave = conn.execute(
            "SELECT title, text, role, participant, project_id, case_id, wave FROM documents WHERE id = ?", (doc_id,)
        ).fetchone()
        project = organisation = case = None
        if project_id is not None:
            project, org_id = conn.execute(
                "SELECT name, organisation_id FROM projects WHERE id = ?", (project_id,)
            ).fetchone()
            project = project or None
            if org_id is not None:
                (organisation,) = conn.execute("SELECT name FROM organisations WHERE id = ?", (org_id,)).fetchone()
        if case_id is not None:
            (case,) = conn.execute("SELECT name FROM cases WHERE id = ?", (case_id,)).fetchone()
        speaker = None
        for turn_start, turn_speaker in conn.execute(
            "SELECT start, speaker FROM turns WHERE document_id = ? ORDER BY start", (doc_id,)
        ):
            if turn_start <= start:
                speaker = turn_speaker
        (coder,) = conn.execute("SELECT name FROM coders WHERE id = ?", (coder_id,)).fetchone()
        values = {
            "study": study_name,
            "organisation": organisation,
            "project": project,
            "document": title,
            "role": role,
            "participant": participant,
            "speaker": speaker,
            "code": code_path(code_id),
            "coder": coder,
            "start": start,
            "end": end,
            "text": text[start:end],
            "memo": memo,
            "case": case,
            "wave": wave,
        }
        key = (organisation or "", project or "", title, start, end, cid)
        rows.append((key, [values[c] for c in FRAGMENT_COLUMNS]))
    conn.close()
    return [row for _, row in sorted(rows, key=lambda r: r[0])]


def oracle_csv(rows: list[list[object]]) -> bytes:
    """UTF-8 with a byte order mark, formula starts behind an apostrophe, control characters
    and escapes gone, RFC 4180 quoting, CRLF line ends."""

    def cell(value: object) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            return str(value)
        if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
            value = "'" + value
        value = clean_field(value, multiline=True)
        if any(c in value for c in ',"\r\n'):
            value = '"' + value.replace('"', '""') + '"'
        return value

    lines = [",".join(cell(v) for v in row) + "\r\n" for row in [list(FRAGMENT_COLUMNS), *rows]]
    return b"\xef\xbb\xbf" + "".join(lines).encode("utf-8")


@pytest.fixture
def hostile(tmp_path: Path):
    study = build(tmp_path / "vijandig.qualcode")
    yield study
    study.close()


def test_fragments_csv_is_byte_identical_to_the_recomputation(hostile: Study, tmp_path: Path) -> None:
    expected = oracle_csv(oracle_rows(hostile.store.path, hostile.name))
    assert expected.count(b"\r\n") == 1 + 30  # header and 30 codings: a memo's own CRLF became LF
    target = tmp_path / "fragmenten.csv"
    assert write_fragments(hostile, target) == 30
    assert target.read_bytes() == expected
    # the same through the writer the retrieval screen and the benchmark call
    again = tmp_path / "opnieuw.csv"
    assert write_fragments_csv(hostile.fragments(), again, hostile.name) == 30
    assert again.read_bytes() == expected


def test_fragments_csv_guards_every_formula_start(hostile: Study, tmp_path: Path) -> None:
    target = tmp_path / "fragmenten.csv"
    write_fragments(hostile, target)
    text = target.read_text(encoding="utf-8-sig")
    for guarded in ("'=kop", "'=Formule", "'=Eerlijk", "'-let op", "'+31 6 1234", "'\tinspringen\nen rood"):
        assert guarded in text
    assert "\x1b" not in text and "\r" not in text.replace("\r\n", "")  # only rows end in CR


def test_a_filtered_export_is_the_recomputation_s_rows_in_scope(hostile: Study, tmp_path: Path) -> None:
    rows = oracle_rows(hostile.store.path, hostile.name)
    wanted = [r for r in rows if r[1] == "A-org" and r[8] == "anna"]
    target = tmp_path / "a.csv"
    assert write_fragments(hostile, target, Scope(organisation="A-org", coders=("anna",))) == len(wanted) == 3
    assert target.read_bytes() == oracle_csv(wanted)


def test_fragments_without_every_field_leave_the_missing_cells_empty(tmp_path: Path) -> None:
    """The retrieval screen writes its passages, which have no case or wave."""
    target = tmp_path / "f.csv"
    assert write_fragments_csv([{"document": "=d", "start": 3, "text": "a,b"}, {}], target, "s") == 2
    assert target.read_bytes().decode("utf-8-sig").split("\r\n")[1:] == [
        's,,,\'=d,,,,,,3,,"a,b",,,',
        "s,,,,,,,,,,,,,,",
        "",
    ]


# -- every CSV: the fast writer against the csv module ---------------------------------------


def reference_csv(columns: list[str], rows: list[list[Any]], *, excel_nl: bool) -> bytes:
    """What the writer wrote before it was tuned: the csv module over neutralised cells."""

    def nl(cell: Any) -> Any:
        return float.__repr__(cell).replace(".", ",") if excel_nl and isinstance(cell, float) else cell

    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";" if excel_nl else ",", lineterminator="\r\n")
    writer.writerow([neutralise(c) for c in columns])
    for row in rows:
        writer.writerow([nl("" if c is None else neutralise(c)) for c in row])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


CELLS = st.one_of(
    st.text(alphabet=st.sampled_from("ab =+-@\t\r\n,;\"'\x1b[]0m\x07\x9béĳ"), max_size=12),
    st.text(max_size=8),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.sampled_from([np.float64(0.25), np.int64(7), ["a, b"]]),
)


@settings(max_examples=150, deadline=None)
@given(
    width=st.integers(1, 4),
    cells=st.lists(CELLS, max_size=40),
    excel_nl=st.booleans(),
)
def test_any_table_is_written_as_the_csv_module_writes_it(
    tmp_path_factory: pytest.TempPathFactory, width: int, cells: list[Any], excel_nl: bool
) -> None:
    rows = [cells[i : i + width] for i in range(0, len(cells), width)]
    columns = ["=kolom", "b", "c;d", "e"][:width]
    expected = reference_csv(columns, rows, excel_nl=excel_nl)
    target = tmp_path_factory.mktemp("csv") / "t.csv"
    assert write_csv(target, columns, rows, excel_nl=excel_nl) == len(rows)
    assert target.read_bytes() == expected
    stream = io.BytesIO()
    assert write_csv_stream(stream, columns, rows, excel_nl=excel_nl) == len(rows)
    assert stream.getvalue() == expected


def test_the_same_value_as_text_and_as_number_keeps_its_own_form(tmp_path: Path) -> None:
    """1, 1.0 and True are one key to a dictionary; the writer must still tell them apart."""
    rows = [["1", 1], [1.0, True], ["1.0", "True"], [np.float64(0.5), None], ["", None]]
    target = tmp_path / "t.csv"
    write_csv(target, ["a", "b"], rows, excel_nl=True)
    assert target.read_bytes().decode("utf-8-sig").split("\r\n") == [
        "a;b",
        "1;1",
        "1,0;True",
        "1.0;True",
        "0,5;",
        ";",
        "",
    ]
    write_csv(target, ["a"], [[""], [None], ["x"]], excel_nl=False)
    assert target.read_bytes() == reference_csv(["a"], [[""], [None], ["x"]], excel_nl=False)
