"""Foundations every layer may use: errors, the atomic file writer, settings, domain types.

Nothing here holds SQL or imports Textual, spaCy or scikit-learn.
"""
