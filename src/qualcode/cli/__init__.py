"""The ``qualcode`` command line: thin click commands over :mod:`qualcode.study.study`.

Importing this package must stay cheap (``qualcode --help`` under 0.3 s): the study, spaCy
and scikit-learn are imported inside the commands that need them.
"""

from __future__ import annotations

# Registering the commands; each module imports only click at module level.
from qualcode.cli import agreement, analysis, assist, cases, codebook, core, exchange, pseudonymise, team  # noqa: F401
from qualcode.cli.group import main, run

__all__ = ["main", "run"]
