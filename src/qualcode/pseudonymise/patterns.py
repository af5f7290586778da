"""Regular expressions for the identifying details that have a shape: e-mail addresses,
phone numbers, postcodes, BSN-like numbers, exact dates, ages and schools.

These run before and beside ``deduce``: they are cheap, they know Dutch interview speech
("ze is nu elf jaar", "op OBS Het Palet"), and they keep working when ``deduce`` is not
installed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

MONTHS = (
    "januari februari maart april mei juni juli augustus september oktober november december "
    "jan feb mrt apr jun jul aug sep sept okt nov dec"
)
_MONTH = "(?:" + "|".join(sorted(MONTHS.split(), key=len, reverse=True)) + r")\.?"
_NUMBER_WORDS = (
    "een één twee drie vier vijf zes zeven acht negen tien elf twaalf dertien veertien vijftien zestien "
    "zeventien achttien negentien twintig eenentwintig tweeëntwintig drieëntwintig vierentwintig "
    "vijfentwintig dertig veertig vijftig zestig zeventig tachtig negentig"
)
_AGE_NUMBER = (
    r"(?:\d{1,3}|"
    + "|".join(sorted(_NUMBER_WORDS.split(), key=len, reverse=True))
    + r"|(?:\w+en)?(?:twintig|dertig|veertig|vijftig|zestig|zeventig|tachtig))"
)

# Numbers read out word by word: "nul zes, eenenveertig, achtentachtig", a BSN "twee acht vier, …".
_NUMBER_WORD = (
    r"(?:nul|een|één|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|dertien|veertien|vijftien|zestien"
    r"|zeventien|achttien|negentien|(?:(?:een|twee|drie|vier|vijf|zes|zeven|acht|negen)[eë]n)?"
    r"(?:twintig|dertig|veertig|vijftig|zestig|zeventig|tachtig|negentig))"
)
SPOKEN_NUMBER = re.compile(rf"(?<!\w){_NUMBER_WORD}(?:[ ,-]+{_NUMBER_WORD}){{4,}}(?!\w)", re.IGNORECASE)
_DIGIT_WORDS = frozenset("nul een één twee drie vier vijf zes zeven acht negen".split())
# An address read out: "hennie punt wolters at example punt nl".
SPOKEN_EMAIL = re.compile(
    r"(?<!\w)[\w-]+(?: punt [\w-]+)* (?:at|apenstaartje|apestaartje) [\w-]+(?: punt [\w-]+)+(?!\w)", re.IGNORECASE
)
# Days of the month said in words ("twaalf februari"); "een" is left out ("een maart" is rare,
# "een mei-vakantie" is not a date).
_DAY_WORD = "|".join(
    sorted(
        "twee drie vier vijf zes zeven acht negen tien elf twaalf dertien veertien vijftien zestien zeventien "
        "achttien negentien twintig eenentwintig tweeëntwintig drieëntwintig vierentwintig vijfentwintig "
        "zesentwintig zevenentwintig achtentwintig negenentwintig dertig eenendertig".split(),
        key=len,
        reverse=True,
    )
)
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}(?!\w)")
# 06-12345678, 06 1234 5678, 0592-123456, 010 - 123 45 67, +31 6 12345678, (0592) 12 34 56
PHONE = re.compile(r"(?<![\w+])(?:(?:\+31|0031)[\s-]?(?:\(0\))?[\s-]?\d|\(0\d{2,3}\)|0\d)(?:[\s-]?\d){7,9}(?![\w-]*\d)")
POSTCODE = re.compile(r"(?<!\w)[1-9]\d{3}[ \t]?(?!SA|SD|SS)[A-Z]{2}(?![\w])")
# Nine digits, bare or as 123.456.782 / 1234 56 782; checked with the eleven test.
BSN = re.compile(
    r"(?<![\w.-])(?:\d{9}|\d{3}[. ]\d{3}[. ]\d{3}|\d{4}[. ]\d{2}[. ]\d{3}|\d{2}[. ]\d{3}[. ]\d{2}[. ]\d{2})(?![\w-]|\.\d)"
)
DATE = re.compile(
    rf"(?<!\w)(?:"
    rf"\d{{1,2}}(?:e|ste|de)?\s+{_MONTH}(?:\s+(?:'\d{{2}}|\d{{4}}))?"  # 14 maart 2016, 3 mei
    rf"|(?:{_DAY_WORD})\s+{_MONTH}(?:\s+(?:tweeduizend|negentienhonderd)[a-zë]*)?"  # twaalf februari tweeduizendzestien
    rf"|{_MONTH}\s+(?:{_DAY_WORD}|\d{{1,2}})(?!\s*(?:jaar|uur|euro|procent|minuten|dagen|weken|kinderen))"  # mei zevenentwintig
    rf"|\d{{1,2}}[-/.]\d{{1,2}}[-/.](?:\d{{4}}|\d{{2}})"  # 14-03-2016, 14/3/16
    rf"|\d{{4}}-\d{{2}}-\d{{2}}"  # 2016-03-14
    rf")(?!\w)",
    re.IGNORECASE,
)
# An age, not a duration: "ze is elf jaar", "elf jaar oud", "een jongen van veertien jaar",
# "de 8-jarige", "toen ik zestien was". Only the "N jaar" words become the placeholder.
AGE = re.compile(
    rf"(?:\b(?:is|was|ben|bent|zijn|waren|wordt|werd|word) (?:(?:hij|zij|ze|ik|die|je) )?(?:(?:nu|pas|bijna|net|inmiddels|ook) )?(?P<a>{_AGE_NUMBER} jaar(?: oud)?)(?!\w)"
    rf"|(?<!\w)(?P<b>{_AGE_NUMBER} jaar oud)(?!\w)"
    rf"|(?<!\w)(?P<c>{_AGE_NUMBER}-?jarige?)(?!\w)"
    rf"|\b(?:zoon|dochter|kind|meisje|jongen|jongetje|meid|knul|broer|zus|zusje|broertje) van (?P<d>{_AGE_NUMBER}(?: jaar)?)(?!\w)"
    rf"|\btoen (?:ik|hij|zij|ze) (?P<e>{_AGE_NUMBER}) was\b"
    rf"|\b(?:mijn|zijn|haar|je|z'n|m'n|d'r) (?P<g>(?:{_AGE_NUMBER})(?:ste|de))\b"
    rf"|\b(?:is|was|wordt|werd|ben|bent|word) (?:(?:hij|zij|ze|die|ik) )?(?:nu |pas |bijna |net |inmiddels )?(?P<f>(?!een\b|één\b){_AGE_NUMBER})(?=\s*[,.;!?]|\s+en\b))",
    re.IGNORECASE,
)
_SCHOOL_NAME = r"(?:(?:de|het|De|Het|'t|Sint|St\.)\s+)?[A-Z][\w'’-]+(?:\s+(?:van\s+|de\s+|der\s+)?[A-Z][\w'’-]+){0,3}"
SCHOOL = re.compile(
    rf"(?<!\w)(?:"
    rf"(?:OBS|CBS|PCBS|RKBS|KBS|SBO|VSO|IKC|KC|SO|Basisschool|basisschool|Kindcentrum|kindcentrum|Montessorischool|"
    rf"montessorischool|Daltonschool|daltonschool|Jenaplanschool|jenaplanschool|school|School)\s+{_SCHOOL_NAME}"
    rf"|(?:het\s+|Het\s+|de\s+|De\s+)?[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?\s+(?:College|Lyceum|Gymnasium|Scholengemeenschap|Campus)"
    rf"|(?:het\s+|Het\s+)?(?:Scholengemeenschap|Lyceum|College|Gymnasium)\s+{_SCHOOL_NAME}"
    rf")(?!\w)"
)
# "op De Regenboog" near talk of school: a named school without a school word in its name.
SCHOOL_BY_CONTEXT = re.compile(r"\b(?i:op|naar|van|bij) (?P<name>(?:De|Het|'t) [A-Z][\w'’-]+(?: [A-Z][\w'’-]+)?)")
SCHOOL_CONTEXT = re.compile(r"school|klas|juf\b|meester\b|groep \d|leerkracht|directeur|schoolplein", re.IGNORECASE)
# Institutions tied to a person: GGZ, debt help, youth care with a proper name after them.
INSTITUTION = re.compile(
    r"(?<!\w)(?:(?:GGZ|Ggz|ggz)\s+[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,2}"
    r"|(?:Schuldhulp(?:verlening)?|Kredietbank|Jeugdzorg|Stichting|Zorggroep|Welzijn|Humanitas|Buurtteam|Wijkteam|"
    r"Loonbedrijf|Kringloop|Bakkerij|Garage|Kapsalon|Fietsen|Geldzaken|Kinderpraktijk|Praktijk|Huisartsenpraktijk|"
    r"Fysiotherapie|Zorgboerderij|Voetbalclub|Sportvereniging|Scouting|Budgetwijzer)"
    r"\s+[A-Z][\w'’-]+(?:\s+(?:(?:van|de|der|het|voor)\s+)?[A-Z][\w'’-]+){0,2})(?!\w)"
)
# Streets and neighbourhoods: a capitalised name ending in a street word, with its house number
# when one follows (the bare street is then also replaced wherever it occurs).
STREET = re.compile(
    r"(?<!\w)(?:(?!(?:In|Op|Aan|Naar|Bij|Van|Uit|En|Maar|Dus|Want|Dat|Die|Het|De|Wij|Ik|We)\s)[A-Z][\w'’-]+\s+){0,2}"
    r"[A-Z][\w'’-]{2,}(?:straat|laan|weg|diep|haven|wal|plein|singel|gracht|kade|dijk|dreef|hof|park|pad|steeg|markt|baan|"
    r"veld|wijk|kamp|hoek|akker|stede|burg|oord)(?:\s+\d{1,4}(?:\s?[a-z](?!\w))?|\s+(?:een|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|dertien|veertien|vijftien|zestien|zeventien|achttien|negentien|twintig)(?!\w))?(?!\w)"
)
# Neighbourhoods named after their town: "Helmond-Noord", "Leiden-Zuid".
QUARTER = re.compile(
    r"(?<![\w-])[A-Z][a-zà-ÿ]+-(?:Noord|Zuid|Oost|West|Centrum|Midden|Noordwest|Zuidwest|Noordoost|Zuidoost)(?![\w-])"
)
_STREET_FALSE = frozenset({"Hoek", "Park", "Markt", "Veld", "Kamp", "Hof", "Weg", "Plein", "Es", "Erf", "Pad", "Baan"})


def bsn_valid(digits: str) -> bool:
    """The eleven test every BSN passes (so a nine-digit account number mostly does not)."""
    numbers = [int(c) for c in digits if c.isdigit()]
    if len(numbers) != 9:
        return False
    total = sum(n * w for n, w in zip(numbers[:8], range(9, 1, -1))) - numbers[8]
    return total % 11 == 0 and total != 0


def find_shapes(text: str) -> Iterator[tuple[int, int, str]]:
    """``(start, end, kind)`` for every shaped detail in ``text`` (may overlap; the caller
    resolves overlaps)."""
    for m in EMAIL.finditer(text):
        yield m.start(), m.end(), "email"
    for m in SPOKEN_EMAIL.finditer(text):
        yield m.start(), m.end(), "email"
    for m in SPOKEN_NUMBER.finditer(text):
        words = re.findall(r"\w+", m.group().lower())
        kind = "bsn" if len(words) == 9 and set(words) <= _DIGIT_WORDS and words[0] != "nul" else "telefoon"
        yield m.start(), m.end(), kind
    for m in BSN.finditer(text):
        if bsn_valid(m.group()):
            yield m.start(), m.end(), "bsn"
    for m in PHONE.finditer(text):
        digits = sum(c.isdigit() for c in m.group())
        if 10 <= digits <= 12 and not bsn_valid(m.group()):
            yield m.start(), m.end(), "telefoon"
    for m in POSTCODE.finditer(text):
        yield m.start(), m.end(), "postcode"
    for m in DATE.finditer(text):
        yield m.start(), m.end(), "datum"
    for m in AGE.finditer(text):
        for group in "abcdefg":
            if m.group(group):
                yield m.start(group), m.end(group), "leeftijd"
    for m in SCHOOL.finditer(text):
        yield m.start(), m.end(), "school"
    for m in SCHOOL_BY_CONTEXT.finditer(text):
        window = text[max(0, m.start() - 120) : m.end() + 120]
        if SCHOOL_CONTEXT.search(window):
            yield m.start("name"), m.end("name"), "school"
    for m in INSTITUTION.finditer(text):
        yield m.start(), m.end(), "instelling"
    for m in QUARTER.finditer(text):
        yield m.start(), m.end(), "plaats"
    for m in STREET.finditer(text):
        if m.group() not in _STREET_FALSE:
            yield m.start(), m.end(), "plaats"
