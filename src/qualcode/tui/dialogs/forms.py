"""Dialogs with a few labelled one-line fields: importing transcripts, a document's
attributes, merging a colleague's study file.

Each checks what was typed before it closes (the message stays on the dialog, so a typo costs
one keystroke) and dismisses with a plain dataclass that the app turns into work; the work
itself (a thread worker behind the progress dialog) is in :mod:`qualcode.tui.palette.exchange`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from qualcode.core.errors import QualcodeError
from qualcode.tui.dialogs.prompts import DIALOG_CSS

TRANSCRIPT_SUFFIXES = (".txt", ".md", ".docx", ".odt", ".vtt", ".srt")  # ingest.readers.SUPPORTED_SUFFIXES

FORM_CSS = (
    DIALOG_CSS
    + """
.qc-form { width: 84; }
.qc-form .qc-title { padding-bottom: 0; margin-bottom: 1; }
.qc-form .qc-row { height: 1; }
.qc-form .qc-row Label { width: 16; color: $text-muted; }
.qc-form .qc-row Input { width: 1fr; }
.qc-form .qc-note { color: $text-muted; height: auto; width: 1fr; margin-top: 1; }
.qc-form .qc-buttons { padding-top: 0; }
"""
)


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    value: str = ""
    placeholder: str = ""


def pairs(text: str) -> dict[str, str]:
    """``name=value; name=value`` as a dict (``;`` between pairs, as values may hold commas)."""
    out: dict[str, str] = {}
    for part in text.split(";"):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"“{part.strip()}” is not NAME=VALUE")
        out[name.strip()] = value.strip()
    return out


def show_pairs(values: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in sorted(values.items()))


def typed_path(text: str) -> Path:
    """A path as typed: ``~`` expanded, relative to the working folder."""
    path = Path(text.strip()).expanduser()
    return path if path.is_absolute() else Path.cwd() / path


class FormScreen(ModalScreen[Any]):
    """A title, labelled one-line fields, a note, an error line, OK and Cancel. Enter in any
    field submits; Tab moves between fields; Escape cancels. Subclasses turn the values into
    their result in :meth:`result` (raising ValueError or QualcodeError with a message)."""

    DEFAULT_CSS = "FormScreen { align: center middle; }" + FORM_CSS
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="form.cancel")]

    def __init__(self, title: str, fields: Sequence[FormField], note: str = "", ok: str = "OK") -> None:
        super().__init__()
        self.title_text = title
        self.fields = list(fields)
        self.note = note
        self.ok = ok

    def compose(self) -> ComposeResult:
        with Vertical(classes="qc-dialog qc-form"):
            yield Label(self.title_text, classes="qc-title")
            for f in self.fields:
                with Horizontal(classes="qc-row"):
                    yield Label(f.label)
                    yield Input(f.value, placeholder=f.placeholder, id=f"form-{f.name}", compact=True)
            if self.note:
                yield Label(self.note, classes="qc-note")
            yield Label("", classes="qc-error", id="form-error")
            with Horizontal(classes="qc-buttons"):
                yield Button(self.ok, variant="primary", id="form-ok", compact=True)
                yield Button("Cancel", id="form-cancel", compact=True)

    def value(self, name: str) -> str:
        return self.query_one(f"#form-{name}", Input).value.strip()

    def values(self) -> dict[str, str]:
        return {f.name: self.value(f.name) for f in self.fields}

    def result(self) -> Any:
        return self.values()

    @on(Input.Submitted)
    @on(Button.Pressed, "#form-ok")
    def submit(self) -> None:
        try:
            result = self.result()
        except (ValueError, QualcodeError) as exc:
            self.query_one("#form-error", Label).update(str(exc))
            return
        self.dismiss(result)

    @on(Button.Pressed, "#form-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


# -- import --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportRequest:
    """What to import and with which metadata (as ``qualcode import`` takes them)."""

    paths: tuple[Path, ...]
    metadata: dict[str, str] = field(default_factory=dict)
    sidecar: Path | None = None


IMPORT_FIELDS = [
    FormField("paths", "Files/folder", placeholder="interviews/  or  a.docx; b.txt  (; between several)"),
    FormField("organisation", "Organisation"),
    FormField("project", "Project"),
    FormField("role", "Role", placeholder="ouder, kind, gezinscoach, …"),
    FormField("participant", "Participant", placeholder="a pseudonym"),
    FormField("case", "Case", placeholder="the family or household, e.g. G-CO-03"),
    FormField("wave", "Wave", placeholder="e.g. 1"),
    FormField("interview_date", "Date", placeholder="YYYY-MM-DD"),
    FormField("attributes", "Attributes", placeholder="gemeente=Coevorden; aanpak=Thuis"),
    FormField(
        "sidecar", "Attributes CSV", placeholder="a CSV with a `file` column (default: the folder's attributes.csv)"
    ),
]


class ImportScreen(FormScreen):
    """Import transcripts (.txt .md .docx .odt .vtt .srt), files or a folder, with the same
    metadata as ``qualcode import``: what is typed here wins over front matter and the sidecar."""

    def __init__(self, paths: str = "") -> None:
        fields = [replace_value(IMPORT_FIELDS[0], paths), *IMPORT_FIELDS[1:]]
        super().__init__(
            "Import transcripts",
            fields,
            note="Empty fields leave the files' own metadata (front matter, attributes CSV) as it is. "
            "Files that cannot be read are reported, the others imported.",
            ok="Import",
        )

    def result(self) -> ImportRequest:
        raw = [p for p in self.value("paths").split(";") if p.strip()]
        if not raw:
            raise ValueError("Type a file or folder to import.")
        paths = tuple(typed_path(p) for p in raw)
        for path in paths:
            if not path.exists():
                raise ValueError(f"{path}: no such file or folder")
            if path.is_file() and path.suffix.lower() in (".qdpx", ".qdc"):
                raise ValueError(f"{path.name}: a REFI-QDA file; ctrl+p “Import REFI-QDA…” imports it")
            if path.is_file() and path.suffix.lower() not in TRANSCRIPT_SUFFIXES:
                raise ValueError(f"{path.name}: qualcode imports {', '.join(TRANSCRIPT_SUFFIXES)}")
        metadata = {
            name: self.value(name)
            for name in ("organisation", "project", "role", "participant", "case", "wave", "interview_date")
            if self.value(name)
        }
        attributes = pairs(self.value("attributes"))
        clash = set(attributes) & set(metadata)
        if clash:
            raise ValueError(f"{', '.join(sorted(clash))} is given twice")
        sidecar = typed_path(self.value("sidecar")) if self.value("sidecar") else None
        if sidecar is not None and not sidecar.is_file():
            raise ValueError(f"{sidecar}: no such attributes file")
        return ImportRequest(paths, {**metadata, **attributes}, sidecar)


def replace_value(f: FormField, value: str) -> FormField:
    return FormField(f.name, f.label, value, f.placeholder)


# -- a document's attributes ----------------------------------------------------------------


@dataclass(frozen=True)
class DocumentEdit:
    fields: dict[str, str]
    attributes: dict[str, str]


class DocumentEditScreen(FormScreen):
    """A document's role, participant, date, case, wave and free attributes (undoable)."""

    def __init__(
        self,
        title: str,
        fields: dict[str, str | None],
        attributes: dict[str, str],
        apply: Callable[[DocumentEdit], list[str]],
    ) -> None:
        super().__init__(
            f"Attributes of “{title}”",
            [
                FormField("role", "Role", fields.get("role") or "", "ouder, kind, gezinscoach, …"),
                FormField("participant", "Participant", fields.get("participant") or ""),
                FormField("interview_date", "Date", fields.get("interview_date") or "", "YYYY-MM-DD"),
                FormField("case", "Case", fields.get("case") or "", "a new case is added"),
                FormField("wave", "Wave", fields.get("wave") or ""),
                FormField("attributes", "Attributes", show_pairs(attributes), "gemeente=Coevorden; aanpak=Thuis"),
            ],
            note="An empty field clears it; an attribute left out is removed. u undoes the change.",
            ok="Save",
        )
        self.apply = apply

    def result(self) -> list[str]:
        """Apply the edit (the study checks it: a refusal stays on the dialog); the names of
        what changed."""
        values = self.values()
        attributes = pairs(values.pop("attributes"))
        return self.apply(DocumentEdit(values, attributes))


# -- merge ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MergeRequest:
    other: Path
    coders: tuple[str, ...] = ()  # empty: everyone's work


class MergeScreen(FormScreen):
    """Merge a colleague's study file into this one (``qualcode merge``)."""

    def __init__(self, default: str = "") -> None:
        super().__init__(
            "Merge a colleague's study file into this one",
            [
                FormField("other", "Study file", default, "path/to/collega.qualcode"),
                FormField("coders", "From coders", "", "empty: everyone's work; or names, ; between them"),
            ],
            note="Codings, coders, missing codes and memos come in; documents are matched by their text. "
            "One action: u undoes the whole merge.",
            ok="Merge",
        )

    def result(self) -> MergeRequest:
        if not self.value("other"):
            raise ValueError("Type the path of the other study file.")
        other = typed_path(self.value("other"))
        if not other.is_file():
            raise ValueError(f"{other}: no such file")
        coders = tuple(c.strip() for c in self.value("coders").split(";") if c.strip())
        return MergeRequest(other, coders)
