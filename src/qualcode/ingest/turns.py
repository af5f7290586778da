"""Speaker turns: who speaks where, found from the labels transcribers type.

Turns are the unit the TUI moves by and the unit a coding's speaker and role come from,
so this is about precision as much as recall: an ordinary sentence with a colon
("Toen zei de juf: dat gaat zo niet.") must never become a speaker. The regex finds
*candidates* in one pass over line starts; a small, cached Python check then decides
whether a candidate looks like a label (short, name- or role-like words, no sentence
punctuation). Labels repeat all through a transcript, so the cache makes that check
nearly free.

Decision on timestamp-only lines (``[00:01:23] Ja, dat klopt.``): they start a new turn
that keeps the previous turn's speaker and role (``""``/``None`` before any label).
Transcription tools stamp every paragraph; keeping each stamped paragraph its own turn
keeps its timestamp, and keeping the speaker means "who said this" is still answered.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class Turn:
    """One speaker turn as offsets into the normalised text (end-exclusive).

    ``start`` is the first non-blank character of the label line (a leading timestamp or
    ``**`` included); ``text[body_start:end]`` is what was said, which may span several
    lines and ends where the next turn begins, minus trailing whitespace. ``timestamp``
    is normalised to ``HH:MM:SS`` (``[01:23]`` becomes ``00:01:23``, fractions dropped)
    so that timestamps from different tools compare and sort alike.
    """

    start: int
    end: int
    body_start: int
    speaker: str
    role: str | None
    timestamp: str | None


_TS_IN = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
_TS_WRAPPED = rf"\[{_TS_IN}\]|\({_TS_IN}\)"
# A bare time must stand alone: "00:23:01]" at a line start is a wrapped inline stamp.
_TS_BARE = r"\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,3})?(?!\S)"
# A loose label: starts with a letter, up to 40 characters, no colon, no markup, and
# optionally a parenthesised name that is not a timestamp: "Moeder (Samira)".
_LBL = (
    r"[^\W\d_](?:[^\n:*\[\]()]{0,38}[^\s:*\[\]()])?"
    rf"(?:[ \t]*\((?!{_TS_IN}\))[^()\n]{{1,30}}\))?"
)
_LINE = re.compile(
    rf"""
    ^(?P<indent>[ \t]*)
    (?P<tspart>(?P<ts>{_TS_WRAPPED}|{_TS_BARE})[ \t]*(?:[-–—][ \t]*)?)?
    (?:
        \*\*(?P<bold>{_LBL})[ \t]*(?::\*\*|\*\*[ \t]*:)             # **Coach:** / **Coach**:
      | \[(?P<bracket>{_LBL})\](?P<bcolon>[ \t]*:)?                 # [Ouder] ...
      | (?P<plain>{_LBL})(?:[ \t]*(?P<ts2>{_TS_WRAPPED}))?[ \t]*:(?![/\\\d])  # Naam: / I (00:01:23):
      | (?P<alone>{_LBL})[ \t]+(?P<ts3>{_TS_WRAPPED}|(?:\d{{1,2}}:)?\d{{1,2}}:\d{{2}})[ \t]*$
    )?
    (?(ts)|(?(bold)|(?(bracket)|(?(plain)|(?(alone)|(?!))))))       # something must match
    """,
    re.MULTILINE | re.VERBOSE,
)
_SKIP_SPACE = re.compile(r"\s*")
_TOKEN_SPLIT = re.compile(r"[\s,/]+")
_WORDS = re.compile(r"[^\W\d_]+")
_ABBREVIATION = re.compile(r"(?:[^\W\d_]{1,4}\.|(?:[^\W\d_]\.)+)")
_SENTENCE_PUNCTUATION = re.compile(r"[.!?;\"“”„…]")
_HAS_DIGIT = re.compile(r"\d")
_SINGLE_LETTER_ROLE = re.compile(r"([IiRr])[ \t]*\d*")

_ROLE_WORDS = {
    **dict.fromkeys(
        ("interviewer", "interviewster", "int", "onderzoeker", "researcher", "moderator", "gespreksleider"),
        "interviewer",
    ),
    **dict.fromkeys(("respondent", "resp"), "respondent"),
    **dict.fromkeys(
        (
            "moeder",
            "vader",
            "ouder",
            "ouders",
            "parent",
            "mother",
            "father",
            "mama",
            "papa",
            "pleegmoeder",
            "pleegvader",
            "stiefmoeder",
            "stiefvader",
            "verzorger",
        ),
        "ouder",
    ),
    **dict.fromkeys(("kind", "kinderen", "zoon", "dochter", "jongere", "child", "son", "daughter"), "kind"),
    **dict.fromkeys(("gezinscoach", "familiecoach"), "gezinscoach"),
    "coach": "coach",
    **dict.fromkeys(("intermediair", "intermediary"), "intermediair"),
    **dict.fromkeys(("consulent", "klantmanager"), "consulent"),
    "jeugdondersteuner": "jeugdondersteuner",
    "gezinsondersteuner": "gezinsondersteuner",
    **dict.fromkeys(("deelnemer", "participant"), "deelnemer"),
    **dict.fromkeys(("leerkracht", "docent", "leraar", "lerares", "teacher"), "leerkracht"),
}
# Compounds name the same roles: jobcoach, jeugdcoach, inkomensconsulent.
_ROLE_SUFFIXES = (("coach", "coach"), ("consulent", "consulent"))

# Lower-case words allowed inside a name: "Anja van der Berg", "moeder van Samira".
_PARTICLES = frozenset(
    """
    van de der den het ter ten te 't in op von da di du la le el al bin ibn zu dos das del
    """.split()
)
# A label starting with one of these is a sentence ("Ja: ...", "Mijn moeder: ...") unless
# capitalised words follow, as in the surname "De Vries".
_FUNCTION_WORDS = frozenset(
    """
    de het een en of maar dus toen dan want als ik je jij u hij zij ze we wij jullie
    mijn jouw zijn haar ons onze hun die dat deze dit er hier daar wat wie waar waarom
    hoe wanneer welke ja nee nou oke oké ok ook nog niet wel al zo toch even eigenlijk
    gewoon soms vaak altijd nooit nu straks later eerst daarna verder kortom
    the a an and or but so then if you he she it we they my your his her our their this
    that these those what who where why how when yes no well also not now first
    """.split()
)
# First words of header fields and annotations, which have colons but no speaker:
# "Datum: 12 maart", "Locatie: Coevorden", "[Gelach]", "Let op: ...".
_NOT_SPEAKERS = frozenset(
    """
    datum date tijd time tijdstip duur duration locatie location plaats place onderwerp
    subject titel title project organisatie organisation organization transcript
    transcriptie transcription interview gesprek opname recording bestand file aanwezig
    aanwezigen present deelnemers noot note nb opmerking opmerkingen let bron source thema
    topic code codes einde begin start end pauze pause stilte silence gelach lacht
    laughter laughs onverstaanbaar onhoorbaar inaudible crosstalk samenvatting summary
    conclusie toelichting zie naam name leeftijd age geslacht gender functie rol role taal
    language gemeente wijk versie version status http https www email e-mail tel telefoon
    adres vraag antwoord
    """.split()
)


def parse_turns(text: str) -> list[Turn]:
    """Find speaker turns in normalised text; text before the first label is no turn.

    Only lines with a colon or an opening bracket are matched against the label pattern;
    per-line work in Python happens only for candidates, and label checks are cached, so a
    100,000-word transcript takes a few milliseconds.
    """
    heads: list[tuple[int, int, str, str | None, str | None]] = []
    speaker, role = "", None
    for m in _candidate_lines(text):
        ts, bold, bracket, bcolon, plain, ts2, alone, ts3 = m.group(
            "ts", "bold", "bracket", "bcolon", "plain", "ts2", "alone", "ts3"
        )
        label = bold or bracket or plain or alone
        if label is not None and _is_label(label, bracket is not None and bcolon is None):
            speaker, role = label, infer_role(label)
            stamp = ts or ts2 or ts3
            head_end = m.end()
        elif ts is not None:
            stamp, head_end = ts, m.end("tspart")
        else:
            continue
        heads.append((m.end("indent"), head_end, speaker, role, _clock(stamp) if stamp else None))

    turns: list[Turn] = []
    skip_space = _SKIP_SPACE.match
    for i, (start, head_end, speaker, role, stamp) in enumerate(heads):
        next_start = heads[i + 1][0] if i + 1 < len(heads) else len(text)
        end = start + len(text[start:next_start].rstrip())
        body_start = min(skip_space(text, head_end).end(), end)  # type: ignore[union-attr]
        turns.append(Turn(start, end, body_start, speaker, role, stamp))
    return turns


def _candidate_lines(text: str) -> Iterator[re.Match[str]]:
    """``_LINE.finditer(text)``, trying only the lines that can match: every form of label
    or timestamp has a colon, but for ``[Ouder] ...``, which opens with a bracket. A match
    never crosses a line, so matching line by line finds the same; and a scan of every
    position for ``^`` costs more than the rest of parsing (a wrapped transcript has a line
    every 80 characters, most of them running text)."""
    match = _LINE.match
    pos = 0
    for line in text.split("\n"):
        if ":" in line or line.lstrip(" \t").startswith("["):
            found = match(text, pos)
            if found is not None:
                yield found
        pos += len(line) + 1


@lru_cache(maxsize=4096)
def _is_label(label: str, bracket_without_colon: bool) -> bool:
    """Whether a candidate reads like a speaker label rather than part of a sentence.

    A bracket without a colon must name a role (``[Ouder] ...``): pseudonymised
    transcripts start sentences with placeholders like ``[Naam] zei ...``.
    """
    if len(label) > 40:
        return False
    name, _, _ = label.partition("(")
    tokens = [t for t in _TOKEN_SPLIT.split(name.strip()) if t]
    if not tokens or len(tokens) > 4:
        return False
    first = tokens[0].lower().rstrip(".")
    role = infer_role(label)
    if first in _NOT_SPEAKERS:
        return False
    # "De Vries" is a name; "Ja", "Mijn moeder" and "De juf" start sentences.
    sentence_start = len(tokens) == 1 or any(t[0].islower() and t not in _PARTICLES for t in tokens[1:])
    if first in _FUNCTION_WORDS and not (role and len(tokens) == 1) and sentence_start:
        return False
    if bracket_without_colon and role is None:
        return False
    named = False
    for token in tokens:
        if _SENTENCE_PUNCTUATION.search(token) and not _ABBREVIATION.fullmatch(token):
            return False
        lower = token.lower()
        if token[0].isupper() or _token_role(_WORDS.findall(lower)) or (role and len(tokens) == 1):
            named = True
        elif token[0].isalpha() and _HAS_DIGIT.search(token):
            named = True  # pseudonym codes are often lower case: "admin-1", "p03"
        elif not (token[0].isdigit() or lower in _PARTICLES):
            return False
    return named


@lru_cache(maxsize=4096)
def infer_role(label: str) -> str | None:
    """The normalised role a label states ("Moeder (Samira)" -> "ouder"), else None.

    The first word that names a role wins; single letters count only alone ("I", "R2"),
    so the initial in "R. Jansen" does not make Mr Jansen a respondent.
    """
    single = _SINGLE_LETTER_ROLE.fullmatch(label.strip())
    if single:
        return "interviewer" if single.group(1).lower() == "i" else "respondent"
    return _token_role(_WORDS.findall(label.lower()))


def _token_role(words: list[str]) -> str | None:
    for word in words:
        if word in _ROLE_WORDS:
            return _ROLE_WORDS[word]
        for suffix, role in _ROLE_SUFFIXES:
            if word.endswith(suffix):
                return role
    return None


def _clock(stamp: str) -> str:
    """``[01:23]``, ``(0:01:23.5)`` or ``00:01:23,000`` as ``HH:MM:SS``."""
    # Fast paths for the common "[00:01:23]" and "00:01:23": subtitles stamp every line.
    if len(stamp) == 10 and stamp[0] in "[(" and stamp[3] == stamp[6] == ":":
        return stamp[1:9]
    if len(stamp) == 8 and stamp[2] == stamp[5] == ":":
        return stamp
    parts = stamp.strip("[]()").replace(",", ".").split(".")[0].split(":")
    hours, minutes, seconds = (["0"] * (3 - len(parts)) + parts)[-3:]
    return f"{int(hours):02d}:{int(minutes):02d}:{int(seconds):02d}"
