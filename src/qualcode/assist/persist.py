"""Trained suggestion models kept in the study, so `S` opens at once after the first training.

The fitted :class:`~qualcode.assist.learn.ModelSet` is pickled into the study's
``suggestion_models`` table under a key that hashes the study's fingerprint (codings,
decisions, sentences, codes) and the settings: a new coding or decision changes the key, and
the kept models are simply not found (the next save replaces them).

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
from typing import TYPE_CHECKING

from qualcode.core import config
from qualcode.core.files import atomic_output
from qualcode.store import suggest as sql

if TYPE_CHECKING:
    from qualcode.assist.learn import ModelSet, Settings
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


def save_ranked(store: Store, stamp: tuple[object, ...], settings: Settings, source: str, ranked: object) -> None:
    """Keep what the suggestions screen showed (statuses and ranked candidates): unpickling
    the fitted models of a large study takes seconds, this takes milliseconds."""
    blob = pickle.dumps(ranked, protocol=pickle.HIGHEST_PROTOCOL)
    sql.save_model(store, model_key(stamp, settings, f"ranked-{source}"), blob, _sign(blob))


def load_ranked(store: Store, stamp: tuple[object, ...], settings: Settings, source: str) -> object | None:
    row = sql.saved_model(store, model_key(stamp, settings, f"ranked-{source}"))
    if row is None:
        return None
    blob = bytes(row["model"])
    if not hmac.compare_digest(_sign(blob), str(row["signature"])):
        return None
    return pickle.loads(blob)
