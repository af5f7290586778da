"""Per-user settings: who is coding, which study was used last, and what the TUI remembers
(side panels shown or collapsed, where each coder left off in each study).

Kept in a small JSON file in the user's config directory (``QUALCODE_CONFIG_DIR`` overrides
it, which the tests use). The coder can also be given per command (``--coder``) or with
``QUALCODE_CODER``.

The coder is *chosen* when one of these names them: ``--coder NAME`` (or the TUI's coder
dialog), a non-empty ``QUALCODE_CODER``, or a coder saved with ``qualcode coder NAME``. The
login name is never taken silently: several people may share one server account (``qualcode
serve``), and codings under the wrong name corrupt agreement figures. With no coder chosen, a
study opens for reading; the TUI asks who is coding, the CLI refuses a write in one line.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from qualcode.core.files import atomic_output


def config_dir() -> Path:
    override = os.environ.get("QUALCODE_CONFIG_DIR")
    if override:
        return Path(override)
    from platformdirs import user_config_dir

    return Path(user_config_dir("qualcode", appauthor=False))


def data_dir() -> Path:
    override = os.environ.get("QUALCODE_DATA_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir("qualcode", appauthor=False))


def _config_file() -> Path:
    return config_dir() / "config.json"


def load() -> dict[str, Any]:
    try:
        data = json.loads(_config_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save(**changes: Any) -> None:
    data = load()
    data.update(changes)
    path = _config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    # A temporary file of its own: the TUI and the CLI may both remember a study at once.
    with atomic_output(path) as handle:
        handle.write(json.dumps(data, indent=2, ensure_ascii=False))


def chosen_coder() -> str | None:
    """The coder named by ``QUALCODE_CODER`` or the saved settings; None when neither does
    (never the login name: see the module's docstring)."""
    env = os.environ.get("QUALCODE_CODER", "").strip()
    if env:
        return env
    configured = load().get("coder")
    if isinstance(configured, str) and configured.strip():
        return configured.strip()
    return None


def last_study() -> Path | None:
    value = load().get("last_study")
    return Path(value) if isinstance(value, str) and value else None


def remember_study(path: Path) -> None:
    save(last_study=str(Path(path).resolve()))


# -- the TUI's remembered state ----------------------------------------------------------------
# One place for what the TUI remembers between runs: which side panels were shown (per
# screen layout) and where each coder was in each study. Kept in the same per-user file.

POSITIONS_KEPT = 50
"""Studies whose last position is remembered (the oldest is forgotten first)."""


def ui_state(name: str) -> dict[str, Any]:
    """A remembered piece of TUI state (``{}`` when none is saved or it was hand-edited wrong)."""
    ui = load().get("ui")
    value = ui.get(name) if isinstance(ui, dict) else None
    return dict(value) if isinstance(value, dict) else {}


def save_ui_state(name: str, value: dict[str, Any]) -> None:
    ui = load().get("ui")
    ui = dict(ui) if isinstance(ui, dict) else {}
    ui[name] = value
    save(ui=ui)


def _study_key(study_path: Path) -> str:
    return str(Path(study_path).resolve())


def last_position(study_path: Path, coder: str) -> dict[str, int] | None:
    """Where ``coder`` was in the study at ``study_path``: ``{"document", "start", "end"}``."""
    positions = load().get("positions")
    per_study = positions.get(_study_key(study_path)) if isinstance(positions, dict) else None
    found = per_study.get(coder) if isinstance(per_study, dict) else None
    if not isinstance(found, dict):
        return None
    try:
        return {k: int(found[k]) for k in ("document", "start", "end")}
    except (KeyError, TypeError, ValueError):
        return None


def remember_position(study_path: Path, coder: str, document: int, start: int, end: int) -> None:
    """Keep where ``coder`` is in the study (the config file is written only when that
    changes: the workbench saves the position a moment after every move)."""
    data = load().get("positions")
    positions: dict[str, Any] = dict(data) if isinstance(data, dict) else {}
    key = _study_key(study_path)
    here = {"document": document, "start": start, "end": end}
    if positions and list(positions)[-1] == key:  # already the most recent study
        kept = positions[key]
        if isinstance(kept, dict) and kept.get(coder) == here:
            return
    per_study = positions.pop(key, None)  # re-inserted last: the most recent study stays longest
    per_study = dict(per_study) if isinstance(per_study, dict) else {}
    per_study[coder] = here
    positions[key] = per_study
    for old in list(positions)[:-POSITIONS_KEPT]:
        del positions[old]
    save(positions=positions)
