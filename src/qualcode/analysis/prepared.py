"""Derive now what a study's first figure would otherwise derive on the spot.

A study fresh from its build (the sample study of ``qualcode demo``) has every document
dirty: the first frequency table would merge every document's codings into passages, pack
them (:mod:`qualcode.analysis.derived`) and count each document's respondents' words — most
of Analyse's first second. Whoever builds a study to be looked at can pay that once, at the
build, instead: :func:`prepare`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualcode.analysis import derived

if TYPE_CHECKING:
    from qualcode.study.study import Study


def prepare(study: Study) -> None:
    """Derive the passages and packed codings of every dirty document and the respondents'
    words of every document (each kept up to date afterwards as codings change)."""
    if derived.refresh(study):
        derived.said(study, [d.id for d in study.documents()])
