"""Analysis of a study's coding: frequencies, matrices, co-occurrence, comparison across
organisations, words, exports and the HTML report.

Every function takes a :class:`~qualcode.study.study.Study` and a :class:`Scope` (which documents,
which coder) and returns plain dataclasses that the CLI prints, the TUI shows and the
report renders. None of it imports textual.
"""

from __future__ import annotations

from qualcode.core.scope import Scope

__all__ = ["Scope"]
