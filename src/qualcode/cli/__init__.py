"""The ``qualcode`` command line: thin click commands over :mod:`qualcode.study.study`.

Importing this package must stay cheap (``qualcode --help`` under 0.3 s): the study, spaCy
and scikit-learn are imported inside the commands that need them.
"""

from __future__ import annotations

# The command modules register their commands on ``main`` when the group first asks for
# one of them (cli/group.py, COMMAND_MODULES): none is imported here.
from qualcode.cli.group import main, run

__all__ = ["main", "run"]
