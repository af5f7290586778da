"""Shared fixtures: an isolated user config, a small study, and the sample study.

Feature-specific fixtures live in their own test files.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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

SMALL_DOCUMENTS = [
    (
        PARENT_TEXT,
        "Ouder Coevorden",
        "ouder.txt",
        {
            "organisation": "Maatschappelijk Welzijn Coevorden",
            "project": "Pilot Gezinscoaches",
            "role": "ouder",
            "participant": "P1",
            "wave": "1",
        },
    ),
    (
        COACH_TEXT,
        "Coach Coevorden",
        "coach.txt",
        {
            "organisation": "Maatschappelijk Welzijn Coevorden",
            "project": "Pilot Gezinscoaches",
            "role": "gezinscoach",
            "participant": "C1",
            "wave": "1",
        },
    ),
    (
        CHILD_TEXT,
        "Kind Leergeld",
        "kind.txt",
        {
            "organisation": "Leergeld",
            "project": "Huisbezoek door intermediairs",
            "role": "kind",
            "participant": "K1",
            "wave": "2",
        },
    ),
]


@pytest.fixture(autouse=True, scope="session")
def steady_cursors() -> Iterator[None]:
    """Text cursors do not blink in tests: snapshots are the same whenever they are taken, and
    no blink timer wakes a test up. Once here rather than in every test."""
    from textual.widgets import Input, TextArea

    with pytest.MonkeyPatch.context() as patch:
        for widget in (Input, TextArea):

            def init(self: Any, *args: Any, _original: Any = widget.__init__, **kwargs: Any) -> None:
                _original(self, *args, **kwargs)
                self.cursor_blink = False

            patch.setattr(widget, "__init__", init)
        yield


@pytest.fixture(autouse=True)
def isolated_user(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets its own config and data folders and a fixed coder."""
    base = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("QUALCODE_CONFIG_DIR", str(base / "config"))
    monkeypatch.setenv("QUALCODE_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("QUALCODE_CODER", "tester")


@pytest.fixture(scope="session")
def small_study_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small study of :func:`study_path`, built once per test session (per xdist worker)
    with the coder a test has (read-only: :func:`study_path` copies it)."""
    base = tmp_path_factory.mktemp("small-built")
    path = base / "small.qualcode"
    # Session fixtures come before isolated_user: a folder of its own, never the real one.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("QUALCODE_CONFIG_DIR", str(base / "config"))
        patch.setenv("QUALCODE_DATA_DIR", str(base / "data"))
        patch.setenv("QUALCODE_CODER", "tester")
        with Study.create(path, "klein") as study:
            for book in sorted(CODEBOOKS.glob("*.yaml")):
                study.import_codebook(book)
            for text, title, source_name, metadata in SMALL_DOCUMENTS:
                study.add_document(text, title=title, source_name=source_name, metadata=metadata)
    return path


@pytest.fixture
def study_path(small_study_built: Path, tmp_path: Path) -> Path:
    """A small study on disk: both codebooks and three short transcripts
    (a parent in Coevorden, a coach in Coevorden, a child in Leergeld). A private copy of the
    session's build (building takes a third of a second; copying a millisecond)."""
    path = tmp_path / "small.qualcode"
    shutil.copy(small_study_built, path)
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


@dataclass(frozen=True)
class TrainedSample:
    path: Path  # the study, with its suggestion models and ranking kept
    key: Path  # the signing key they were kept with (see qualcode.assist.persist)
    ranked: Any  # qualcode.assist.persist.Ranked: the ranking of the models just trained


@pytest.fixture(scope="session")
def sample_trained_built(sample_study_built: Path, tmp_path_factory: pytest.TempPathFactory) -> TrainedSample:
    """The demo study with its suggestion models trained and kept, and the ranking `S` shows,
    built once per test session (training takes half a minute). Read-only: tests take a copy
    through ``sample_trained_path``."""
    from threadpoolctl import threadpool_limits

    from qualcode.assist import assistant, persist

    base = tmp_path_factory.mktemp("sample-trained")
    path = base / "sample.qualcode"
    shutil.copy(sample_study_built, path)
    with pytest.MonkeyPatch.context() as patch:  # a user of its own, like every test's
        patch.setenv("QUALCODE_DATA_DIR", str(base / "data"))
        patch.setenv("QUALCODE_CONFIG_DIR", str(base / "config"))
        # one BLAS thread: threaded sums could make a score differ in its last digit
        with threadpool_limits(limits=1), Study.open(path, coder="tester") as study:
            helper = assistant(study)
            ranked, fitted = helper.update_ranking()
            assert fitted is not None and fitted > 0  # trained here, not found kept
            persist.save_ranked(study.store, ranked)
            helper.save_trained()
    return TrainedSample(path, base / "data" / persist.SECRET_NAME, ranked)


@pytest.fixture
def sample_trained_path(sample_trained_built: TrainedSample, tmp_path: Path, isolated_user: None) -> Path:
    """A private copy of the demo study with its suggestion models and ranking kept, and
    this test's user holding the key they were signed with (so `S` shows them at once)."""
    from qualcode.core import config

    target = tmp_path / "sample-trained.qualcode"
    shutil.copy(sample_trained_built.path, target)
    config.data_dir().mkdir(parents=True, exist_ok=True)
    shutil.copy(sample_trained_built.key, config.data_dir() / sample_trained_built.key.name)
    return target


def requires_shared(*parts: str) -> Path:
    """A path under ../shared, or skip the test where ../shared is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return path


@pytest.fixture
def overlapping(study: Study) -> dict[str, object]:
    """Two codes that overlap once in the parent interview, and once more only apart."""
    doc = next(d for d in study.documents() if d.role == "ouder")
    text = study.document_text(doc.id)
    a, b = study.code("Vertrouwen"), study.code("Vangnet en veiligheid")
    s1 = text.index("Ik schaamde")
    s2 = text.index("Maar de coach")
    study.add_coding(doc.id, a, s1, s2 + 10)
    study.add_coding(doc.id, b, s2, s2 + 30)
    far = text.index("Ze oordeelde")
    study.add_coding(doc.id, a, far, far + 12)
    return {"doc": doc.id, "a": a, "b": b, "overlap": (s2, s2 + 10)}
