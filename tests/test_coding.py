"""Coding passages: by offsets, sentences and turns; overlaps, duplicates, removing,
adjusting, recoding; memos; who the coder is; errors that write nothing; fragments."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from qualcode.cli import main
from qualcode.core.errors import QualcodeError
from qualcode.study.study import Study


def dump(study: Study) -> dict[str, list[tuple]]:
    """Every row of every table: to show that a refused action wrote nothing."""
    tables = [r[0] for r in study.store.rows("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return {t: [tuple(r) for r in study.store.rows(f'SELECT * FROM "{t}"')] for t in tables}


def doc_id(study: Study, title: str) -> int:
    return study.document(title).id


def test_add_coding_by_offsets(study: Study) -> None:
    doc = study.document("Ouder Coevorden")
    start = doc.text.index("Ik voelde me gezien en gehoord.")
    end = start + len("Ik voelde me gezien en gehoord.")
    coding = study.add_coding(doc.id, "Gezien en gehoord worden", start, end, memo="kernzin")
    assert (coding.start, coding.end, coding.coder, coding.memo) == (start, end, "tester", "kernzin")
    stored = study.document_codings(doc.id)
    assert [(c.id, c.code_id, c.start, c.end) for c in stored] == [
        (coding.id, study.code("Ervaren waarden/Gezien en gehoord worden").id, start, end)
    ]
    [fragment] = study.fragments()
    assert fragment["text"] == "Ik voelde me gezien en gehoord."
    assert fragment["speaker"] == "Moeder (Samira)"
    assert fragment["code"] == "Ervaren waarden/Gezien en gehoord worden"


def test_add_coding_by_sentences_spans_first_to_last(study: Study) -> None:
    doc = study.document("Ouder Coevorden")
    sentences = study.sentences(doc.id)
    texts = [doc.text[s.start : s.end] for s in sentences]
    first = texts.index("Ik schaamde me eerst heel erg.")
    last = texts.index("Maar de coach kwam gewoon bij ons thuis.")
    ids = [sentences[last].id, sentences[first].id]  # order given does not matter
    coding = study.add_coding_sentences(doc.id, "Schaamte en drempels", ids)
    assert (coding.start, coding.end) == (sentences[first].start, sentences[last].end)
    assert doc.text[coding.start : coding.end] == (
        "Ik schaamde me eerst heel erg. Maar de coach kwam gewoon bij ons thuis."
    )


def test_sentence_of_another_document_is_refused(study: Study) -> None:
    other = study.sentences(doc_id(study, "Coach Coevorden"))[0].id
    before = dump(study)
    with pytest.raises(QualcodeError, match=rf"sentence\(s\) {other} are not in document"):
        study.add_coding_sentences(doc_id(study, "Ouder Coevorden"), "Vertrouwen", [other])
    assert dump(study) == before


def test_add_coding_by_turn_is_the_body_without_the_label(study: Study) -> None:
    doc = study.document("Ouder Coevorden")
    turn = next(t for t in study.turns(doc.id) if "gezien en gehoord" in doc.text[t.start : t.end])
    coding = study.add_coding_turn(turn.id, "Gezien en gehoord worden")
    assert doc.text[coding.start : coding.end] == (
        "Ik voelde me gezien en gehoord. Ze oordeelde niet. Ik sta er niet meer alleen voor."
    )
    assert doc.text[turn.start : coding.start] == "Moeder (Samira): "


def test_unknown_turn_is_refused(study: Study) -> None:
    with pytest.raises(QualcodeError, match="no turn with id 9999"):
        study.add_coding_turn(9999, "Vertrouwen")


def test_overlapping_codings_allowed_but_not_the_same_one_twice(study: Study) -> None:
    d = doc_id(study, "Ouder Coevorden")
    study.add_coding(d, "Vertrouwen", 10, 60)
    study.add_coding(d, "Vertrouwensband", 10, 60)  # another code on the same passage
    study.add_coding(d, "Vertrouwen", 30, 90)  # overlapping passage, same code
    study.add_coding(d, "Vertrouwen", 10, 60, coder="tweede-coder")  # another coder
    before = dump(study)
    with pytest.raises(QualcodeError, match="already has code “Ervaren waarden/Vertrouwen” by this coder"):
        study.add_coding(d, "Vertrouwen", 10, 60)
    assert dump(study) == before
    assert len(study.document_codings(d)) == 4
    assert {c.coder for c in study.document_codings(d)} == {"tester", "tweede-coder"}
    assert [c.start for c in study.codings_at(d, 35)] == [10, 10, 10, 30]


def test_remove_coding(study: Study) -> None:
    d = doc_id(study, "Ouder Coevorden")
    keep = study.add_coding(d, "Vertrouwen", 0, 20)
    gone = study.add_coding(d, "Vangnet en veiligheid", 5, 25, memo="weg ermee")
    removed = study.remove_coding(gone.id)
    assert removed.id == gone.id
    assert [c.id for c in study.document_codings(d)] == [keep.id]
    assert [m.target_id for m in study.memos("coding")] == []
    with pytest.raises(QualcodeError, match=f"no coding with id {gone.id}"):
        study.remove_coding(gone.id)


def test_adjust_boundaries(study: Study) -> None:
    d = doc_id(study, "Ouder Coevorden")
    coding = study.add_coding(d, "Vertrouwen", 10, 20)
    adjusted = study.adjust_coding(coding.id, 5, 40)
    assert (adjusted.start, adjusted.end, adjusted.code_id) == (5, 40, coding.code_id)
    before = dump(study)
    with pytest.raises(QualcodeError, match="empty or reversed"):
        study.adjust_coding(coding.id, 40, 5)
    with pytest.raises(QualcodeError, match="runs past the end"):
        study.adjust_coding(coding.id, 5, 10_000)
    assert dump(study) == before


def test_recode(study: Study) -> None:
    d = doc_id(study, "Ouder Coevorden")
    coding = study.add_coding(d, "Vertrouwen", 10, 20)
    recoded = study.recode(coding.id, "Relatie/Vertrouwensband")
    assert recoded.code_id == study.code("Relatie/Vertrouwensband").id
    assert (recoded.start, recoded.end) == (10, 20)
    before = dump(study)
    with pytest.raises(QualcodeError, match="no code “Onbekend”"):
        study.recode(coding.id, "Onbekend")
    with pytest.raises(QualcodeError, match="no coding with id 9999"):
        study.recode(9999, "Vertrouwen")
    assert dump(study) == before


# -- memos ---------------------------------------------------------------------------------


def _memo_texts(study: Study, target: str) -> list[tuple[int, str, str]]:
    return [(m.target_id, m.text, m.coder) for m in study.memos(target)]


def test_memos_on_study_document_code_and_coding(study: Study) -> None:
    d = doc_id(study, "Kind Leergeld")
    code = study.code("Vertrouwensband")
    coding = study.add_coding(d, code.id, 0, 10)

    study.set_memo("study", None, "Eerste indruk: veel schaamte.")
    study.set_memo("document", d, "Kind praat vrij.")
    study.set_memo("code", "Vertrouwensband", "Vaak bij tweede bezoek.")
    study.set_memo("coding", coding.id, "Twijfel.")
    assert _memo_texts(study, "study") == [(0, "Eerste indruk: veel schaamte.", "tester")]
    assert _memo_texts(study, "document") == [(d, "Kind praat vrij.", "tester")]
    assert _memo_texts(study, "code") == [(code.id, "Vaak bij tweede bezoek.", "tester")]
    assert _memo_texts(study, "coding") == [(coding.id, "Twijfel.", "tester")]

    study.set_memo("document", d, "Kind praat vrij, moeder luistert mee.")
    study.set_memo("coding", coding.id, "Toch wel.")
    assert _memo_texts(study, "document") == [(d, "Kind praat vrij, moeder luistert mee.", "tester")]
    assert study.coding(coding.id).memo == "Toch wel."

    for target, ref in (("study", None), ("document", d), ("code", code.id), ("coding", coding.id)):
        assert study.set_memo(target, ref, "") is None
    assert study.memos() == []
    assert study.store.scalar("SELECT count(*) FROM memos") == 0


def test_memos_are_per_coder(study_path: Path) -> None:
    with Study.open(study_path, coder="anna") as anna:
        anna.set_memo("study", None, "van Anna")
    with Study.open(study_path, coder="bram") as bram:
        bram.set_memo("study", None, "van Bram")
        assert sorted((m.coder, m.text) for m in bram.memos("study")) == [("anna", "van Anna"), ("bram", "van Bram")]


def test_memo_on_unknown_targets_is_refused(study: Study) -> None:
    before = dump(study)
    with pytest.raises(QualcodeError, match="no document with id 999"):
        study.set_memo("document", 999, "x")
    with pytest.raises(QualcodeError, match="no code “Geen code”"):
        study.set_memo("code", "Geen code", "x")
    with pytest.raises(QualcodeError, match="no coding with id 999"):
        study.set_memo("coding", 999, "x")
    with pytest.raises(QualcodeError, match="a memo goes on one of"):
        study.set_memo("turn", 1, "x")
    assert dump(study) == before


# -- who is coding -------------------------------------------------------------------------


def test_coder_from_option_environment_and_config(study_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    monkeypatch.delenv("QUALCODE_CODER")
    assert runner.invoke(main, ["coder", "Anna de Vries"]).stdout == "Anna de Vries\n"
    assert runner.invoke(main, ["coder"]).stdout == "Anna de Vries\n"

    def code_as(*extra: str) -> str:
        span = ["--span", f"{len(study_path.name)}:{len(study_path.name) + 5 + len(extra)}"]
        result = runner.invoke(main, ["code", "Kind Leergeld", "Vertrouwen", *span, "--study", str(study_path), *extra])
        assert result.exit_code == 0, result.output
        with Study.open(study_path) as s:
            return max(s.document_codings(s.document("Kind Leergeld").id), key=lambda c: c.id).coder

    assert code_as() == "Anna de Vries"
    monkeypatch.setenv("QUALCODE_CODER", "Bram")
    assert code_as("--memo", "x") == "Bram"
    assert code_as("--coder", "Chris", "--memo", "y") == "Chris"
    with Study.open(study_path) as s:
        assert {r["name"] for r in s.coders() if r["codings"]} == {"Anna de Vries", "Bram", "Chris"}


def test_opening_a_study_to_read_adds_no_coder(study_path: Path) -> None:
    with Study.open(study_path, coder="alleen-lezen") as s:
        s.codes()
        s.documents()
        assert "alleen-lezen" not in {r["name"] for r in s.coders()}


# -- errors write nothing ------------------------------------------------------------------


def test_bad_codings_are_refused_and_write_nothing(study: Study) -> None:
    d = doc_id(study, "Kind Leergeld")
    length = len(study.document_text(d))
    study.add_code("Huisbezoek", "Aanpak")  # now two codes are called Huisbezoek
    before = dump(study)
    cases = [
        ((d, "Vertrouwen", length - 5, length + 1), f"runs past the end of document {d} ({length} characters)"),
        ((d, "Vertrouwen", 20, 10), "passage 20–10 is empty or reversed"),
        ((d, "Vertrouwen", 10, 10), "passage 10–10 is empty or reversed"),
        ((d, "Vertrouwen", -1, 10), "passage -1–10 is empty or reversed"),
        ((d, "Bestaat niet", 0, 10), "no code “Bestaat niet” in this study"),
        ((d, "Huisbezoek", 0, 10), "“Huisbezoek” names several codes (Relatie/Huisbezoek; Aanpak/Huisbezoek)"),
        ((9999, "Vertrouwen", 0, 10), "no document with id 9999"),
    ]
    for args, message in cases:
        with pytest.raises(QualcodeError) as exc:
            study.add_coding(*args)
        assert message in str(exc.value)
        assert "\n" not in str(exc.value)
    with pytest.raises(QualcodeError, match="no document “Onbekend”"):
        study.document("Onbekend")
    assert dump(study) == before
    # the full path still resolves
    assert study.add_coding(d, "Aanpak/Huisbezoek", 0, 10).code_id == study.code("Aanpak/Huisbezoek").id


# -- fragments -----------------------------------------------------------------------------


@pytest.fixture
def coded(study: Study) -> Study:
    parent, coach, child = (doc_id(study, t) for t in ("Ouder Coevorden", "Coach Coevorden", "Kind Leergeld"))
    study.add_coding(parent, "Ervaren waarden/Vertrouwen", 0, 30)
    study.add_coding(parent, "Ervaren waarden/Gezien en gehoord worden", 40, 80, coder="anna")
    study.add_coding(coach, "Randvoorwaarden/Behapbare caseload", 0, 50)
    study.add_coding(child, "Ervaren waarden", 0, 20, coder="anna")
    study.add_coding(child, "Relatie/Vertrouwensband", 10, 30)
    return study


def _frag(rows: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return [(r["document"], r["code"], r["coder"]) for r in rows]


def test_fragments_filter_by_role_organisation_attribute_and_coder(coded: Study) -> None:
    assert _frag(coded.fragments(role="kind")) == [
        ("Kind Leergeld", "Ervaren waarden", "anna"),
        ("Kind Leergeld", "Relatie/Vertrouwensband", "tester"),
    ]
    assert {r["document"] for r in coded.fragments(organisation="Maatschappelijk Welzijn Coevorden")} == {
        "Ouder Coevorden",
        "Coach Coevorden",
    }
    assert _frag(coded.fragments(attributes={"wave": "2"})) == _frag(coded.fragments(role="kind"))
    assert _frag(coded.fragments(coder="anna")) == [  # ordered by organisation
        ("Kind Leergeld", "Ervaren waarden", "anna"),
        ("Ouder Coevorden", "Ervaren waarden/Gezien en gehoord worden", "anna"),
    ]
    assert _frag(coded.fragments(role="gezinscoach", coder="anna")) == []
    assert coded.fragments(organisation="Leergeld", attributes={"wave": "1"}) == []


def test_fragments_of_a_parent_include_its_sub_codes(coded: Study) -> None:
    assert sorted(r["code"] for r in coded.fragments(codes=["Ervaren waarden"])) == [
        "Ervaren waarden",
        "Ervaren waarden/Gezien en gehoord worden",
        "Ervaren waarden/Vertrouwen",
    ]
    assert [r["code"] for r in coded.fragments(codes=["Ervaren waarden"], include_children=False)] == [
        "Ervaren waarden"
    ]
    rows = coded.fragments(codes=["Vertrouwensband"])
    assert [(r["text"], r["organisation"], r["speaker"]) for r in rows] == [
        (coded.document_text(doc_id(coded, "Kind Leergeld"))[10:30], "Leergeld", "Interviewer")
    ]


def test_memo_on_a_coding_needs_a_numeric_id(study: Study) -> None:
    before = dump(study)
    with pytest.raises(QualcodeError, match="a coding is named by its id \\(a number\\), not “abc”"):
        study.set_memo("coding", "abc", "tekst")
    assert dump(study) == before
    result = CliRunner().invoke(main, ["memo", "set", "coding", "abc", "tekst", "--study", str(study.path)])
    assert (result.exit_code, result.stderr) == (1, "Error: a coding is named by its id (a number), not “abc”\n")


def test_blank_memo_deletes(study: Study) -> None:
    d = doc_id(study, "Kind Leergeld")
    coding = study.add_coding(d, "Vertrouwen", 0, 10, memo="iets")
    study.set_memo("document", d, "eerst")
    assert study.set_memo("document", d, "  \n ") is None
    assert study.set_memo("coding", coding.id, "   ") is None
    assert study.memos() == []


def test_coding_no_sentences_is_refused(study: Study) -> None:
    with pytest.raises(QualcodeError, match="give at least one sentence id"):
        study.add_coding_sentences(doc_id(study, "Kind Leergeld"), "Vertrouwen", [])


def test_recode_and_adjust_refuse_to_make_a_duplicate_coding(study: Study) -> None:
    """add_coding refuses the same code on the same passage by the same coder twice;
    recode and adjust used to make exactly that duplicate (counted twice in every table)."""
    d = study.document("Ouder Coevorden").id
    study.add_coding(d, "Ervaren waarden/Vertrouwen", 0, 30)
    other = study.add_coding(d, "Relatie/Vertrouwensband", 0, 30)
    moved = study.add_coding(d, "Ervaren waarden/Vertrouwen", 5, 30)
    with pytest.raises(QualcodeError, match="already has code"):
        study.recode(other.id, "Ervaren waarden/Vertrouwen")
    with pytest.raises(QualcodeError, match="already has code"):
        study.adjust_coding(moved.id, 0, 30)
    assert len(study.document_codings(d)) == 3
    assert study.coding(other.id).code_id == study.code("Relatie/Vertrouwensband").id


def test_add_codings_checks_every_span_before_writing(study: Study) -> None:
    doc = study.documents()[0]
    with pytest.raises(QualcodeError, match="runs past the end"):
        study.add_codings([(doc.id, 0, 5), (doc.id, 0, doc.char_count + 1)], "Vertrouwen")
    assert study.document_codings(doc.id) == []
    made = study.add_codings([(doc.id, 0, 5), (doc.id, 0, 5), (doc.id, 6, 9)], "Vertrouwen")
    assert [(c.start, c.end) for c in made] == [(0, 5), (6, 9)]
    assert study.add_codings([(doc.id, 0, 5)], "Vertrouwen") == []
    study.undo()
    assert study.document_codings(doc.id) == []
