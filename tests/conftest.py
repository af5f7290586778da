"""Shared fixtures: an isolated user config, a small study, and the sample study.

Feature-specific fixtures live in their own test files.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qualcode.study.study import Study

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CODEBOOKS = ROOT / "codebooks"
SAMPLES = ROOT / "sample_transcripts"

PARENT_TEXT = """Interviewer: Hoe kwam u bij de gezinscoach terecht?
Moeder (Samira): Via de school. Ik schaamde me eerst heel erg. Maar de coach kwam gewoon bij ons thuis.
Interviewer: Wat deed dat met u?
Moeder (Samira): Ik voelde me gezien en gehoord. Ze oordeelde niet. Ik sta er niet meer alleen voor.
"""

COACH_TEXT = """I: Hoeveel gezinnen begeleid je?
R: Ik heb er nu twaalf. Dat is behapbaar, dan kun je echt intensief werken.
I: En de regels?
R: Soms wijken we af van de regels. Die ruimte krijgen we van de gemeente.
"""

CHILD_TEXT = """[Interviewer] Wat vond je van de coach?
[Kind] Leuk. Ze hielp mij met huiswerk. Nu mag ik ook op voetbal.
"""


@pytest.fixture(autouse=True)
def isolated_user(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets its own config and data folders and a fixed coder."""
    base = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("QUALCODE_CONFIG_DIR", str(base / "config"))
    monkeypatch.setenv("QUALCODE_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("QUALCODE_CODER", "tester")


@pytest.fixture
def study_path(tmp_path: Path) -> Path:
    """A small study on disk: both codebooks and three short transcripts
    (a parent in Coevorden, a coach in Coevorden, a child in Leergeld)."""
    path = tmp_path / "small.qualcode"
    with Study.create(path, "klein") as study:
        for book in sorted(CODEBOOKS.glob("*.yaml")):
            study.import_codebook(book)
        study.add_document(
            PARENT_TEXT,
            title="Ouder Coevorden",
            source_name="ouder.txt",
            metadata={
                "organisation": "Maatschappelijk Welzijn Coevorden",
                "project": "Pilot Gezinscoaches",
                "role": "ouder",
                "participant": "P1",
                "wave": "1",
            },
        )
        study.add_document(
            COACH_TEXT,
            title="Coach Coevorden",
            source_name="coach.txt",
            metadata={
                "organisation": "Maatschappelijk Welzijn Coevorden",
                "project": "Pilot Gezinscoaches",
                "role": "gezinscoach",
                "participant": "C1",
                "wave": "1",
            },
        )
        study.add_document(
            CHILD_TEXT,
            title="Kind Leergeld",
            source_name="kind.txt",
            metadata={
                "organisation": "Leergeld",
                "project": "Huisbezoek door intermediairs",
                "role": "kind",
                "participant": "K1",
                "wave": "2",
            },
        )
    return path


@pytest.fixture
def study(study_path: Path):
    with Study.open(study_path, coder="tester") as opened:
        yield opened


@pytest.fixture(scope="session")
def sample_study_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo study, built once per test session (read-only: copy it to change it)."""
    from qualcode.study.sample import build_demo

    path = tmp_path_factory.mktemp("sample") / "sample.qualcode"
    build_demo(path, cache=False)  # session fixtures come before isolated_user: keep out of the real data folder
    return path


@pytest.fixture
def sample_study_path(sample_study_built: Path, tmp_path: Path) -> Path:
    """A private copy of the demo study that a test may change."""
    target = tmp_path / "sample.qualcode"
    shutil.copy(sample_study_built, target)
    return target


@pytest.fixture
def sample_study(sample_study_path: Path):
    with Study.open(sample_study_path, coder="tester") as opened:
        yield opened


def requires_shared(*parts: str) -> Path:
    """A path under ../shared, or skip the test where ../shared is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return path
