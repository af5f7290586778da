"""Pseudonymisation choices a reader would otherwise misread: a verb said as a command at a
sentence start is no place ("Leg dat maar eens uit": deduce knows a hamlet Leg), while a place
opening a sentence stays found ("Emmen is klein"); a bare age is no link between interviews."""

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


def test_a_bare_age_gets_a_placeholder_per_document_and_a_name_one_per_study() -> None:
    """Two interviews that each say "negen" must not read as the same age; within one
    interview the same word is one placeholder, and a name is one across the study."""
    from qualcode.pseudonymise.copy import make_plan
    from qualcode.pseudonymise.detect import Finding

    texts = {1: "Femke is negen. Echt, negen.", 2: "Joris is negen."}

    def at(doc: int, word: str, kind: str, nth: int = 0) -> Finding:
        start = -1
        for _ in range(nth + 1):
            start = texts[doc].index(word, start + 1)
        return Finding(doc, start, start + len(word), word, kind, "shape")

    plan = make_plan(
        {
            1: [at(1, "Femke", "persoon"), at(1, "negen", "leeftijd"), at(1, "negen", "leeftijd", 1)],
            2: [at(2, "Joris", "persoon"), at(2, "negen", "leeftijd")],
        }
    )
    first = [r.new for r in plan.replacements(1)]
    second = [r.new for r in plan.replacements(2)]
    assert first[1] == first[2]  # the same age twice in one interview
    assert first[1] != second[1]  # another interview's "negen" is another placeholder
    assert first[0] != second[0]  # two people
    assert sorted(p for _, p in plan.entries()) == sorted(plan.kinds)  # every placeholder in the key once
    assert [o for o, p in plan.entries() if p == second[1]] == ["negen"]
