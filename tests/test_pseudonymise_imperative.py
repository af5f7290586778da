"""A verb said as a command at a sentence start is no place ("Leg het eens uit": deduce knows
a hamlet Leg), while a place opening a sentence stays found ("Emmen is klein")."""

from __future__ import annotations

import pytest

from qualcode.pseudonymise.detect import Options, SourceDocument, detect


def found(text: str) -> list[tuple[str, str]]:
    findings = detect([SourceDocument(1, "t", text)], Options())
    return [(text[f.start : f.end], f.kind) for f in findings[1]]


@pytest.mark.parametrize(
    ("text", "word"),
    [
        (
            "[00:40:00] [Ouder] Ja. Dubbel. Dat is het goede woord. Ik ben haar dankbaar en ik wil dat ze "
            "weggaat. [lacht] Allebei tegelijk. Leg dat maar eens uit.",
            "Leg",
        ),
        ("[00:41:10] [Ouder] Ja. [lacht] Allebei tegelijk. Leg het maar eens uit.", "Leg"),
    ],
)
def test_a_command_is_not_a_place(text: str, word: str) -> None:
    assert word not in [surface for surface, _ in found(text)]


def test_a_place_opening_a_sentence_is_still_a_place() -> None:
    text = "Moeder: Emmen is klein. We woonden eerst in Leg, dat is een gehucht."
    places = [surface for surface, kind in found(text) if kind == "plaats"]
    assert "Emmen" in places
    assert "Leg" in places  # mid-sentence the hamlet is a place
