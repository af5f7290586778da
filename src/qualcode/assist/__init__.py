"""Assisted coding: keyword rules, learned suggestions, their honest evaluation, and theme
discovery. Nothing here codes a passage without a researcher's review.

- :mod:`qualcode.assist.units`: sentence units and the labelling rule;
- :mod:`qualcode.assist.rules`: codebook keywords matched on lemmas and words;
- :mod:`qualcode.assist.learn`: a calibrated linear classifier per code;
- :mod:`qualcode.assist.assistant`: candidates, accept and reject (the service);
- :mod:`qualcode.assist.evaluate`: cross-validation grouped by document, with baselines;
- :mod:`qualcode.assist.topics`: NMF topics over the sentences not yet coded.
"""

from __future__ import annotations

from qualcode.assist.assistant import Assistant, Suggestion, assistant

__all__ = ["Assistant", "Suggestion", "assistant"]
