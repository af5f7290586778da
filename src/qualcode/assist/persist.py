"""Trained suggestion models kept in the study, so `S` opens at once after the first training
and a new coding retrains only the codes it changes.

What is kept of the models is what ranking needs: each code's score for every sentence
(float32, compressed; see :func:`pack`), with what each code's model was fitted on (its
``basis``: the sentences and their lemmas, the settings, the training examples and their
labels). Kept under a key that hashes the study's fingerprint (codings, decisions,
sentences, codes) and the settings, they are the present models when the fingerprint still
fits; when not, a new training starts from the newest kept ones and fits again only the codes
whose examples changed (:func:`qualcode.assist.learn.train`). On the sample study that is
about 4 MB where the pickled fitted models were 69 MB.

Beside them the suggestions screen keeps what it showed, a :class:`Ranked` (statuses and the
ranked candidates of keywords and models both, with the fingerprint it was made for and when
its models were trained): `S` shows it at once when the fingerprint still fits, and shows the
newest one as stale while it ranks again when not. Reading it needs neither numpy nor
scikit-learn nor the models.

A pickle runs code when loaded, and study files travel between colleagues. So every kept
ranking and model is signed (HMAC-SHA256) with a key of this user's own, kept private in the
user data folder; one whose signature does not verify — made by someone else, or altered —
is never read (a ranking is never unpickled): the models are trained again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import pickle
import secrets
import zlib
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from qualcode.core import config
from qualcode.core.files import atomic_output
from qualcode.store import suggest as sql

if TYPE_CHECKING:
    from qualcode.assist.learn import ModelSet
    from qualcode.assist.settings import Settings
    from qualcode.store.core import Store

SECRET_NAME = "model-signing.key"


def model_key(stamp: tuple[object, ...], settings: Settings, kind: str = "models") -> str:
    return kind + ":" + hashlib.sha256(repr((stamp, settings)).encode("utf-8")).hexdigest()


def _secret() -> bytes:
    path = config.data_dir() / SECRET_NAME
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


MODELS = "scores1"
"""The kind of kept models (their format's version). The pickled fitted models of before
("models", 69 MB on the sample study) are dropped when these are kept."""
_MAGIC = b"QCSCORES1\n"


def save(store: Store, models: ModelSet, settings: Settings) -> None:
    """Keep the models' scores in the study (see the module docstring), replacing older
    kept models."""
    blob = pack(models)
    sql.save_model(store, model_key(models.fingerprint, settings, MODELS), blob, _sign(blob))
    sql.forget_models(store, "models")


def pack(models: ModelSet) -> bytes:
    """The models as bytes: a JSON header (what each code's model was fitted on, the codes'
    statuses), then every code's scores, float32, compressed. No pickle."""
    import numpy as np

    codes = list(models.models)
    header = {
        "features": models.features,
        "settings": asdict(models.settings),
        "trained_at": models.trained_at,
        "units": int(models.models[codes[0]].scores.shape[0]) if codes else 0,
        "codes": [{"id": c, "basis": models.models[c].basis, "calibrated": models.models[c].calibrated} for c in codes],
        "statuses": [asdict(s) for s in models.statuses.values()],
    }
    head = json.dumps(header, ensure_ascii=False).encode("utf-8")
    scores = np.stack([models.models[c].scores for c in codes]) if codes else np.zeros((0, 0))
    # the bytes of each float's position grouped together (exponents with exponents): a
    # third smaller compressed than the floats as they are
    planes = np.ascontiguousarray(scores.astype("<f4")).view(np.uint8).reshape(-1, 4).T.tobytes()
    return _MAGIC + len(head).to_bytes(4, "little") + head + zlib.compress(planes, 6)


def unpack(blob: bytes) -> ModelSet | None:
    """The models of :func:`pack`, or None when the bytes are not such models."""
    import numpy as np

    from qualcode.assist.learn import CodeModel, CodeStatus, ModelSet
    from qualcode.assist.settings import Settings

    if not blob.startswith(_MAGIC):
        return None
    at = len(_MAGIC)
    size = int.from_bytes(blob[at : at + 4], "little")
    header = json.loads(blob[at + 4 : at + 4 + size].decode("utf-8"))
    codes, units = header["codes"], header["units"]
    planes = np.frombuffer(zlib.decompress(blob[at + 4 + size :]), dtype=np.uint8)
    scores = planes.reshape(4, -1).T.copy().view("<f4").reshape(len(codes), units) if codes else None
    return ModelSet(
        features=header["features"],
        models={
            int(c["id"]): CodeModel(c["basis"], scores[k], bool(c["calibrated"]))  # type: ignore[index]
            for k, c in enumerate(codes)
        },
        statuses={int(s["code_id"]): CodeStatus(**s) for s in header["statuses"]},
        settings=Settings(**header["settings"]),
        trained_at=header["trained_at"],
    )


def _verified(row: Any) -> ModelSet | None:
    if row is None:
        return None
    blob = bytes(row["model"])
    if not hmac.compare_digest(_sign(blob), str(row["signature"])):
        return None
    return unpack(blob)


def load(store: Store, stamp: tuple[object, ...], settings: Settings) -> ModelSet | None:
    """The kept models for this state of the study and these settings, or None (none kept,
    stale, or not signed by this user)."""
    models = _verified(sql.saved_model(store, model_key(stamp, settings, MODELS)))
    if models is None or models.settings != settings:
        return None
    models.fingerprint = stamp
    return models


def latest(store: Store, settings: Settings) -> ModelSet | None:
    """The newest kept models for these settings, whatever state of the study they were
    trained for: what a new training starts from (the codes whose examples are unchanged keep
    their models). None when there are none, or they are not signed by this user."""
    models = _verified(sql.latest_model(store, MODELS))
    if models is None or models.settings != settings:
        return None
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


def describe_changes(before: tuple[object, ...], now: tuple[object, ...]) -> str:
    """What changed between two fingerprints of a study (see
    :func:`qualcode.store.suggest.fingerprint`), as a title says it: "1 new coding",
    "2 new decisions, codebook changes"."""

    def plural(n: int, word: str) -> str:
        return f"{n} {word}" + ("" if n == 1 else "s")

    if len(before) != len(now) or len(now) != 10:
        return "changes to the study"
    parts = []
    for first, last, word in ((0, 3, "coding"), (3, 5, "decision")):
        added = int(now[first]) - int(before[first])  # type: ignore[call-overload]
        if added > 0:
            parts.append(plural(added, f"new {word}"))
        elif added < 0:
            parts.append(plural(-added, word) + " removed")
        elif before[first:last] != now[first:last]:
            parts.append(f"changed {word}s")
    if before[5:7] != now[5:7]:
        parts.append("new or changed documents")
    if before[7:] != now[7:]:
        parts.append("codebook changes")
    return ", ".join(parts) or "changes to the study"


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
