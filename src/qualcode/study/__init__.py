"""The service layer: a study and the verbs researchers use on it (documents, codes, codings,
memos, undo), the YAML codebook format and the sample study.

The CLI and the TUI work through :class:`Study`; neither touches SQL.
"""

from qualcode.study.study import STUDY_SUFFIX, SearchHit, Study

__all__ = ["STUDY_SUFFIX", "SearchHit", "Study"]
