"""Trained suggestion models kept in the study, so `S` opens at once after the first training.

The fitted :class:`~qualcode.assist.learn.ModelSet` is pickled into the study's
``suggestion_models`` table under a key that hashes the study's fingerprint (codings,
decisions, sentences, codes) and the settings: a new coding or decision changes the key, and
the kept models are simply not found (the next save replaces them).

Beside them the suggestions screen keeps what it showed, a :class:`Ranked` (statuses and the
ranked candidates of keywords and models both, with the fingerprint it was made for and when
its models were trained): `S` shows it at once when the fingerprint still fits, and shows the
newest one as stale while it ranks again when not. Reading it needs neither numpy nor
scikit-learn nor the models (69 MB pickled on the sample study, seconds to load).

A pickle runs code when loaded, and study files travel between colleagues. So every saved
model is signed (HMAC-SHA256) with a key of this user's own, kept private in the user data
folder; a model whose signature does not verify — made by someone else, or altered — is
never unpickled, it is retrained.
"""

from __future__ import annotations

import hashlib
import hmac
import pickle
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.core import config
from qualcode.core.files import atomic_output
from qualcode.store import suggest as sql

if TYPE_CHECKING:
    from qualcode.assist.learn import ModelSet
    from qualcode.assist.settings import Settings
    from qualcode.store.core import Store

_SECRET_NAME = "model-signing.key"


def model_key(stamp: tuple[object, ...], settings: Settings, kind: str = "models") -> str:
    return kind + ":" + hashlib.sha256(repr((stamp, settings)).encode("utf-8")).hexdigest()


def _secret() -> bytes:
    path = config.data_dir() / _SECRET_NAME
    if path.exists():
        data = path.read_bytes()
        if len(data) >= 32:
            return data
    path.parent.mkdir(parents=True, exist_ok=True)
    data = secrets.token_bytes(32)
    with atomic_output(path, "wb") as handle:  # private (0600), like every file qualcode writes
        handle.write(data)
    return data


def _sign(blob: bytes) -> str:
    return hmac.new(_secret(), blob, hashlib.sha256).hexdigest()


def save(store: Store, models: ModelSet, settings: Settings) -> None:
    blob = pickle.dumps(models, protocol=pickle.HIGHEST_PROTOCOL)
    sql.save_model(store, model_key(models.fingerprint, settings), blob, _sign(blob))


def load(store: Store, stamp: tuple[object, ...], settings: Settings) -> ModelSet | None:
    """The kept models for this state of the study and these settings, or None (none kept,
    stale, or not signed by this user)."""
    row = sql.saved_model(store, model_key(stamp, settings))
    if row is None:
        return None
    blob = bytes(row["model"])
    if not hmac.compare_digest(_sign(blob), str(row["signature"])):
        return None
    models = pickle.loads(blob)
    models.fingerprint = stamp
    return models


RANKED = "ranked3"
"""The kind of a kept ranking (its format's version: older kept rankings are not read)."""


@dataclass
class Ranked:
    """What the suggestions screen shows: every code's status and the ranked candidates (of
    keyword rules and models both), for one state of the study and one set of settings."""

    stamp: tuple[object, ...]
    settings: Settings
    statuses: dict[int, str]
    candidates: list[Any]  # assist.assistant.Suggestion (not imported: assistant imports this module)
    trained_at: str = ""
    """When the models behind the scores were trained (their identity)."""


def save_ranked(store: Store, ranked: Ranked) -> None:
    """Keep what the suggestions screen showed: unpickling the fitted models of a large study
    takes seconds, this takes milliseconds. Only the newest ranking is kept."""
    blob = pickle.dumps(ranked, protocol=pickle.HIGHEST_PROTOCOL)
    sql.save_model(store, model_key(ranked.stamp, ranked.settings, RANKED), blob, _sign(blob))


def latest_ranked(store: Store, settings: Settings) -> Ranked | None:
    """The newest kept ranking for these settings, whatever state of the study it was made
    for (compare its ``stamp`` with the study's: a different one is stale); None when there
    is none, or it is not signed by this user."""
    row = sql.latest_model(store, RANKED)
    if row is None:
        return None
    blob = bytes(row["model"])
    if not hmac.compare_digest(_sign(blob), str(row["signature"])):
        return None
    found = pickle.loads(blob)
    if not isinstance(found, Ranked) or found.settings != settings:
        return None
    return found
