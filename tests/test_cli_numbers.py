"""Sentences and turns are numbered from 1 within their document: `--sentence 14` codes the
document's 14th sentence, the one `qualcode sentences` lists as number 14."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from qualcode.cli import main


def run(study: Path, *args: str) -> str:
    result = CliRunner().invoke(main, [*args, "--study", str(study)])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_14th_sentence_and_the_3rd_turn(sample_study_path: Path) -> None:
    doc = "leeuwarden-ouder-01"
    sentences = json.loads(run(sample_study_path, "sentences", doc, "--json"))
    assert [s["number"] for s in sentences] == list(range(1, len(sentences) + 1))
    fourteenth = sentences[13]
    coded = run(sample_study_path, "code", doc, "Vertrouwen", "--sentence", "14")
    assert f"on {fourteenth['start']}–{fourteenth['end']}:" in coded

    turns = json.loads(run(sample_study_path, "turns", doc, "--json"))
    third = turns[2]
    assert third["number"] == 3
    assert fourteenth["turn"] in {t["number"] for t in turns}
    coded = run(sample_study_path, "code", doc, "Vertrouwen", "--turn", "3")
    assert f"–{third['end']}:" in coded


def test_sentence_0_is_no_sentence(sample_study_path: Path) -> None:
    original = sample_study_path.read_bytes()
    result = CliRunner().invoke(
        main, ["code", "leeuwarden-ouder-01", "Vertrouwen", "--sentence", "0", "--study", str(sample_study_path)]
    )
    assert result.exit_code == 1 and "has no sentence 0 (it has 1–" in result.output
    assert sample_study_path.read_bytes() == original
