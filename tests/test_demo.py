"""The sample study a newcomer lands in: enough documents and organisations to compare,
both codebooks, every example coding placed on its quote, two coders, segmented texts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CODEBOOKS, SAMPLES
from qualcode.ingest import find_sources
from qualcode.study.codebook import load_codebook
from qualcode.study.study import Study

CODINGS_DIR = SAMPLES / "demo_codings"


def _entries() -> list[tuple[str, str, str, str]]:
    """(document, code, coder, quote) for every example coding in the YAML files."""
    out = []
    for path in sorted(CODINGS_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for entry in data["codings"]:
            out.append(
                (
                    data["document"],
                    entry["code"],
                    entry.get("coder", data.get("coder", "onderzoeker-a")),
                    entry["quote"],
                )
            )
    return out


def _words(text: str) -> str:
    return " ".join(text.split())


def test_enough_documents_and_organisations(sample_study: Study) -> None:
    documents = sample_study.documents()
    assert len(documents) >= 12
    organisations = {d.organisation for d in documents}
    assert None not in organisations and len(organisations) >= 4
    assert {d.role for d in documents} >= {"ouder", "kind"}
    assert len({d.role for d in documents}) >= 4


def test_the_codebooks_are_in(sample_study: Study) -> None:
    assert sample_study.codebook_names() == ["Ervaren waarden", "Startsituatie en uitkomsten", "Werkzame elementen"]
    expected = {"/".join(p) for book in CODEBOOKS.glob("*.yaml") for p, _ in load_codebook(book).walk()}
    assert {c.path for c in sample_study.codes()} == expected


def test_every_example_coding_is_placed_on_its_quote(sample_study: Study) -> None:
    entries = _entries()
    assert len(entries) >= 200
    fragments = sample_study.fragments()
    assert len(fragments) == len(entries)
    by_source = {d.id: d.source_name for d in sample_study.documents()}
    placed = sorted((by_source[f["document_id"]], f["code"], f["coder"], _words(str(f["text"]))) for f in fragments)
    assert placed == sorted((doc, code, coder, _words(quote)) for doc, code, coder, quote in entries)


def test_two_coders_with_codings(sample_study: Study) -> None:
    counts = {r["name"]: r["codings"] for r in sample_study.coders()}
    assert counts.get("onderzoeker-a", 0) > 0 and counts.get("onderzoeker-b", 0) > 0
    assert sum(counts.values()) == len(_entries())


def test_some_passages_coded_by_both_coders(sample_study: Study) -> None:
    """The sample is meant to show agreement: both coders must have coded some of the same
    documents."""
    docs = {}
    for f in sample_study.fragments():
        docs.setdefault(f["coder"], set()).add(f["document_id"])
    assert docs["onderzoeker-a"] & docs["onderzoeker-b"]


def test_every_document_has_turns_and_sentences(sample_study: Study) -> None:
    for doc in sample_study.documents():
        turns = sample_study.turns(doc.id)
        sentences = sample_study.sentences(doc.id)
        assert len(turns) >= 10, doc.title
        assert len({t.speaker for t in turns}) >= 2, doc.title
        assert len(sentences) > len(turns) // 2, doc.title
        # Outside a turn only a preamble before the first one ("Transcriptie interview").
        assert all(s.turn_id is not None or s.end <= turns[0].start for s in sentences), doc.title


RESPONDENT_COACHES = {"gezinscoach", "intermediair", "jeugdondersteuner", "gezinsondersteuner"}


def test_the_corpus_looks_like_fieldwork(sample_study: Study) -> None:
    """The sample corpus as issue 10 describes it, counted from the built study: interview
    lengths, families with parent, child and coach, families at two waves with one dropout,
    a focus group, the Divosa pilots, an IKC teacher, every file format, scores."""
    docs = sample_study.documents()
    assert len(docs) >= 24
    assert sum(4000 <= d.word_count <= 9000 for d in docs) >= 13
    by_case: dict[str, list] = {}
    for d in docs:
        if d.case:
            by_case.setdefault(d.case, []).append(d)
    full = [
        c
        for c, ds in by_case.items()
        if {"ouder", "kind"} <= {d.role for d in ds} and RESPONDENT_COACHES & {d.role for d in ds}
    ]
    assert len(full) >= 3, full
    two_waves = [c for c, ds in by_case.items() if {d.wave for d in ds} >= {"1", "2"}]
    assert len(two_waves) >= 3, two_waves
    measured = {(v["case"], v["wave"]) for v in sample_study.variables()}
    dropouts = [c for c, ds in by_case.items() if {d.wave for d in ds} == {"1"} and (c, "2") not in measured]
    assert dropouts, "a family that left after wave 1"
    assert {"Gemeente Leiden", "Gemeente Helmond"} <= {d.organisation for d in docs}
    assert any(d.role == "leerkracht" and d.organisation == "Gemeente Leeuwarden" for d in docs)
    focus = [d for d in docs if d.role == "focusgroep"]
    assert focus and len({t.speaker for t in sample_study.turns(focus[0].id)}) >= 6  # moderator + 5
    suffixes = {Path(d.source_name or "").suffix for d in docs}
    assert {".md", ".txt", ".docx", ".vtt", ".odt", ".srt"} <= suffixes
    texts = [sample_study.document_text(d.id) for d in docs]
    for feature in ("[onverstaanbaar]", "[lacht]", " eh"):
        assert sum(feature in t for t in texts) >= len(texts) // 2, feature


def test_every_sample_transcript_has_example_codings() -> None:
    transcripts = {p.name for p in find_sources(SAMPLES)}
    coded = {yaml.safe_load(p.read_text(encoding="utf-8"))["document"] for p in CODINGS_DIR.glob("*.yaml")}
    assert coded == transcripts


# -- the build cache -------------------------------------------------------------------------


def _small_sample(root: Path) -> Path:
    """A sample folder like the shipped one, small enough to build in a test."""
    (root / "codebooks").mkdir(parents=True)
    (root / "sample_transcripts" / "demo_codings").mkdir(parents=True)
    (root / "codebooks" / "b.yaml").write_text(
        "codebook: B\ncodes:\n  - name: Huisbezoek\n    inductive: true\n", encoding="utf-8"
    )
    (root / "sample_transcripts" / "a.txt").write_text(
        "Interviewer: Hoe ging het?\nMoeder: Ze kwam bij ons thuis. Dat was fijn.\n", encoding="utf-8"
    )
    (root / "sample_transcripts" / "demo_codings" / "a.yaml").write_text(
        "document: a.txt\ncodings:\n  - code: Huisbezoek\n    quote: Ze kwam bij ons thuis.\n", encoding="utf-8"
    )
    return root


def test_demo_build_is_cached_by_the_sample_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from qualcode.study import sample

    root = _small_sample(tmp_path / "sample")
    builds: list[Path] = []
    real_build = sample._build
    monkeypatch.setattr(sample, "_build", lambda path, *a: builds.append(path) or real_build(path, *a))

    first = sample.build_demo(tmp_path / "one.qualcode", root=root)
    cached = sample.cache_path(sample.sample_fingerprint(root))
    assert cached.is_file() and len(builds) == 1
    second = sample.build_demo(tmp_path / "two.qualcode", root=root)
    assert len(builds) == 1  # copied, not built
    assert first == {**second, "path": first["path"]} and second["path"] == str(tmp_path / "two.qualcode")
    with Study.open(tmp_path / "two.qualcode") as study:
        assert [f["text"] for f in study.fragments()] == ["Ze kwam bij ons thuis."]

    # any change to a sample file is a new key: built again, and the old copy goes
    (root / "sample_transcripts" / "a.txt").write_text(
        "Interviewer: Hoe ging het?\nMoeder: Ze kwam bij ons thuis. Echt fijn.\n", encoding="utf-8"
    )
    sample.build_demo(tmp_path / "three.qualcode", root=root)
    assert len(builds) == 2
    assert sorted(cached.parent.iterdir()) == [sample.cache_path(sample.sample_fingerprint(root))]
    with Study.open(tmp_path / "three.qualcode") as study:
        assert "Echt fijn" in study.document_text(study.documents()[0].id)


def test_demo_without_cache_builds_and_keeps_nothing(tmp_path: Path) -> None:
    from qualcode.study import sample

    root = _small_sample(tmp_path / "sample")
    totals = sample.build_demo(tmp_path / "s.qualcode", root=root, cache=False)
    assert totals["documents"] == 1 and totals["codings"] == 1
    assert not sample.cache_path(sample.sample_fingerprint(root)).parent.exists()


_TOKENS = st.sampled_from(["ze", "kwam", "thuis", "ja", ".", "eh", "[lacht]", " ", "  ", "\n", "\t", "\u00a0"])


@settings(max_examples=300, deadline=None)
@given(text=st.lists(_TOKENS, max_size=40).map("".join), quote=st.lists(_TOKENS, max_size=6).map("".join))
def test_quotes_are_found_where_a_whitespace_tolerant_search_finds_them(text: str, quote: str) -> None:
    """The sample's quote finder agrees with the plain regular expression it replaced."""
    from qualcode.study.sample import _find

    words = quote.split()
    match = re.search(r"\s+".join(re.escape(w) for w in words), text) if words else None
    assert _find(text, quote) == ((match.start(), match.end()) if match else None)
