"""An imported study equals the one the plain rules give (issue 17: import at the floor).

The importer takes fast paths: sentence ends found by jumping between punctuation marks,
lemma tokens split from a translated copy of the text, the word count taken from those
tokens, the lemma table searched by bisection, turn labels matched only on lines that can
hold one, the language read from a translated prefix, rows written as tuples. Here every
one of those is recomputed the plain way, one block, one sentence, one regular expression
at a time, as the rules are documented, and written into a second study with plain SQL;
the two studies must hold the same texts, turns, sentences, lemmas, word counts and
languages, and answer every search alike. The decision rules themselves (which chunk ends a
sentence, which line is a label) are shared: their own tests pin them down.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from importlib import resources
from itertools import islice
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.ingest import language as languages
from qualcode.ingest import nlp, read_source, sentences, turns
from qualcode.study.study import Study

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_transcripts"

# -- the plain rules ---------------------------------------------------------------------

CANDIDATE = re.compile(r"\S*[.!?…]\S*")  # a chunk of non-space characters with an end mark
LEMMA_TOKEN = re.compile(r"[^\W_]+")
WORD = re.compile(r"\w+")
LETTERS = re.compile(r"[^\W\d_]+")


def plain_turns(text: str) -> list[tuple[int, int, int, str, str | None, str | None]]:
    """``(start, body_start, end, speaker, role, timestamp)``: the label pattern tried at
    every line start of the text, as ``finditer`` does."""
    heads = []
    speaker, role = "", None
    for m in turns._LINE.finditer(text):
        ts, bold, bracket, bcolon, plain, ts2, alone, ts3 = m.group(
            "ts", "bold", "bracket", "bcolon", "plain", "ts2", "alone", "ts3"
        )
        label = bold or bracket or plain or alone
        if label is not None and turns._is_label(label, bracket is not None and bcolon is None):
            speaker, role = label, turns.infer_role(label)
            stamp, head_end = ts or ts2 or ts3, m.end()
        elif ts is not None:
            stamp, head_end = ts, m.end("tspart")
        else:
            continue
        heads.append((m.end("indent"), head_end, speaker, role, turns._clock(stamp) if stamp else None))
    out = []
    for i, (start, head_end, who, what, stamp) in enumerate(heads):
        following = heads[i + 1][0] if i + 1 < len(heads) else len(text)
        end = start + len(text[start:following].rstrip())
        body_start = min(re.compile(r"\s*").match(text, head_end).end(), end)  # type: ignore[union-attr]
        out.append((start, body_start, end, who, what, stamp))
    return out


def plain_regions(text: str, spans: list[tuple[int, int, int]]) -> list[tuple[int, int, int | None]]:
    """Turn bodies and the text outside turns, labels left out."""
    out: list[tuple[int, int, int | None]] = []
    cursor = 0
    for seq, (start, body_start, end) in enumerate(spans):
        if start > cursor:
            out.append((cursor, start, None))
        out.append((body_start, end, seq))
        cursor = end
    if cursor < len(text):
        out.append((cursor, len(text), None))
    return out


def plain_blocks(text: str, spans: list[tuple[int, int, int]]) -> list[tuple[int, str, int | None]]:
    """Each region cut at blank lines and at lines that open with a timestamp, as strings."""
    out = []
    for start, end, seq in plain_regions(text, spans):
        cursor = start
        for brk in [*nlp._BLOCK_BREAK.finditer(text, start, end), None]:
            stop = end if brk is None else brk.start()
            block = text[cursor:stop]
            if block.strip():
                out.append((cursor, block, seq))
            if brk is not None:
                cursor = brk.end()
    return out


def plain_split(block: str) -> list[tuple[int, int]]:
    """Sentences of one block: every chunk with an end mark, in order, asked whether it ends
    one; the rest of the block after the last end is a sentence too."""
    ends_sentence = sentences._ends_sentence.__wrapped__
    spans, cursor = [], 0
    for chunk in CANDIDATE.finditer(block):
        if ends_sentence(chunk.group()):
            start = cursor + len(block[cursor:]) - len(block[cursor:].lstrip())
            spans.append((start, chunk.end()))
            cursor = chunk.end()
    rest = block[cursor:]
    if rest.strip():
        spans.append((cursor + len(rest) - len(rest.lstrip()), cursor + len(rest.rstrip())))
    return spans


_TABLES: dict[str, dict[str, str]] = {}


def plain_table(language: str) -> dict[str, str]:
    """spacy-lookups-data's lemma table, the whole file through ``json.loads``."""
    if language not in _TABLES:
        data = resources.files("spacy_lookups_data") / "data" / f"{language}_lemma_lookup.json.gz"
        _TABLES[language] = json.loads(gzip.decompress(data.read_bytes()))
    return _TABLES[language]


def plain_sentences(text: str, language: str, spans: list[tuple[int, int, int]]) -> list[tuple[int, int, Any, str]]:
    table = plain_table(language if language in nlp.SUPPORTED_LANGUAGES else "nl")
    out = []
    for offset, block, seq in plain_blocks(text, spans):
        for start, end in plain_split(block):
            lemmas = " ".join(table.get(w, w) for w in LEMMA_TOKEN.findall(block[start:end].lower()))
            if lemmas:
                out.append((offset + start, offset + end, seq, lemmas))
    return out


def plain_words(text: str, spans: list[tuple[int, int, int]]) -> int:
    return sum(len(WORD.findall(text[start:end])) for start, end, _ in plain_regions(text, spans))


def plain_language(text: str) -> str:
    nl = en = 0
    for match in islice(LETTERS.finditer(text), 2000):
        word = match.group().lower()
        if word in languages._NL:
            nl += 1
        elif word in languages._EN:
            en += 1
    return "en" if en > nl else "nl"


# -- a study written the plain way ---------------------------------------------------------


def plain_study(path: Path, files: list[Path]) -> dict[str, int]:
    """A study holding ``files`` as the plain rules segment them, written with plain SQL;
    returns the totals an import reports."""
    study = Study.create(path, "plain")
    conn = study.store.conn
    totals = {"turns": 0, "sentences": 0, "words": 0}
    conn.execute("BEGIN")
    for file in files:
        source = read_source(file)
        text = source.text
        language = source.metadata.get("language") or plain_language(text)
        found = plain_turns(text)
        spans = [(start, body, end) for start, body, end, *_ in found]
        words = plain_words(text, spans)
        doc = conn.execute(
            "INSERT INTO documents (title, text, language, source_name, sha256, char_count, word_count, imported_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, '')",
            (
                source.title,
                text,
                language,
                source.source_name,
                hashlib.sha256(text.encode()).hexdigest(),
                len(text),
                words,
            ),
        ).lastrowid
        turn_ids = []
        for seq, (start, body, end, speaker, role, stamp) in enumerate(found):
            turn_ids.append(
                conn.execute(
                    'INSERT INTO turns (document_id, seq, speaker, role, timestamp, start, body_start, "end") '
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (doc, seq, speaker, role, stamp, start, body, end),
                ).lastrowid
            )
        found_sentences = plain_sentences(text, language, spans)
        for seq, (start, end, turn, lemmas) in enumerate(found_sentences):
            conn.execute(
                'INSERT INTO sentences (document_id, turn_id, seq, start, "end", lemmas) VALUES (?, ?, ?, ?, ?, ?)',
                (doc, None if turn is None else turn_ids[turn], seq, start, end, lemmas),
            )
        totals["turns"] += len(found)
        totals["sentences"] += len(found_sentences)
        totals["words"] += words
    conn.execute("INSERT INTO documents_fts (documents_fts) VALUES ('rebuild')")
    conn.execute("COMMIT")
    study.close()
    return totals


def content(study: Study) -> dict[str, Any]:
    """Everything segmentation decides, by source file name (ids differ between studies)."""
    conn = study.store.conn
    docs = {
        r["source_name"]: tuple(r)
        for r in conn.execute(
            "SELECT source_name, title, text, language, sha256, char_count, word_count FROM documents"
        )
    }
    turn_rows = conn.execute(
        'SELECT d.source_name, t.seq, t.speaker, t.role, t.timestamp, t.start, t.body_start, t."end" '
        "FROM turns t JOIN documents d ON d.id = t.document_id ORDER BY d.source_name, t.seq"
    ).fetchall()
    sentence_rows = conn.execute(
        'SELECT d.source_name, s.seq, s.start, s."end", t.seq, s.lemmas FROM sentences s '
        "JOIN documents d ON d.id = s.document_id LEFT JOIN turns t ON t.id = s.turn_id "
        "ORDER BY d.source_name, s.seq"
    ).fetchall()
    return {
        "documents": docs,
        "turns": [tuple(r) for r in turn_rows],
        "sentences": [tuple(r) for r in sentence_rows],
        "counts": sorted(
            (r["source_name"], r["turns"], r["sentences"], r["word_count"]) for r in study.document_rows()
        ),
    }


def searches(study: Study, queries: list[str]) -> dict[str, Any]:
    """Hits of each query (document file, offsets), and the documents the index matches."""
    names = {r["id"]: r["source_name"] for r in study.document_rows()}
    out: dict[str, Any] = {}
    for query in queries:
        out[query] = sorted((names[h.document_id], h.start, h.end) for h in study.search(query))
        out["fts " + query] = sorted(
            names[r[0]]
            for r in study.store.conn.execute(
                "SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?", (query.replace("*", "") + "*",)
            )
        )
    return out


def queries_for(files: list[Path]) -> list[str]:
    """Frequent words of the corpus, a prefix, a phrase and an alternative."""
    counts: dict[str, int] = {}
    for file in files:
        for word in LETTERS.findall(read_source(file).text.lower()):
            if len(word) > 3:
                counts[word] = counts.get(word, 0) + 1
    common = sorted(counts, key=lambda w: (-counts[w], w))[:8]
    return [*common, f"{common[0][:3]}*", f"{common[0]} {common[1]}", f"{common[2]} OR {common[3]}"]


def assert_import_equals_plain(tmp_path: Path, files: list[Path], folder: Path) -> None:
    imported = Study.create(tmp_path / "imported.qualcode", "imported")
    report = imported.import_files([folder])
    assert not report.errors and len(report.imported) == len(files)
    totals = plain_study(tmp_path / "plain.qualcode", files)
    plain = Study.open(tmp_path / "plain.qualcode")
    try:
        got, expected = content(imported), content(plain)
        assert got["documents"] == expected["documents"]
        assert got["turns"] == expected["turns"]
        assert got["sentences"] == expected["sentences"]
        assert got["counts"] == expected["counts"]
        assert (report.turns, report.sentences, report.words) == (
            totals["turns"],
            totals["sentences"],
            totals["words"],
        )
        queries = queries_for(files)
        assert searches(imported, queries) == searches(plain, queries)
        imported.store.conn.execute("INSERT INTO documents_fts (documents_fts) VALUES ('integrity-check')")
    finally:
        imported.close()
        plain.close()


# -- the tests ----------------------------------------------------------------------------

EDGE_CASES = {
    "underscores.txt": "Interviewer: Wat is snake_case?\nR: Een_woord met_streepjes. Echt_waar!\n",
    "turkish-i.txt": "I: İstanbul en İzmir. Wat vond je ervan?\nR: İk weet het niet... misschien.\n",
    "sigma.txt": "I: ΟΔΥΣΣΕΥΣ las ze voor. ΣΟΦΙΑ ook!\nR: Ja. Σ is een letter.\n",
    "preamble.txt": "Transcript van een gesprek\n\nInterviewer:\nHoe gaat het?\n\nMoeder: Goed. Bijv. met\nde kinderen, o.a. op school. Dhr. Jansen helpt.\n",
    "stamps.txt": "[00:00:01] Interviewer: Even over school\n\nwaar gaat hij heen\n[00:01:02] en sinds wanneer?\n00:02:03 Vader: Sinds juni. [lacht] Ja.\n",
    "brackets.txt": "[Ouder] Wat doe je na school?\n[Kind] Voetbal. Dat kon eerst niet, nu wel.\n[Naam] zei dat ook.\n",
    "no-turns.txt": "Gewoon tekst zonder sprekers. Met twee zinnen!\nEn een derde op een nieuwe regel\n\nen een alinea.",
    "spaces.txt": "I:\u00a0Hallo.\u2003Nog\u00a0iets? Ja\u2028nee.\nR: Nou… eh. 3.30 uur. J. de Vries.\n",
    # Two Dutch lemmas in the table end in a space ("hertogen" → "hertog "): kept as they are.
    "lemma-space.txt": "I: De hertogen kwamen. Hertogen\nR: Gemoederen! Wat gemoederen en hertogen. hertogen\n",
    "english.txt": "Interviewer: What did you think of the coach?\nParent: I think that it was really good, and they were there for us.\n",
}


def test_sample_corpus_imports_as_the_plain_rules_segment_it(tmp_path: Path) -> None:
    from qualcode.ingest import find_sources

    files = find_sources(SAMPLES)
    assert len(files) > 10
    assert_import_equals_plain(tmp_path, files, SAMPLES)


def test_generated_transcripts_and_edge_cases_import_as_the_plain_rules_segment_them(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "benchmarks" / "corpus.py")
    assert spec is not None and spec.loader is not None
    corpus = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(corpus)
    write_corpus = corpus.write_corpus

    folder = tmp_path / "corpus"
    files = write_corpus(folder, 12, 1500, seed=17)
    for name, text in EDGE_CASES.items():
        (folder / name).write_text(text, encoding="utf-8")
        files.append(folder / name)
    assert_import_equals_plain(tmp_path, sorted(files), folder)


# -- the fast paths against the plain rules on arbitrary text --------------------------------

ALPHABET = st.sampled_from(
    list("abcdeéëiïoöuüxyzABCDEÉİΣσς_0123456789 \t\n\n.,!?…:;\"'()[]-*")
    + [
        " hertogen",
        " gemoederen",
        "Interviewer: ",
        "\nR: ",
        "\n[00:01:02] ",
        "\nMoeder (Samira): ",
        " bijv. ",
        " o.a. ",
        " J. ",
        "...",
        "\u00a0",
        "\n[Ouder] ",
        "**Coach:** ",
    ]
)
TEXTS = st.lists(ALPHABET, max_size=120).map("".join)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_analyse_equals_the_plain_rules(text: str) -> None:
    spans = [(start, body, end) for start, body, end, *_ in plain_turns(text)]
    got = nlp.analyse(text, "nl", spans)
    assert [tuple(s) for s in got.sentences] == plain_sentences(text, "nl", spans)
    assert got.words == plain_words(text, spans) == nlp.spoken_word_count(text, spans)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_turns_and_language_equal_the_plain_rules(text: str) -> None:
    parsed = [(t.start, t.body_start, t.end, t.speaker, t.role, t.timestamp) for t in turns.parse_turns(text)]
    assert parsed == plain_turns(text)
    assert languages.detect_language(text) == plain_language(text)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_bisected_lemma_table_is_the_json_table(language: str) -> None:
    """Every entry of the file, looked up by bisection, gives json.loads's lemma, and a word
    the table lacks is its own lemma."""
    table = plain_table(language)
    lookup = nlp._lemma_lookup(language)
    assert type(lookup).__name__ == "_Lemmas"  # the fast reader took this file
    assert all(lookup[word] == lemma for word, lemma in table.items())
    for word in ("qualcodeloos", "a", "zzzzzz", "", "'s"):
        assert lookup[word] == table.get(word, word)


KEYS = st.sampled_from(
    ["organisation", "wave", "a b", "x-y", "_k", "Key1", "k", "a  b", "1x", "-k", "k ", " k", "ü", "a\tb"]
)
SEPARATORS = st.sampled_from([": ", ":", " : ", ":  ", ":\t", ": \t"])
VALUE_PARTS = st.sampled_from(
    list("aZ09 _.,;/\\-?:#&*!|>'\"%@`[]{}~\t\u00a0\u200béü")
    + ["null", "yes", "~", "'q'", '"q"', "''", '""', "'it''s'", '"a\\"b"', " #c", "a#b", "12:30", "- x", "...", "---"]
)
LINES = st.tuples(KEYS, SEPARATORS, st.lists(VALUE_PARTS, max_size=6).map("".join)).map(lambda t: "".join(t))
# Lines near the fast path's edge: good keys and ": ", values mostly letters with one odd part.
NEAR_LINES = st.tuples(
    st.sampled_from(["organisation", "wave", "a b", "x-y", "_k", "Key1"]),
    st.sampled_from([": ", ":", ":  "]),
    st.lists(st.sampled_from(["ab", "Cd", " ", "07", "é"]), max_size=4).map("".join),
    st.lists(VALUE_PARTS, max_size=2).map("".join),
    st.lists(st.sampled_from(["ab", " ", "x"]), max_size=3).map("".join),
).map(lambda t: "".join(t))
FRONT_MATTER = st.lists(
    st.one_of(LINES, NEAR_LINES, NEAR_LINES, st.sampled_from(["", "  ", "# note", "- item", "  nested: x"])), max_size=6
).map("\n".join)


@settings(max_examples=600, deadline=None)
@given(FRONT_MATTER)
def test_simple_front_matter_reads_as_pyyaml_does(text: str) -> None:
    """The fast reading of ``key: value`` front matter is PyYAML's ``BaseLoader`` reading,
    or declines (and PyYAML reads it)."""
    import yaml

    from qualcode.core.safe_yaml import safe_load
    from qualcode.ingest.metadata import simple_mapping

    fast = simple_mapping(text)
    if fast is None:
        return
    try:
        slow = safe_load(text, base=True)
    except yaml.YAMLError as exc:
        raise AssertionError(f"the fast path read {text!r} that PyYAML refuses ({exc})") from None
    assert fast == (slow or {})


def test_the_fast_front_matter_path_takes_the_common_case() -> None:
    from qualcode.ingest.metadata import simple_mapping

    text = 'organisation: Leergeld\nproject: Huisbezoek\nwave: "1"\nparticipant: 007\ngemeente: \'s-Hertogenbosch\n'
    assert simple_mapping(text) is None  # the quote in 's-Hertogenbosch opens a quoted value
    assert simple_mapping('organisation: Leergeld\nwave: "1"\nparticipant: 007\n') == {
        "organisation": "Leergeld",
        "wave": "1",
        "participant": "007",
    }


def test_insert_document_takes_rows_as_tuples_or_mappings(tmp_path: Path) -> None:
    """The importer passes tuples; benchmarks and older callers pass mappings: same rows."""
    from qualcode.store import documents as docsql

    text = "I: Hallo daar. Ja.\nR: Nee!"
    found = turns.parse_turns(text)
    spans = [(t.start, t.body_start, t.end) for t in found]
    sentence_rows = nlp.segment(text, "nl", spans)
    turn_rows = [(i, t.speaker, t.role, t.timestamp, t.start, t.body_start, t.end) for i, t in enumerate(found)]
    keys = ("seq", "speaker", "role", "timestamp", "start", "body_start", "end")
    as_maps = (
        [dict(zip(keys, row, strict=True)) for row in turn_rows],
        [{"seq": i, **s._asdict()} for i, s in enumerate(sentence_rows)],
    )
    stored = []
    for n, (given_turns, given_sentences) in enumerate([(turn_rows, sentence_rows), as_maps]):
        study = Study.create(tmp_path / f"s{n}.qualcode", "s")
        with study.store.action("insert", record=False):
            doc = docsql.insert_document(
                study.store,
                project_id=None,
                title="t",
                text=text,
                language="nl",
                role=None,
                participant=None,
                interview_date=None,
                source_name="t.txt",
                encoding="utf-8",
                sha256=hashlib.sha256(text.encode()).hexdigest(),
                char_count=len(text),
                word_count=3,
                attributes={},
                turns=given_turns,
                sentences=given_sentences,
            )
        stored.append(
            (
                [tuple(r) for r in docsql.turns(study.store, doc)],
                [tuple(r) for r in docsql.sentences(study.store, doc)],
            )
        )
        study.close()
    assert stored[0] == stored[1]
    assert [row[3:] for row in stored[0][1]] == [(3, 14, "hallo daar"), (15, 18, "ja"), (22, 26, "nee")]
