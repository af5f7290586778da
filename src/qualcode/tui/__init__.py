"""The Textual terminal UI: a coding workbench over one study.

Only this package and ``qualcode.cli`` import Textual; everything here goes through
:class:`qualcode.study.study.Study` and never issues SQL.
"""
