"""`qualcode suggest …` and `qualcode topics` through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assist_helpers import DEBT, build
from qualcode.cli import main
from qualcode.study.study import Study


@pytest.fixture
def assist_study(tmp_path: Path) -> Path:
    path = tmp_path / "assist.qualcode"
    with Study.create(path, "assist", coder="tester") as study:
        build(study, coded=4, total=5)
    return path


def run(*args: str) -> object:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_list_accept_reject_decisions(assist_study: Path) -> None:
    s = ["--study", str(assist_study)]
    listed = run("suggest", "list", "--code", "Schulden", "--json", *s)
    assert listed.exit_code == 0
    rows = json.loads(listed.output)
    assert rows and all(r["code"] == "Thema/Schulden" for r in rows)
    debt = [r for r in rows if r["text"] in DEBT]
    assert len(debt) == 2 and all(r["document"] == "Gezin 4" for r in debt)
    accepted = run("suggest", "accept", debt[0]["id"], "--code", "Schulden", *s)
    assert accepted.exit_code == 0 and f"Coded {debt[0]['id']}" in accepted.output
    rejected = run("suggest", "reject", debt[1]["id"], "--code", "Schulden", *s)
    assert rejected.exit_code == 0
    again = json.loads(run("suggest", "list", "--code", "Schulden", "--json", *s).output)
    assert {debt[0]["id"], debt[1]["id"]}.isdisjoint({r["id"] for r in again})
    decisions = json.loads(run("suggest", "decisions", "--json", *s).output)
    assert [(d["id"], d["decision"], d["coder"]) for d in decisions] == [
        (debt[0]["id"], "accepted", "tester"),
        (debt[1]["id"], "rejected", "tester"),
    ]
    with Study.open(assist_study) as study:
        doc, start, end = (int(x) for x in debt[0]["id"].split(":"))
        coded = [c for c in study.document_codings(doc) if c.origin == "suggested"]
        assert [(c.start, c.end, c.coder) for c in coded] == [(start, end, "tester")]


def test_rules_only_and_limit(assist_study: Path) -> None:
    result = run("suggest", "list", "--source", "rules", "--limit", "1", "--csv", "--study", str(assist_study))
    lines = result.output.removeprefix("\ufeff").strip().splitlines()  # --csv starts with a BOM
    assert lines[0] == "id,code,score,keyword_precision,keyword_basis,source,keywords,document,text"
    assert {line.split(",")[5] for line in lines[1:]} == {"rules"}
    # each keyword hit says how its keyword did on the coded sentences (every debt and sport
    # sentence of the coded documents is coded, so their keywords have never missed)
    assert {
        (line.split(",")[3], line.split(",")[4].split("/")[0] == line.split(",")[4].split("/")[1]) for line in lines[1:]
    } == {("1.0", True)}
    assert len(lines) - 1 == 2  # one per code that has keyword hits: Schulden and Sport


def test_bad_ids_fail_with_one_line(assist_study: Path) -> None:
    result = CliRunner().invoke(
        main, ["suggest", "accept", "1:2:3", "--code", "Schulden", "--study", str(assist_study)]
    )
    assert result.exit_code == 1
    assert result.output.startswith("Error: 1:2:3 is not a sentence") and result.output.count("\n") == 1


def test_train_and_evaluate_report_every_code(assist_study: Path) -> None:
    trained = json.loads(run("suggest", "train", "--json", "--study", str(assist_study)).output)
    by_code = {r["code"]: r for r in trained}
    assert by_code["Thema/Schulden"]["model"] in ("trained", "calibrated")
    assert by_code["Vertrouwen"]["model"] == "none" and "too few" in by_code["Vertrouwen"]["note"]
    table = run("suggest", "evaluate", "--folds", "4", "--study", str(assist_study)).output
    assert "Thema/Schulden" in table and "Macro F1" in table and "Skipped Vertrouwen: too few" in table
    rows = json.loads(run("suggest", "evaluate", "--folds", "4", "--json", "--study", str(assist_study)).output)
    debt = next(r for r in rows if r["code"] == "Thema/Schulden")
    assert debt["positives"] == 8 and debt["rules_f1"] == 1.0


def test_train_keeps_its_models_for_the_next_list(assist_study: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`suggest train` keeps the models in the study, as `suggest list` and `S` do: the
    next command loads them instead of fitting every code again."""
    from qualcode.assist.assistant import Assistant
    from qualcode.assist.learn import Settings

    with Study.open(assist_study) as study:
        assert Assistant(study).load_saved(Settings()) is None
    assert run("suggest", "train", "--study", str(assist_study)).exit_code == 0
    with Study.open(assist_study) as study:
        kept = Assistant(study).load_saved(Settings())
        assert kept is not None and kept.models
    calls: list[int] = []
    real = Assistant.train

    def counting(self: Assistant, *args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Assistant, "train", counting)
    listed = run("suggest", "list", "--code", "Schulden", "--json", "--study", str(assist_study))
    assert listed.exit_code == 0 and json.loads(listed.output)
    assert calls == []  # loaded, not trained


def test_topics_and_make_code(assist_study: Path) -> None:
    s = ["--study", str(assist_study)]
    shown = run("topics", "-n", "2", "--json", *s)
    assert shown.exit_code == 0
    topics = json.loads(shown.output)
    assert [t["topic"] for t in topics] == [1, 2] and all(t["lemmas"] for t in topics)
    made = run("topics", "-n", "2", "--make-code", "1", "--name", "Nieuw thema", *s)
    assert made.exit_code == 0 and "Created code “Nieuw thema”" in made.output
    with Study.open(assist_study) as study:
        assert list(study.code("Nieuw thema").keywords) == topics[0]["lemmas"][:8]
    missing = CliRunner().invoke(main, ["topics", "--make-code", "1", *s])
    assert missing.exit_code == 1 and "--name" in missing.output


@pytest.mark.parametrize(
    "command",
    [
        ["suggest"],
        ["suggest", "train"],
        ["suggest", "list"],
        ["suggest", "accept"],
        ["suggest", "reject"],
        ["suggest", "decisions"],
        ["suggest", "evaluate"],
        ["topics"],
    ],
)
def test_every_command_has_help_with_an_example(command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0 and "Example" in result.output
