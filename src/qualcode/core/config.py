"""Per-user settings: who is coding, and which study was used last.

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
