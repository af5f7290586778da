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
# A full month name, or an abbreviation with its full stop ("3 mrt. 2016"); not the full stop
# that ends a sentence after "juni".
_MONTH = (
    "(?:"
    + "|".join(sorted(MONTHS.split()[:12], key=len, reverse=True))
    + "|(?:"
    + "|".join(sorted(MONTHS.split()[12:], key=len, reverse=True))
    + r")\.?)"
)
_MONTH_NAME = "|".join(MONTHS.split()[:12])
# Numbers read out word by word: "nul zes, eenenveertig, achtentachtig", a BSN "twee acht vier, …".
_NUMBER_WORD = (
    r"(?:nul|een|één|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|dertien|veertien|vijftien|zestien"
    r"|zeventien|achttien|negentien|(?:(?:een|twee|drie|vier|vijf|zes|zeven|acht|negen)[eë]n)?"
    r"(?:twintig|dertig|veertig|vijftig|zestig|zeventig|tachtig|negentig))"
)
SPOKEN_NUMBER = re.compile(rf"(?<!\w){_NUMBER_WORD}(?:[\s,-]+{_NUMBER_WORD}){{4,}}(?!\w)", re.IGNORECASE)
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
    rf"|(?:{_DAY_WORD})(?:ste|de)?\s+{_MONTH}(?:\s+(?:tweeduizend|negentienhonderd)[a-zë]*|\s+\d{{4}})?"  # twaalf februari tweeduizendzestien
    rf"|(?:{_MONTH_NAME})\s+(?:{_DAY_WORD}|\d{{1,2}})(?!\s*(?:jaar|uur|euro|procent|minuten|dagen|weken|kinderen))"  # mei zevenentwintig
    rf"|(?:{_MONTH_NAME})\s+(?:\d{{4}}|(?:tweeduizend|negentienhonderd)[a-zë]+)"  # oktober 2023
    rf"|\d{{1,2}}[-/.]\d{{1,2}}[-/.](?:\d{{4}}|\d{{2}})"  # 14-03-2016, 14/3/16
    rf"|\d{{4}}-\d{{2}}-\d{{2}}"  # 2016-03-14
    rf")(?!\w)",
    re.IGNORECASE,
)
# A month said on its own is a date of the interview's story ("sinds februari", "in maart
# vorig jaar"): Dutch month names are no other word.
MONTH_NAME = re.compile(rf"(?<![\w-])(?:{_MONTH_NAME})(?![\w-])", re.IGNORECASE)
# A year: in digits (not an amount: "2000 euro"), or in words ("tweeduizendzestien"), or
# short after a word of time ("in tweeëntwintig.", "de zomer van twintig").
YEAR = re.compile(
    r"(?<![\w€.,:/-])(?<!€ )(?:19\d\d|20[0-4]\d)(?![\w:/-]|[.,]\d|\s*(?:euro|eur|€|,-|km|kilometer|mensen|gezinnen|kinderen|woorden|keer|uur))"
    r"|(?<!\w)(?:tweeduizend|negentienhonderd)[a-zë]+(?!\w)",
    re.IGNORECASE,
)
SHORT_YEAR = re.compile(
    r"\b(?:in|sinds|vanaf|voorjaar|najaar|(?:de\s+)?(?:zomer|winter|herfst|lente)\s+van)\s+"
    r"(?P<y>(?:(?:een|twee|drie|vier|vijf|zes|zeven|acht|negen)[eë]n)?twintig)(?=\s*[.,;!?])",
    re.IGNORECASE,
)

# Ages. A number is an age only in a frame that says so; the frames below are what interview
# speech uses: "Femke is acht", "ze wordt negen in februari", "een meisje van zeven",
# "toen Jayden zes was", "op haar negentiende", "een man, eind vijftig", "Thijs, negenendertig,"
# and the answer to "hoe oud …?". Only the number (with "jaar (oud)") becomes the placeholder.
_UNIT = r"(?:een|één|twee|drie|vier|vijf|zes|zeven|acht|negen)"
_TENS = r"(?:twintig|dertig|veertig|vijftig|zestig|zeventig|tachtig|negentig)"
_N = (
    rf"(?:\d{{1,3}}|honderd(?:\s+en\s+{_UNIT})?|(?:{_UNIT}[eë]n)?{_TENS}"
    r"|tien|elf|twaalf|dertien|veertien|vijftien|zestien|zeventien|achttien|negentien"
    r"|twee|drie|vier|vijf|zes|zeven|acht|negen)"
)
_ORDINAL = rf"(?:{_N}(?:ste|de))"
_AFTER = rf"(?=\s*[,.;!?)…]|\s+(?:en|nu|maar|die|he|hè|hoor|of|in\s+(?:{_MONTH_NAME}))\b|\s*$)"
_ADVERB = r"(?:nu|pas|bijna|net|inmiddels|ook|toen|al|nog|geen|ongeveer)"
_CHILD = (
    r"kind|kindje|meisje|meisjes|meid|meiden|jongen|jongens|jongetje|knul|zoon|zoontje|dochter|dochtertje"
    r"|broer|broertje|zus|zusje|puber|tiener|kleinkind|kleinzoon|kleindochter"
)
_ADULT = r"man|vrouw|mevrouw|meneer|moeder|vader|oma|opa|buurvrouw|buurman|tante|oom|dame"
AGE = re.compile(
    # "Femke is acht", "dan ben ik eenenvijftig", "die is honderd en één", "hij was toen nog geen twee"
    rf"\b(?=[ibw])(?<!het )(?<!dat )(?<!dit )(?<!wat )(?<!\ber )(?:is|was|ben|bent|wordt|werd|word)\s+"
    rf"(?:(?:hij|zij|ze|ik|die|je|jij)\s+)?(?:{_ADVERB}\s+){{0,3}}(?P<a>{_N}(?:\s+jaar(?:\s+oud)?)?){_AFTER}"
    rf"|(?<!\w)(?=[\dhetdvzané])(?P<b>{_N}\s+jaar\s+oud)(?!\w)"
    rf"|(?<!\w)(?=[\dhetdvzané])(?P<c>{_N}-?jarige?)(?!\w)"
    # "een meisje van zeven", "mijn moeder van vijfenzeventig" (an adult's only from sixteen)
    rf"|\b(?:(?P<child>{_CHILD})|(?P<adult>{_ADULT}))\s+van\s+(?P<d>(?!een\b|één\b){_N}(?:\s+jaar(?:\s+oud)?)?)"
    rf"(?!\s+(?:kinderen|kids|jongens|meiden|zonen|dochters|weken|maanden|dagen|uur|keer|euro|procent|kantjes)\b)(?!\w)"
    # "toen ik acht was", "toen Jayden zes was", "als hij achttien is"
    rf"|\b(?:toen|als|tot)\s+(?:ik|hij|zij|ze|je|[A-Z][a-zà-ÿ]+)\s+(?P<e>{_N})\s+(?:was|is|werd|wordt|ben|bent)\b"
    # "op haar negentiende", "vanaf mijn zestiende"
    rf"|\b(?:op|sinds|vanaf|tot|na|voor|vóór|rond)\s+(?:mijn|zijn|haar|je|jouw|z'n|m'n|d'r|hun)\s+"
    rf"(?P<g>(?!(?:eerste|tweede|derde)\b){_ORDINAL})(?!\w)"
    # "een man, eind vijftig,", "een vrouw in de veertig."
    rf"|\b(?:eind|begin|midden|halverwege|in\s+de|ergens\s+in\s+de)\s+(?P<h>{_TENS})(?=\s*[,.;!?])",
    re.IGNORECASE,
)
# "Thijs, negenendertig, consulent", "Ik ben Ricardo, drieënvijftig jaar."
AGE_AFTER_NAME = re.compile(
    rf"(?<!\w)(?!(?:Ja|Nee|Nou|Oké|Goed|Dus|Maar|En|Eh|Ehm|Want|Toen|Nu)\b)[A-Z][a-zà-ÿ]+,\s+(?P<n>{_N}(?:\s+jaar)?)(?=\s*,|\s*\.|(?<=jaar)\b)"
)
HOW_OLD = re.compile(r"\bhoe\s+oud\b[^?]{0,60}\?", re.IGNORECASE)
# The answer: a number that is its own sentence ("Veertien. Vijftien in mei.").
_ANSWER = re.compile(
    rf"(?:^|(?<=[.:!?)\]])\s*|(?<=[.:!?)\]]))\s*(?P<n>{_N}(?:\s+jaar(?:\s+oud)?)?)(?=\s*[.,!?]|\s+in\s+(?:{_MONTH_NAME})\b)",
    re.IGNORECASE,
)
# After an age: ", bijna acht", ", elf", ", ons Floor vier".
_AGE_MORE = re.compile(
    rf",\s*(?:bijna\s+|of\s+|(?:ons|onze|mijn|en)\s+[A-Z][a-zà-ÿ]+\s+)?(?P<n>{_N})(?=\s*[.,;!?])", re.IGNORECASE
)

_VALUES = {
    w: i
    for i, w in enumerate(
        "nul een twee drie vier vijf zes zeven acht negen tien elf twaalf dertien veertien vijftien zestien "
        "zeventien achttien negentien".split()
    )
} | {"één": 1}
_TEN_VALUES = {w: 20 + 10 * i for i, w in enumerate(_TENS[3:-1].split("|"))}


def number_value(words: str) -> int | None:
    """The value of a Dutch number said in words or digits ("vijfenzeventig" → 75,
    "honderd en één" → 101, "12" → 12); None when it is no number."""
    w = re.sub(r"\s+jaar(?:\s+oud)?$", "", words.strip().lower())
    if w.isdigit():
        return int(w)
    if w in _VALUES:
        return _VALUES[w]
    if w.startswith("honderd"):
        rest = re.sub(r"^honderd(?:\s+en\s+)?", "", w)
        extra = number_value(rest) if rest else 0
        return None if extra is None else 100 + extra
    for tens, value in _TEN_VALUES.items():
        if w == tens:
            return value
        unit = w[: -len(tens)] if w.endswith(tens) else ""
        for suffix in ("ën", "en"):
            if unit.endswith(suffix) and unit[: -len(suffix)] in _VALUES:
                return value + _VALUES[unit[: -len(suffix)]]
    return None


def find_ages(text: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of every age said in ``text`` (see :data:`AGE`)."""
    spans: list[tuple[int, int]] = []
    for m in AGE.finditer(text):
        for group in "abcdegh":
            if m.group(group):
                if group == "d" and m.group("adult") and (number_value(m.group("d")) or 0) < 16:
                    break  # "een moeder van drie": children, not an age
                spans.append((m.start(group), m.end(group)))
                break
    for m in AGE_AFTER_NAME.finditer(text):
        value = number_value(m.group("n"))
        word = text[m.start() : text.index(",", m.start())]
        if value is not None and 16 <= value <= 110 and number_value(word) is None:
            spans.append((m.start("n"), m.end("n")))
    for q in HOW_OLD.finditer(text):
        for m in _ANSWER.finditer(text, q.end(), min(len(text), q.end() + 150)):
            spans.append((m.start("n"), m.end("n")))
    for start, end in list(spans):
        more = _AGE_MORE.match(text, end)
        if more:
            spans.append((more.start("n"), more.end("n")))
        # Said again as a sentence of its own: "die is honderd en één. Honderd en één!"
        said = text[start:end].lower()
        for m in _ANSWER.finditer(text, end, min(len(text), end + 80)):
            if m.group("n").lower() == said:
                spans.append((m.start("n"), m.end("n")))
    yield from sorted(set(spans))


def find_dates(text: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of every date said in ``text``: day and month (and year), a month, a
    year."""
    for m in DATE.finditer(text):
        yield m.start(), m.end()
    for m in MONTH_NAME.finditer(text):
        yield m.start(), m.end()
    for m in YEAR.finditer(text):
        yield m.start(), m.end()
    for m in SHORT_YEAR.finditer(text):
        yield m.start("y"), m.end("y")


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
    r"(?<!\w)(?:(?!(?:In|Op|Aan|Naar|Bij|Van|Uit|En|Maar|Dus|Want|Dat|Die|Het|De|Wij|Ik|We|Over|Met|Voor|Door|Om|Tot|Tegen|Langs|Achter)\s)[A-Z][a-zà-ÿ'’-][\w'’-]*\s+){0,2}"
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
    for start, end in find_dates(text):
        yield start, end, "datum"
    for start, end in find_ages(text):
        yield start, end, "leeftijd"
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
