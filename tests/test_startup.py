"""Start-up as the user meets it: `qualcode open STUDY` until the first painted transcript.

Heavy libraries (spaCy, scikit-learn, SciPy, pandas, deduce, openpyxl, lxml, PyYAML) must not
load before the first paint, nor the CLI's other command modules; what is put off (the wrap
of the transcript until it has a size) must still show the right document at the right
place. Speed itself is measured in benchmarks/tui_bench.py, not here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from qualcode.cli.group import COMMAND_MODULES
from qualcode.tui.main.screen import MainScreen
from qualcode.tui.main.transcript import GUTTER
from tui_helpers import app_for, main_screen

SRC = Path(__file__).resolve().parent.parent / "src"
HEAVY = ("spacy", "sklearn", "scipy", "pandas", "deduce", "openpyxl", "lxml", "yaml", "numpy")


def _python(code: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=SRC, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


EVERY_COMMAND = """
import importlib, json, pkgutil
import qualcode.cli
from qualcode.cli import main
for info in pkgutil.iter_modules(qualcode.cli.__path__):
    importlib.import_module(f"qualcode.cli.{info.name}")
print(json.dumps({name: command.callback.__module__ for name, command in main.commands.items()}))
"""


def test_every_command_is_listed_with_the_module_that_defines_it() -> None:
    """The lazy group finds a command only through COMMAND_MODULES: a command missing there
    would exist only after `qualcode --help` had loaded everything."""
    defined = json.loads(_python(EVERY_COMMAND))
    assert len(defined) > 40
    assert defined == {name: f"qualcode.cli.{module}" for name, module in COMMAND_MODULES.items()}


ONE_COMMAND = """
import json, sys
from qualcode.cli import main
main(sys.argv[1:], standalone_mode=False)
print(json.dumps(sorted(m for m in sys.modules if m.startswith("qualcode.cli."))))
"""


def test_a_command_loads_only_its_own_module(study_path: Path) -> None:
    loaded = json.loads(_python(ONE_COMMAND, "info", "--study", str(study_path)))
    assert "qualcode.cli.core" in loaded
    assert not {"qualcode.cli.analysis", "qualcode.cli.assist", "qualcode.cli.exchange", "qualcode.cli.cases"} & set(
        loaded
    )


def test_help_still_lists_every_command() -> None:
    from click.testing import CliRunner

    from qualcode.cli import main

    shown = CliRunner().invoke(main, ["--help"]).output
    for name in ("open", "stats", "export", "suggest", "pseudonymise", "panel", "serve", "agreement"):
        assert f"  {name} " in shown


# `qualcode open STUDY` for real (click, open_study, launch_tui, run_app), with the app run
# headless: at its first paint the pilot records what is loaded and what is shown.
OPEN_AND_PAINT = """
import json, sys
import qualcode.tui.app as tui_app

heavy = json.loads(sys.argv[2])
seen = {}

async def first_paint(pilot):
    await pilot.pause()
    main = pilot.app.screen
    seen["screen"] = type(main).__name__
    seen["document"] = main.document.title if main.document is not None else None
    seen["selection"] = list(main.transcript.selection)
    seen["first_sentence"] = list(main.transcript.cursor.sentences[0])
    seen["wrapped_width"] = main.transcript.wrapped.width
    seen["text_width"] = main.transcript.text_width
    seen["heavy"] = sorted(name for name in heavy if name in sys.modules)
    seen["commands"] = sorted(m for m in sys.modules if m.startswith("qualcode.cli."))
    pilot.app.exit()

run = tui_app.QualcodeApp.run
tui_app.QualcodeApp.run = lambda self, **kw: run(self, headless=True, size=(140, 40), auto_pilot=first_paint)
from qualcode.cli import main
main(["open", sys.argv[1], "--coder", "tester"], standalone_mode=False)
print(json.dumps(seen))
"""


def test_open_paints_the_first_document_without_heavy_modules(sample_study_path: Path) -> None:
    seen = json.loads(_python(OPEN_AND_PAINT, str(sample_study_path), json.dumps(HEAVY)))
    assert seen["screen"] == "MainScreen"
    assert seen["heavy"] == [], f"loaded before the first paint: {seen['heavy']}"
    assert seen["commands"] == ["qualcode.cli.common", "qualcode.cli.core", "qualcode.cli.group", "qualcode.cli.output"]
    assert seen["document"] is not None
    assert seen["selection"] == seen["first_sentence"]
    assert seen["wrapped_width"] == seen["text_width"] > 8  # wrapped once, at the real width


def test_the_heavy_check_can_fail(sample_study_path: Path) -> None:
    """The same run sees a heavy module when one is loaded before the paint."""
    code = OPEN_AND_PAINT.replace("import qualcode.tui.app as tui_app", "import qualcode.tui.app as tui_app, yaml")
    seen = json.loads(_python(code, str(sample_study_path), json.dumps(HEAVY)))
    assert seen["heavy"] == ["yaml"]


async def test_the_first_document_is_wrapped_once_at_the_views_width(sample_study_path: Path) -> None:
    app = app_for(sample_study_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        main = main_screen(app)
        view = main.transcript
        assert main.document is not None
        assert main.document.id == main.browser.visible_documents()[0]
        assert view.document_id == main.document.id
        assert view.wrapped.width == view.text_width == view.scrollable_content_region.width - GUTTER
        assert len(view.wrapped) > 0
        assert view.virtual_size.height == len(view.wrapped)
        first = view.cursor.sentences[0]
        assert view.selection == (first.start, first.end)
        assert view.scroll_offset.y == 0
        # what is painted is the document's text from its start
        line = "".join(segment.text for segment in view.render_line(0))
        start, end = view.wrapped.starts[0], view.wrapped.ends[0]
        assert view.text[start:end] in line


@pytest.mark.parametrize("size", [(140, 40), (80, 24)])
async def test_a_passage_selected_before_the_first_layout_is_on_screen(
    sample_study_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    """A document opened while the screen mounts (as a start that reopens where the coder
    left off does) with a passage far down: once wrapped, the view scrolls to it."""
    chosen: dict[str, tuple[int, int]] = {}
    mount = MainScreen.on_mount

    def on_mount(self: MainScreen) -> None:
        mount(self)
        assert self.document is not None
        sentences = self.transcript.cursor.sentences
        target = sentences[int(len(sentences) * 0.8)]
        chosen["passage"] = (target.start, target.end)
        self.open_document(self.document.id, select=chosen["passage"])

    monkeypatch.setattr(MainScreen, "on_mount", on_mount)
    app = app_for(sample_study_path)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.pause()
        view = main_screen(app).transcript
        assert view.selection == chosen["passage"]
        assert view.wrapped.width == view.text_width
        line = view.wrapped.line_of(chosen["passage"][0])
        top = view.scroll_offset.y
        assert top > 0
        assert top <= line < top + view.scrollable_content_region.height


async def test_the_panels_fill_in_after_the_first_frame_with_the_open_documents_counts(
    sample_study_path: Path,
) -> None:
    """The document tree and the code tree come a frame after the transcript; then they
    list every document and code, with the counts of the document that is open."""
    app = app_for(sample_study_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        await pilot.pause()
        main = main_screen(app)
        assert main.document is not None
        study = app.study
        assert sorted(main.browser.visible_documents()) == sorted(int(r["id"]) for r in study.document_rows())
        assert set(main.codebook.codes) == {c.id for c in study.codes()}
        assert main.codebook.here == study.code_counts(main.document.id)
        assert main.codebook.total == study.code_counts()
        # a code applied now is counted once, in the tree and in the browser
        code = next(c for c in study.codes() if c.parent_id is not None)
        before = main.codebook.here.get(code.id, 0)
        assert main.apply_code(code.id) is not None
        await pilot.pause()
        assert main.codebook.here[code.id] == before + 1 == study.code_counts(main.document.id)[code.id]
