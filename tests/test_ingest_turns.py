"""Speaker turns: offsets into the text, labels, roles, timestamps — and non-labels."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qualcode.ingest import Turn, infer_role, parse_turns


def spoken(text: str, turns: list[Turn]) -> list[tuple[str, str]]:
    return [(t.speaker, text[t.body_start : t.end]) for t in turns]


def test_plain_labels_with_real_offsets() -> None:
    text = (
        "Interview met Samira, Coevorden\n"
        "\n"
        "Interviewer: Hoe gaat het met jullie?\n"
        "Samira: Goed. De coach komt elke week.\n"
        "Ze luistert echt.\n"
        "\n"
        "I: En de kinderen?\n"
        "R: Die hebben het naar hun zin."
    )
    turns = parse_turns(text)
    assert spoken(text, turns) == [
        ("Interviewer", "Hoe gaat het met jullie?"),
        ("Samira", "Goed. De coach komt elke week.\nZe luistert echt."),
        ("I", "En de kinderen?"),
        ("R", "Die hebben het naar hun zin."),
    ]
    first = turns[0]
    assert first.start == text.index("Interviewer:")
    assert text[first.start : first.body_start] == "Interviewer: "
    assert turns[1].end == text.index("\n\nI:")  # trailing whitespace excluded
    assert [t.role for t in turns] == ["interviewer", None, "interviewer", "respondent"]
    assert all(t.timestamp is None for t in turns)


def test_sentence_with_colon_is_not_a_label() -> None:
    text = (
        "Moeder: Ik was boos.\n"
        "Toen zei de juf: dat gaat zo niet.\n"
        "Ik zei: nee.\n"
        "Ja: dat klopt.\n"
        "Mijn moeder: die hielp altijd.\n"
        "Het antwoord was: nee.\n"
        "Zie https://www.leergeld.nl voor meer.\n"
        "Om 10:30 kwam de coach.\n"
        "C:\\Users\\anja\\transcript.docx staat daar."
    )
    turns = parse_turns(text)
    assert len(turns) == 1
    assert turns[0].speaker == "Moeder"
    assert text[turns[0].body_start : turns[0].end] == text[len("Moeder: ") :]


def test_header_fields_and_title_are_not_turns() -> None:
    text = (
        "Transcript: interview 4\nDatum: 12 maart 2024\nLocatie: Coevorden\n"
        "Let op: namen zijn gepseudonimiseerd.\n\nCoach: Welkom."
    )
    assert spoken(text, parse_turns(text)) == [("Coach", "Welkom.")]


@pytest.mark.parametrize(
    ("line", "speaker", "role", "timestamp", "body"),
    [
        ("**Coach:** Ik kom bij ze thuis.", "Coach", "coach", None, "Ik kom bij ze thuis."),
        ("**Coach**: Ik kom bij ze thuis.", "Coach", "coach", None, "Ik kom bij ze thuis."),
        ("[Ouder] We stonden er alleen voor.", "Ouder", "ouder", None, "We stonden er alleen voor."),
        ("[Samira]: Dat was fijn.", "Samira", None, None, "Dat was fijn."),
        ("Moeder (Samira): Ja.", "Moeder (Samira)", "ouder", None, "Ja."),
        ("Samira (moeder): Ja.", "Samira (moeder)", "ouder", None, "Ja."),
        ("[00:01:23] Interviewer: Hoe?", "Interviewer", "interviewer", "00:01:23", "Hoe?"),
        ("(00:01:23) Vader: Goed.", "Vader", "ouder", "00:01:23", "Goed."),
        ("00:01:23 Interviewer: Hoe?", "Interviewer", "interviewer", "00:01:23", "Hoe?"),
        ("00:01:23 - Gezinscoach: Hoi.", "Gezinscoach", "gezinscoach", "00:01:23", "Hoi."),
        ("[01:23] R: Nee.", "R", "respondent", "00:01:23", "Nee."),
        ("[00:01:23.450] R: Nee.", "R", "respondent", "00:01:23", "Nee."),
        ("[01:23.45] R: Nee.", "R", "respondent", "00:01:23", "Nee."),
        ("00:01:23,500 R: Nee.", "R", "respondent", "00:01:23", "Nee."),
        ("Interviewer (00:02:10): Dank je.", "Interviewer", "interviewer", "00:02:10", "Dank je."),
        ("Interviewer [00:02:10]: Dank je.", "Interviewer", "interviewer", "00:02:10", "Dank je."),
        ("  Kind: Leuk!", "Kind", "kind", None, "Leuk!"),
        ("interviewer: kleine letters", "interviewer", "interviewer", None, "kleine letters"),
        ("Dhr. De Vries: Goedemiddag.", "Dhr. De Vries", None, None, "Goedemiddag."),
        ("Anja van der Berg: Hallo.", "Anja van der Berg", None, None, "Hallo."),
        ("Jansen, Piet: Hallo.", "Jansen, Piet", None, None, "Hallo."),
        ("Spreker 2: Hallo.", "Spreker 2", None, None, "Hallo."),
        ("Moeder:Ja hoor.", "Moeder", "ouder", None, "Ja hoor."),
    ],
)
def test_label_forms(line: str, speaker: str, role: str | None, timestamp: str | None, body: str) -> None:
    text = f"Titelregel\n{line}"
    [turn] = parse_turns(text)
    assert (turn.speaker, turn.role, turn.timestamp) == (speaker, role, timestamp)
    assert text[turn.body_start : turn.end] == body
    assert turn.start == text.index(line.strip()[:3])


def test_label_alone_on_its_line_with_time_and_body_below() -> None:
    # Teams and Otter exports: "Name   0:03" then the text on the next line(s).
    text = "Jansen, Piet   0:03\nGoedemiddag allemaal.\n\nSamira Amrani   0:09\nHoi."
    turns = parse_turns(text)
    assert spoken(text, turns) == [("Jansen, Piet", "Goedemiddag allemaal."), ("Samira Amrani", "Hoi.")]
    assert [t.timestamp for t in turns] == ["00:00:03", "00:00:09"]


def test_label_on_its_own_line_with_colon() -> None:
    text = "Interviewer:\nHoe gaat het?\n\nOuder:\n\nGoed."
    assert spoken(text, parse_turns(text)) == [("Interviewer", "Hoe gaat het?"), ("Ouder", "Goed.")]


def test_empty_turn_has_empty_body() -> None:
    text = "Interviewer:\nOuder: Ja."
    first, second = parse_turns(text)
    assert first.body_start == first.end == len("Interviewer:")
    assert text[second.body_start : second.end] == "Ja."


def test_timestamp_only_line_starts_turn_with_previous_speaker() -> None:
    text = (
        "[00:00:05] Welkom bij dit gesprek.\n"
        "[00:00:10] Coach: Ik ben Anja.\n"
        "[00:00:15] Ik werk in Coevorden.\n"
        "00:00:20 Toen zei de juf: nee."
    )
    turns = parse_turns(text)
    assert [(t.speaker, t.role, t.timestamp) for t in turns] == [
        ("", None, "00:00:05"),
        ("Coach", "coach", "00:00:10"),
        ("Coach", "coach", "00:00:15"),
        ("Coach", "coach", "00:00:20"),
    ]
    assert spoken(text, turns)[2:] == [("Coach", "Ik werk in Coevorden."), ("Coach", "Toen zei de juf: nee.")]


def test_bracket_placeholder_without_role_is_not_a_label() -> None:
    # Pseudonymised transcripts start sentences with placeholders.
    text = "Moeder: Ja.\n[Naam] zei dat het goed ging.\n[Gelach]"
    [turn] = parse_turns(text)
    assert text[turn.body_start : turn.end] == "Ja.\n[Naam] zei dat het goed ging.\n[Gelach]"


def test_text_before_first_label_and_no_labels() -> None:
    assert parse_turns("") == []
    assert parse_turns("Alleen tekst, geen sprekers.\nNog een regel.") == []


def test_crlf_free_offsets_survive_unicode() -> None:
    text = "Özlem: Één keer 👍 per week.\nInterviewer: Échte hulp?"
    turns = parse_turns(text)
    assert spoken(text, turns) == [("Özlem", "Één keer 👍 per week."), ("Interviewer", "Échte hulp?")]


@pytest.mark.parametrize(
    ("label", "role"),
    [
        ("Interviewer", "interviewer"),
        ("I", "interviewer"),
        ("I2", "interviewer"),
        ("Int.", "interviewer"),
        ("Onderzoeker", "interviewer"),
        ("R", "respondent"),
        ("Respondent 3", "respondent"),
        ("Moeder", "ouder"),
        ("Vader", "ouder"),
        ("ouder", "ouder"),
        ("Parent", "ouder"),
        ("Moeder (Samira)", "ouder"),
        ("Kind", "kind"),
        ("Zoon", "kind"),
        ("Dochter", "kind"),
        ("Jongere", "kind"),
        ("Child", "kind"),
        ("Gezinscoach", "gezinscoach"),
        ("Gezinscoach Anja", "gezinscoach"),
        ("Coach", "coach"),
        ("Jobcoach", "coach"),
        ("Intermediair", "intermediair"),
        ("Consulent", "consulent"),
        ("Klantmanager", "consulent"),
        ("Jeugdondersteuner", "jeugdondersteuner"),
        ("Gezinsondersteuner", "gezinsondersteuner"),
        ("Deelnemer 4", "deelnemer"),
        ("Samira", None),
        ("R. Jansen", None),
        ("Anja", None),
    ],
)
def test_infer_role(label: str, role: str | None) -> None:
    assert infer_role(label) == role


_PIECES = st.sampled_from(
    [
        "Interviewer: ",
        "R: ",
        "[00:01:23] ",
        "00:01:23 ",
        "**Coach:** ",
        "[Ouder] ",
        "Moeder (Samira): ",
        "Toen zei de juf: ",
        "ja ",
        "nee. ",
        "\n",
        "\n\n",
        "  ",
        "\t",
        ":",
        "[",
        "**",
        "é",
    ]
)


@given(st.lists(_PIECES, max_size=40).map("".join))
def test_turn_invariants(text: str) -> None:
    turns = parse_turns(text)
    previous_end = 0
    for turn in turns:
        assert previous_end <= turn.start <= turn.body_start <= turn.end <= len(text)
        assert text[turn.start : turn.end] == text[turn.start : turn.end].rstrip()
        assert not text[turn.start].isspace()
        assert (
            turn.start == 0 or text[: turn.start].rstrip(" \t").endswith("\n") or text[: turn.start].strip(" \t") == ""
        )
        previous_end = turn.end
