"""The command line: help for every command, the everyday flow from `init` to `history`
with exact output, machine-readable output, the remembered study, and errors that are one
line on stderr."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from conftest import CODEBOOKS, SAMPLES
from qualcode.cli import main
from qualcode.ingest import find_sources
from qualcode.study.codebook import load_codebook
from qualcode.study.study import Study


def run(*args: str, ok: bool = True) -> Result:
    result = CliRunner().invoke(main, [str(a) for a in args])
    if ok:
        assert result.exit_code == 0, (result.output, result.exception)
    return result


def lines(result: Result) -> list[str]:
    return result.stdout.removeprefix("\ufeff").splitlines()  # --csv starts with a BOM


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):  # loads the lazily registered command modules
        command = group.get_command(ctx, name)
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found.extend(_commands(command, (*prefix, name)))
    return found


COMMANDS = _commands(main)


def test_the_core_commands_are_there() -> None:
    names = {" ".join(c) for c in COMMANDS}
    expected = {
        "init",
        "info",
        "coder",
        "import",
        "documents",
        "turns",
        "sentences",
        "show",
        "remove-document",
        "codebook",
        "codebook import",
        "codebook export",
        "codebook add",
        "codebook rename",
        "codebook move",
        "codebook merge",
        "codebook delete",
        "codebook edit",
        "codes",
        "code",
        "uncode",
        "adjust",
        "recode",
        "codings",
        "memo",
        "memo set",
        "memo list",
        "search",
        "undo",
        "redo",
        "history",
        "demo",
        "open",
        "export",
    }
    assert expected <= names


@pytest.mark.parametrize("command", [()] + COMMANDS, ids=lambda c: " ".join(c) or "qualcode")
def test_every_command_has_help_with_an_example(command: tuple[str, ...]) -> None:
    result = run(*command, "--help")
    assert "Example:" in result.stdout or not command, result.stdout
    assert result.stdout.startswith(f"Usage: main {' '.join(command)}".rstrip())


# -- the everyday flow ---------------------------------------------------------------------

INTERVIEW = "Interviewer: Hoe gaat het nu?\nMoeder: Goed. De coach komt elke week bij ons thuis.\n"


def test_flow_from_init_to_history(tmp_path: Path) -> None:
    study = tmp_path / "armoede.qualcode"
    assert lines(run("init", tmp_path / "armoede", "--name", "Armoede")) == [
        f"Created {study}. Next: qualcode codebook import codebooks/*.yaml --study {study}"
    ]
    books = sorted(CODEBOOKS.glob("*.yaml"))
    sizes = [len(load_codebook(b).walk()) for b in books]
    assert lines(run("codebook", "import", *books)) == [
        f"{book}: {n} code(s) added, 0 updated ({n} in the file)" for book, n in zip(books, sizes)
    ]
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ouder.txt").write_text(INTERVIEW, encoding="utf-8")
    result = run("import", folder, "-O", "Leergeld", "-P", "Huisbezoek", "-r", "ouder", "--attr", "wave=1")
    # 13 words were said; the speaker labels "Interviewer" and "Moeder" are not counted
    assert lines(result) == ["Imported 1 document(s): 13 words, 2 turns, 3 sentences."]
    assert result.stderr == ""

    assert lines(run("documents", "--csv")) == [
        "id,organisation,project,title,role,participant,interview_date,case,wave,word_count,turns,sentences,codings",
        "1,Leergeld,Huisbezoek,ouder,ouder,,,,1,13,2,3,0",
    ]
    assert lines(run("turns", "ouder.txt", "--csv")) == [
        "number,speaker,role,timestamp,start,end,text",
        "1,Interviewer,interviewer,,0,29,Hoe gaat het nu?",
        "2,Moeder,ouder,,30,82,Goed. De coach komt elke week bij ons thuis.",
    ]
    assert lines(run("sentences", "1", "--csv")) == [
        "number,turn,start,end,text",
        "1,1,13,29,Hoe gaat het nu?",
        "2,2,38,43,Goed.",
        "3,2,44,82,De coach komt elke week bij ons thuis.",
    ]
    codes = list(csv.DictReader(io.StringIO(run("codes", "--csv").stdout.removeprefix("\ufeff"))))
    assert len(codes) == sum(sizes) and codes[1]["path"] == "Ervaren waarden/Vertrouwen" and codes[1]["shortcut"] == "1"

    assert lines(run("code", "ouder.txt", "Vertrouwen", "--turn", "2", "--memo", "kern")) == [
        "Coding 1: “Ervaren waarden/Vertrouwen” on 38–82: Goed. De coach komt elke week bij ons thuis."
    ]
    assert lines(run("code", "1", "Huisbezoek", "--sentence", "3")) == [
        "Coding 2: “Relatie/Huisbezoek” on 44–82: De coach komt elke week bij ons thuis."
    ]
    assert lines(run("code", "1", "Relatie/Vertrouwensband", "--span", "38:43")) == [
        "Coding 3: “Relatie/Vertrouwensband” on 38–43: Goed."
    ]
    assert lines(run("codings", "--code", "Relatie", "--csv")) == [
        "id,organisation,project,document,role,code,coder,start,end,text,memo",
        "3,Leergeld,Huisbezoek,ouder,ouder,Relatie/Vertrouwensband,tester,38,43,Goed.,",
        "2,Leergeld,Huisbezoek,ouder,ouder,Relatie/Huisbezoek,tester,44,82,De coach komt elke week bij ons thuis.,",
    ]
    assert lines(run("uncode", "2")) == ["Removed coding 2 (Relatie/Huisbezoek)."]
    assert lines(run("undo")) == ["Undone: remove coding 2"]
    assert lines(run("redo")) == ["Redone: remove coding 2"]
    assert lines(run("adjust", "3", "30", "43")) == ["Coding 3 now covers 30–43."]
    assert lines(run("recode", "3", "Vangnet en veiligheid")) == [
        "Coding 3 is now “Ervaren waarden/Vangnet en veiligheid”."
    ]
    assert lines(run("memo", "set", "code", "Vertrouwen", "Vaak", "genoemd")) == ["Memo saved on code Vertrouwen."]
    assert lines(run("memo", "set", "study", "Eerste", "ronde")) == ["Memo saved on study."]
    memos = json.loads(run("memo", "list", "--json").stdout)
    assert [(m["target"], m["text"], m["coder"]) for m in memos] == [
        ("code", "Vaak genoemd", "tester"),
        ("study", "Eerste ronde", "tester"),
        ("coding", "kern", "tester"),
    ]
    assert json.loads(run("search", "coach", "--json").stdout) == [
        {
            "document_id": 1,
            "document": "ouder",
            "start": 47,
            "end": 52,
            "context": "Interviewer: Hoe gaat het nu? Moeder: Goed. De [coach] komt elke week bij ons thuis.",
        }
    ]
    info = json.loads(run("info", "--json").stdout)
    assert info == [
        {
            "study": "Armoede",
            "path": str(study),
            "documents": 1,
            "words": 13,
            "codes": sum(sizes),
            "codings": 2,
            "coders": 1,
            "memos": 2,
            "organisations": 1,
            "projects": 1,
            "coder": "tester",
        }
    ]
    history = list(csv.DictReader(io.StringIO(run("history", "--csv").stdout.removeprefix("\ufeff"))))
    assert [(h["description"], h["undone"]) for h in history] == [
        ("memo on study 0", "0"),
        ("memo on code 2", "0"),
        ("recode coding 3 as “Ervaren waarden/Vangnet en veiligheid”", "0"),
        ("adjust coding 3 to 30–43", "0"),
        ("remove coding 2", "0"),
        ("code 38–43 as “Relatie/Vertrouwensband”", "0"),
        ("code 44–82 as “Relatie/Huisbezoek”", "0"),
        ("code 38–82 as “Ervaren waarden/Vertrouwen”", "0"),
        ("import codebooks “Ervaren waarden”, “Startsituatie en uitkomsten”, “Werkzame elementen”", "0"),
    ]


def test_table_output_and_empty_listing(study_path: Path, monkeypatch) -> None:
    import qualcode.cli.common

    monkeypatch.setattr(qualcode.cli.common, "_stderr_is_terminal", lambda: True)
    result = run("codings", "--study", study_path)
    assert lines(result) == [f"(none) in study klein ({study_path})"]  # says which study it read
    assert result.stderr == f"using {study_path} (now the default)\n"
    assert run("codings", "--study", study_path).stderr == ""  # said once, not every time
    table = lines(run("documents", "--study", study_path))
    assert table[0].split() == [
        "id",
        "organisation",
        "project",
        "title",
        "role",
        "participant",
        "interview_date",
        "case",
        "wave",
        "word_count",
        "turns",
        "sentences",
        "codings",
    ]
    assert len(table) == 2 + 3


@pytest.mark.parametrize(
    "command",
    [
        ["documents"],
        ["codes"],
        ["codings"],
        ["turns", "1"],
        ["sentences", "1"],
        ["search", "coach"],
        ["history"],
        ["memo", "list"],
        ["info"],
    ],
    ids=lambda c: c[0],
)
def test_csv_and_json_output_parse(study_path: Path, command: list[str]) -> None:
    with Study.open(study_path) as s:
        d = s.document("Ouder Coevorden").id
        s.add_coding(d, "Vertrouwen", 0, 20, memo='een memo, met "quotes"\nen een regel')
        s.set_memo("study", None, "x")
    as_json = json.loads(run(*command, "--json", "--study", study_path).stdout)
    as_csv = list(
        csv.DictReader(io.StringIO(run(*command, "--csv", "--study", study_path).stdout.removeprefix("\ufeff")))
    )
    assert as_json, command
    assert len(as_csv) == len(as_json)
    assert list(as_csv[0]) == list(as_json[0])
    for row_csv, row_json in zip(as_csv, as_json):
        assert row_csv == {k: "" if v is None else str(v) for k, v in row_json.items()}


def test_study_defaults_to_the_last_used(study_path: Path, tmp_path: Path) -> None:
    result = run("documents", ok=False)
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: no study given and none used before; pass --study PATH, "
        "or run `qualcode demo` or `qualcode init PATH`\n"
    )
    run("info", "--study", study_path)
    titles = {r["title"] for r in json.loads(run("documents", "--json").stdout)}
    assert titles == {"Ouder Coevorden", "Coach Coevorden", "Kind Leergeld"}
    other = tmp_path / "ander.qualcode"
    run("init", other)
    assert lines(run("documents")) == [f"(none) in study ander ({other.resolve()})"]
    other.unlink()
    result = run("documents", ok=False)
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: the study used last, {other}, is no longer there; pass --study PATH to choose one\n",
    )


ERRORS = [
    (
        ["documents", "--study", "{missing}"],
        "Error: {missing}: no such study; create one with `qualcode init {missing}`",
    ),
    (["documents", "--study", "{text}"], "Error: {text}: not a qualcode study (file is not a database)"),
    (
        ["code", "1", "Bestaat niet", "--span", "0:5"],
        "Error: no code “Bestaat niet” in this study; `qualcode codes` lists them",
    ),
    (["code", "99", "Vertrouwen", "--span", "0:5"], "Error: no document with id 99; `qualcode documents` lists them"),
    (
        ["code", "Onbekend", "Vertrouwen", "--span", "0:5"],
        "Error: no document “Onbekend”; `qualcode documents` lists them",
    ),
    (["code", "1", "Vertrouwen", "--span", "a:b"], "Error: --span takes START:END, e.g. 120:245, not “a:b”"),
    (["code", "1", "Vertrouwen"], "Error: give exactly one of --span START:END, --sentence N or --turn N"),
    (["code", "1", "Vertrouwen", "--span", "9:3"], "Error: passage 9–3 is empty or reversed; start must be below end"),
    (
        ["code", "1", "Vertrouwen", "--turn", "99"],
        "Error: turn 99 is not in “Ouder Coevorden”; `qualcode turns 1` lists them",
    ),
    (["uncode", "999"], "Error: no coding with id 999"),
    (["memo", "set", "document", "1"], "Error: give the document and the text: qualcode memo set document ID TEXT"),
    (["documents", "--where", "wave"], "Error: --where takes NAME=VALUE, not “wave”"),
    (["search", "*"], "Error: search for at least one word"),
    (["codebook", "import", "{text}"], "Error: {text}: line 2: not valid YAML (expected ',' or ']'"),
    (["import", "{missing}"], "Error: {missing}: no such file or folder"),
    (["codebook", "edit", "Vertrouwen"], "Error: say what to change, e.g. --description or --color"),
]


@pytest.mark.parametrize("args, expected", ERRORS, ids=lambda x: " ".join(x) if isinstance(x, list) else "")
def test_errors_are_one_line_on_stderr(study_path: Path, tmp_path: Path, args: list[str], expected: str) -> None:
    missing = tmp_path / "weg.qualcode"
    text = tmp_path / "notities.txt"
    text.write_text("geen studie: [niet af\n", encoding="utf-8")
    values = {"missing": str(missing), "text": str(text)}
    run("info", "--study", study_path)  # remember it
    before = study_path.read_bytes()
    result = run(*[a.format(**values) for a in args], ok=False)
    assert result.exit_code == 1
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith(expected.format(**values))
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # click's exit, not an uncaught error
    assert study_path.read_bytes() == before


def test_demo_builds_a_coded_study(tmp_path: Path) -> None:
    path = tmp_path / "demo.qualcode"
    result = run("demo", "--path", path, "--no-open")
    out = lines(result)
    codes = sum(len(load_codebook(b).walk()) for b in CODEBOOKS.glob("*.yaml"))
    documents = len(find_sources(SAMPLES))
    pattern = rf"Built {re.escape(str(path))}: {documents} documents, {codes} codes, \d+ codings\."
    assert re.fullmatch(pattern, out[0]), out[0]
    assert out[1] == (
        f"Explore it: qualcode documents --study {path}; qualcode codes; qualcode codings --code Vertrouwensband"
    )
    assert not list(tmp_path.glob("*.building*"))
    with Study.open(path) as s:
        assert len(s.documents()) == documents
        assert s.info()["codings"] > 200
        assert s.info()["study"] == "Voorbeeldstudie armoede en gezinnen"
    rows = json.loads(run("codings", "--code", "Vertrouwensband", "--json").stdout)  # the demo is remembered
    assert rows and all(r["code"].startswith("Relatie/Vertrouwensband") for r in rows)
    # a second run keeps the study (and the user's changes to it)
    assert lines(run("demo", "--path", path, "--no-open"))[0].startswith("Explore it:")
    assert SAMPLES.is_dir()


def test_listings_fit_the_terminal_unless_wide(study_path: Path, monkeypatch) -> None:
    import shutil

    from qualcode.cli import output

    monkeypatch.setattr(shutil, "get_terminal_size", lambda fallback=(120, 24): os.terminal_size((100, 24)))
    run("code", "--study", study_path, "1", "Vertrouwen", "--span", "0:200")
    piped = lines(run("codings"))
    assert max(len(line) for line in piped) > 100  # to a file or a pipe: every character
    monkeypatch.setattr(output, "on_terminal", lambda: True)
    narrow = lines(run("codings"))
    assert narrow and max(len(line) for line in narrow) <= 100
    assert any("…" in line for line in narrow)
    wide = lines(run("codings", "--wide"))
    assert max(len(line) for line in wide) > 100


def test_coder_shows_where_settings_live() -> None:
    result = run("coder")
    assert result.stdout.strip() == "tester"
    assert "config.json" in result.stderr and "QUALCODE_CODER" in result.stderr


@pytest.mark.parametrize("columns", [120, 80])
def test_documents_fit_the_terminal_leaving_out_optional_columns_first(study_path: Path, monkeypatch, columns) -> None:
    import shutil

    from qualcode.cli import output

    monkeypatch.setattr(shutil, "get_terminal_size", lambda fallback=(120, 24): os.terminal_size((columns, 24)))
    monkeypatch.setattr(output, "on_terminal", lambda: True)
    result = run("documents", "--study", study_path)
    table = lines(result)
    assert max(len(line) for line in table) <= columns
    header = table[0].split()
    assert {"id", "title", "role", "codings"} <= set(header)
    assert "interview_date" not in header  # empty in every row here: it takes no room
    left_out = result.stderr.strip().splitlines()[-1]
    assert left_out.startswith("(left out to fit the terminal: sentences, turns") and "--wide" in left_out
    assert {"sentences", "turns"}.isdisjoint(header)
    assert any("Ouder Coevorden" in line for line in table)  # a title reads whole
    wide = lines(run("documents", "--wide"))
    assert {"interview_date", "turns", "sentences", "project"} <= set(wide[0].split())


def test_codings_at_80_columns_leave_room_for_the_passage(sample_study_path: Path, monkeypatch) -> None:
    import shutil

    from qualcode.cli import output

    monkeypatch.setattr(shutil, "get_terminal_size", lambda fallback=(120, 24): os.terminal_size((80, 24)))
    monkeypatch.setattr(output, "on_terminal", lambda: True)
    result = run("codings", "--study", sample_study_path)
    table = lines(result)
    assert max(len(line) for line in table) <= 80
    header = table[0]
    assert header.split()[:1] == ["id"] and "text" in header.split()
    text_width = len(table[1]) - table[1].index(table[1].split()[0])  # sanity: rows are there
    assert text_width > 0
    start = header.index("text")
    following = header[start + len("text") :].split()
    end = header.index(following[0]) if following else len(header)
    assert end - start >= 25, header  # the passage column has room to be read
    assert "left out to fit the terminal: project, organisation" in result.stderr


def test_ids_are_never_cut_to_fit_the_terminal() -> None:
    from qualcode.cli.output import fit_width

    columns = ["id", "code", "document_id", "text"]
    cells = [["10:4312:4332", "Ervaren waarden/Vertrouwen", "12345", "Het is niet aan mij. " * 5]]
    headers, fitted = fit_width(columns, cells, 50)
    assert fitted[0][0] == "10:4312:4332" and fitted[0][2] == "12345"  # typed back into accept/reject
    assert fitted[0][1].endswith("…") and fitted[0][3].endswith("…")
    assert sum(max(len(h) + 2, len(v)) for h, v in zip(headers, fitted[0])) + 2 * 3 <= 50
