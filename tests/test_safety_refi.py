"""A round trip study → .qdpx → study keeps what a researcher relies on (issue 13): document,
memo and code dates, how each coding was made, source file names with their extension, and a
memo's leading and trailing whitespace."""

from __future__ import annotations

from pathlib import Path

from qualcode.exchange import export_qdpx, import_qdpx_new
from qualcode.study.study import Study

TEXT = "Interviewer: Hoe gaat het?\nMoeder: Goed. Ik voel me gezien en gehoord.\n"


def test_round_trip_keeps_dates_origin_source_names_and_memo_whitespace(tmp_path: Path) -> None:
    with Study.create(tmp_path / "bron.qualcode", "bron") as study:
        study.add_code("Vertrouwen")
        study.add_code("Gezien worden", parent="Vertrouwen")
        doc = study.add_document(TEXT, title="Ouder Coevorden", source_name="ouder-01.docx")
        coding = study.add_coding(doc, "Vertrouwen", 27, 40, memo="  ruimte laten \n", origin="suggested")
        study.add_coding(doc, "Vertrouwen", 0, 12)
        study.set_memo("document", doc, "\tmemo met inspringing\n")
        with study.store.action("vaste data", record=False):
            study.store.conn.execute("UPDATE documents SET imported_at = '2024-03-12T10:00:00+00:00'")
            study.store.conn.execute("UPDATE memos SET updated_at = '2024-04-01T09:30:00+00:00'")
            study.store.conn.execute("UPDATE codes SET created_at = '2024-02-0' || id || 'T08:15:00+00:00'")
            study.store.conn.execute(
                "UPDATE codings SET created_at = '2024-05-02T08:00:00+00:00' WHERE id = ?", (coding.id,)
            )
        export_qdpx(study, tmp_path / "uit.qdpx")
    import_qdpx_new(tmp_path / "terug.qualcode", tmp_path / "uit.qdpx")
    with Study.open(tmp_path / "terug.qualcode") as back:
        row = back.store.row("SELECT source_name, imported_at FROM documents")
        assert (row["source_name"], row["imported_at"]) == ("ouder-01.docx", "2024-03-12T10:00:00+00:00")
        codings = {
            (r["start"], r["end"]): (r["origin"], r["memo"], r["created_at"])
            for r in back.store.rows('SELECT start, "end", origin, memo, created_at FROM codings')
        }
        assert codings[(27, 40)] == ("suggested", "  ruimte laten \n", "2024-05-02T08:00:00+00:00")
        assert codings[(0, 12)][0] == "manual"
        memo = back.store.row("SELECT text, updated_at FROM memos WHERE target = 'document'")
        assert (memo["text"], memo["updated_at"]) == ("\tmemo met inspringing\n", "2024-04-01T09:30:00+00:00")
        assert {c.path: c.created_at for c in back.codes()} == {
            "Vertrouwen": "2024-02-01T08:15:00+00:00",
            "Vertrouwen/Gezien worden": "2024-02-02T08:15:00+00:00",
        }
        # the date is carried in the code's Description, not shown as part of its description
        assert all(not c.description for c in back.codes())


def test_a_foreign_created_line_that_is_no_date_is_kept_as_text_not_taken_as_a_date() -> None:
    from qualcode.exchange.codes import parse_description

    fields = parse_description("Ouders voelen zich gezien.\n\nCreated: last spring")
    assert fields["created"] == ""
    assert fields["description"] == "Ouders voelen zich gezien."
