"""`export table stats --by` writes the same stacked table `stats --by` prints, and --by is
refused where it means nothing instead of being ignored."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from click.testing import CliRunner

from qualcode.cli import main


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_export_table_stats_by_wave_is_the_stats_table(sample_study_path: Path, tmp_path: Path) -> None:
    study = ["--study", str(sample_study_path)]
    printed = CliRunner().invoke(main, ["stats", "--by", "wave", "--csv", *study])
    assert printed.exit_code == 0, printed.output
    out = tmp_path / "stats.csv"
    written = CliRunner().invoke(main, ["export", "table", "stats", "--by", "wave", "-o", str(out), *study])
    assert written.exit_code == 0, written.output
    table = rows_of(out.read_text(encoding="utf-8"))
    expected = [r for r in rows_of(printed.stdout) if r]
    assert table[0][0] == "wave" and table[0] == expected[0]
    assert len({r[0] for r in table[1 : len(expected)]}) >= 2  # rows of more than one wave
    assert table[: len(expected)] == expected  # the notes follow as rows of their own
    # without --by, one table for the whole scope, as before
    whole = tmp_path / "whole.csv"
    CliRunner().invoke(main, ["export", "table", "stats", "-o", str(whole), *study])
    assert rows_of(whole.read_text(encoding="utf-8"))[0][0] == "code"


def test_by_with_cooccur_is_refused(sample_study_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "c.csv"
    result = CliRunner().invoke(
        main, ["export", "table", "cooccur", "--by", "role", "-o", str(out), "--study", str(sample_study_path)]
    )
    assert result.exit_code == 1 and "--by does not apply" in result.output
    assert not out.exists()
