"""Commands for analysis (see the module's owner issue)."""

from __future__ import annotations

from qualcode.cli import main  # noqa: F401
