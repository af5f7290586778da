"""Finding the identifying details in a study: the detectors, and the decisions over them.

Detectors, each giving ``(start, end, kind)`` spans of a document's text:

- ``deduce`` (optional, lazily imported), the maintained Dutch de-identifier;
- shapes (:mod:`qualcode.pseudonymise.patterns`): e-mail, phone, postcode, BSN, dates,
  ages, schools, institutions, streets;
- the study's own lists: speaker labels that are names, participants written as names,
  and the researcher's gazetteer (``--names``).

Decisions: the gazetteer's "not a name" words, lower-case "names" (Dutch words such as hoop
or roos) and the study's own organisations (its organisations, projects and municipalities,
unless ``include_organisations``) are dropped. Then every surface form that was found once
is replaced wherever it occurs (names and places across the whole study, dates and ages
within their document), so a name deduce recognised in one sentence is not left standing
in the next.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from qualcode.core.progress import Progress, report
from qualcode.pseudonymise import patterns
from qualcode.pseudonymise.gazetteer import Gazetteer

# Which detector wins an overlap: the researcher's list first, then shapes, then deduce.
_PRIORITY = {"gazetteer": 0, "speaker": 1, "participant": 1, "pattern": 2, "deduce": 3, "capitals": 4, "propagated": 5}
# Kinds whose surface forms are replaced only in the document they were found in: "elf jaar"
# is an age in one interview and a duration in another.
LOCAL_KINDS = frozenset({"datum", "leeftijd"})
_PARTICLES = frozenset({"van", "de", "der", "den", "het", "ter", "ten", "te", "in", "'t", "op", "bij"})
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
# Capitalised words deduce tags as names in interview speech but that are speech, not people.
_SPEECH = frozenset(
    [
        "Ja",
        "Nee",
        "Nou",
        "Oké",
        "Ok",
        "Eh",
        "Ehm",
        "Hm",
        "Hmm",
        "Ah",
        "Oh",
        "Jij",
        "Ik",
        "Wij",
        "Zij",
        "Hij",
        "Ze",
        "We",
        "Je",
        "Mijn",
        "Dat",
        "Die",
        "Dit",
        "Wat",
        "Maar",
        "En",
        "Interviewer",
        "Moeder",
        "Vader",
        "Coach",
        "Juf",
        "Meester",
        "Mama",
        "Papa",
        "Mam",
        "Pap",
        "Oma",
        "Opa",
        "Heit",
        "Mem",
        "Houdoe",
        "Gezinscoach",
        "Hoi",
        "Hallo",
        "Dag",
        "Goedemorgen",
        "Goedemiddag",
        "Goedenavond",
        "Doei",
        "Dank",
        "Bedankt",
        "Sorry",
        "Tja",
        "Nja",
        "Jawel",
        "Zeker",
        "Precies",
    ]
)
# Capitalised words in speech that name no person, place or school of the study: languages,
# laws and national agencies, shops and brands, feasts, points of the compass. (A study's
# own organisations are protected separately, from its organisations and projects.)
_NOT_IDENTIFYING_WORDS = frozenset(
    [
        "Nederlands",
        "Engels",
        "Duits",
        "Frans",
        "Turks",
        "Arabisch",
        "Marokkaans",
        "Pools",
        "Syrisch",
        "Somalisch",
        "Eritrees",
        "Tigrinya",
        "Fries",
        "Nederland",
        "Europa",
        "God",
        "Allah",
        "Jezus",
        "Sinterklaas",
        "Kerst",
        "Kerstmis",
        "Pasen",
        "Ramadan",
        "Suikerfeest",
        "Offerfeest",
        "Wmo",
        "Participatiewet",
        "Jeugdwet",
        "Bijstand",
        "Toeslagen",
        "Belastingdienst",
        "Zorgtoeslag",
        "Kinderrechtenverdrag",
        "UWV",
        "GGD",
        "CJG",
        "DUO",
        "CAK",
        "SVB",
        "CBR",
        "Voedselbank",
        "Jeugdzorg",  # youth care in general ("nou komt Jeugdzorg"); "Jeugdzorg Drenthe" is still a body
        "Kledingbank",
        "Jeugdfonds",
        "Sport",
        "Cultuur",
        "Action",
        "Lidl",
        "Aldi",
        "Jumbo",
        "Kruidvat",
        "Hema",
        "Zeeman",
        "Primark",
        "Albert",
        "Heijn",
        "Efteling",
        "Google",
        "WhatsApp",
        "Facebook",
        "Instagram",
        "TikTok",
        "YouTube",
        "Netflix",
        "Marktplaats",
        "Zuid",
        "Noord",
        "Oost",
        "West",
        "Randstad",
        "Corona",
        "Cito",
        "Excel",
        "Halt",
        "Puch",
        "Kader",
        "Azië",
        "Afrika",
        "Amerika",
        "Friese",
        "Drents",
        "Drentse",
        "Hollands",
        "Hollandse",
        "Brabants",
        "Brabantse",
        "Limburgs",
        "Rotterdams",
        "Tilburgs",
        "Leids",
        "Fryslân",
    ]
)
# Countries, provinces, peoples and clubs: where someone comes from, said among many.
_COUNTRIES = frozenset(
    "Syrië Eritrea Suriname Marokko Turkije Polen Somalië Afghanistan Irak Iran Ghana Nigeria Oekraïne Rusland "
    "Duitsland België Frankrijk Portugal Italië Griekenland Curaçao Aruba Bonaire Egypte China India Tokio "
    "Drenthe Friesland Overijssel Brabant Limburg Holland Zeeland Gelderland "
    "Antilliaans Antilliaanse Surinamer Surinaams Surinaamse Marokkaan Marokkaanse Turk Turkse Pool Poolse Drent "
    "Ajax PSV Feyenoord Meldcode Sint".split()
)
_NOT_IDENTIFYING = _NOT_IDENTIFYING_WORDS | _COUNTRIES
# Names of several words that are no one's: kept whole, so "Albert" the neighbour is still found.
_NOT_IDENTIFYING_PHRASES = ("Veilig Thuis", "Albert Heijn", "Jeugdfonds Sport", "Sport en Cultuur")
_SENTENCE_BREAK = re.compile(r"[.!?;:]+\s+|\s*\n\s*|\s+-{1,2}\s+")


@dataclass(frozen=True, slots=True)
class Finding:
    document_id: int
    start: int
    end: int
    text: str
    kind: str
    source: str

    def context(self, doc_text: str, width: int = 40) -> str:
        left = doc_text[max(0, self.start - width) : self.start].replace("\n", " ")
        right = doc_text[self.end : self.end + width].replace("\n", " ")
        return f"…{left}[{doc_text[self.start : self.end]}]{right}…"


@dataclass
class SourceDocument:
    """What detection needs of a document: its text and the study's own names in it."""

    id: int
    title: str
    text: str
    speakers: list[str] = field(default_factory=list)
    participant: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass
class Options:
    gazetteer: Gazetteer = field(default_factory=Gazetteer)
    use_deduce: bool = True
    include_organisations: bool = False
    protected: set[str] = field(default_factory=set)  # the study's organisation names


def speaker_names(label: str) -> list[str]:
    """The names in a speaker label: "Moeder (Samira)" → ["Samira"], "Coach Annelies" →
    ["Annelies"], "Interviewer" → []."""
    from qualcode.ingest.turns import infer_role

    inner = re.findall(r"\(([^()]+)\)", label)
    if inner:
        return [n for part in inner for n in speaker_names(part)]
    words = [w for w in _WORD.findall(label)]
    names = [w for w in words if w[0].isupper() and len(w) > 1 and infer_role(w) is None and w not in _SPEECH]
    if not names:
        return []
    # "Anja van der Berg": keep the whole name as it is written.
    first, last = label.find(names[0]), label.rfind(names[-1]) + len(names[-1])
    whole = label[first:last]
    return [whole] if all(w in _PARTICLES or w in names for w in _WORD.findall(whole)) else names


_PARTICIPANT_CODE = re.compile(r"^[A-Z]{1,4}[-_]?[A-Z0-9-]*\d+[A-Z0-9-]*$")


def _raw_findings(doc: SourceDocument, options: Options) -> list[Finding]:
    found: list[Finding] = []
    text = doc.text

    def add(start: int, end: int, kind: str, source: str) -> None:
        start, end = _trim(text, start, end)
        if end > start:
            found.append(Finding(doc.id, start, end, text[start:end], kind, source))

    for start, end, kind in patterns.find_shapes(text):
        add(start, end, kind, "pattern")
    for start, end, kind in _capitalised_unknowns(text):
        add(start, end, kind, "capitals")
    if options.use_deduce:
        from qualcode.pseudonymise.deduce_engine import annotate

        for start, end, kind in annotate(text):
            for s, e in _split_person(text, start, end, kind):
                parts = _sentence_parts(text, s, e) if kind in ("persoon", "plaats") else [(s, e)]
                for part_start, part_end in parts:
                    part_start = _skip_speech(text, part_start, part_end)
                    if kind in ("persoon", "plaats"):
                        part_start = _strip_leading(text, part_start, part_end)
                    if kind in ("persoon", "plaats") and _ordinary_word_at_start(text, part_start, part_end, kind):
                        continue
                    # deduce's "Wessel" the town is mostly Wessel the boy
                    first_name = kind == "plaats" and text[part_start:part_end] in _first_names()
                    kind_here = "persoon" if first_name else kind
                    add(part_start, part_end, kind_here, "deduce")
    own: list[tuple[str, str, str]] = [(n, k, "gazetteer") for n, k in options.gazetteer.names.items()]
    own += [(name, "persoon", "speaker") for label in doc.speakers for name in speaker_names(label)]
    if doc.participant and not _PARTICIPANT_CODE.match(doc.participant.strip()):
        own += [(doc.participant.strip(), "persoon", "participant")]
    for name, kind, source in own:
        for m in _occurrences(text, name):
            add(m[0], m[1], kind, source)
    return found


_CAPITALISED = re.compile(
    r"(?<![\w-])[A-Z][a-zà-ÿ'’]+(?![\w-])(?:[ ](?:(?:van|de|der|den|ter|ten|van de|van der|van den)[ ])?[A-Z][a-zà-ÿ'’]+(?![\w-]))*"
)
_SENTENCE_START = re.compile(r"(?:^|[.!?:\]\[(*'‘\"“…\n]|--)[ \t]*$")


def _capitalised_unknowns(text: str) -> Iterable[tuple[int, int, str]]:
    """Capitalised words in speech. Dutch capitalises only names inside a sentence, so there a
    capitalised word that is no dictionary word, or is a known first name or surname, is a
    person (a known town: a place). At a sentence start only known first names count."""
    from qualcode.ingest.nlp import is_known_word
    from qualcode.pseudonymise.deduce_engine import name_lists

    first, surnames, places, common = name_lists()
    for m in _CAPITALISED.finditer(text):
        start = _strip_leading(text, _skip_speech(text, m.start(), m.end()), m.end())
        if start >= m.end() or m.end() - start < 3:
            continue
        span = text[start : m.end()]
        words = [w for w in span.split() if w[0].isupper()]
        if span in _NOT_IDENTIFYING or any(w in _NOT_IDENTIFYING for w in words):
            continue
        initial = start == 0 or bool(_SENTENCE_START.search(text[max(0, start - 4) : start]))
        if initial:
            if (words[0] in first and words[0].lower() not in common and not is_known_word(words[0])) or (
                len(words) > 1 and words[0] in first
            ):
                yield start, m.end(), "persoon"
            continue
        if len(words) == 1 and words[0] in places and words[0] not in first:
            yield start, m.end(), "plaats"
        elif any(w in first or w in surnames for w in words):
            yield start, m.end(), "persoon"
        elif not all(is_known_word(w) for w in words) and not (len(words) == 1 and len(words[0]) > 12):
            # A long unknown single word is a compound noun or a law ("Kinderrechtenverdrag").
            yield start, m.end(), "persoon"


def _first_names() -> frozenset[str]:
    from qualcode.pseudonymise.deduce_engine import name_lists

    return name_lists()[0]


def _sentence_parts(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """deduce joins names across a full stop ("Jesse. Marloes"): one span per sentence."""
    parts, cursor = [], start
    for m in _SENTENCE_BREAK.finditer(text, start, end):
        parts.append((cursor, m.start()))
        cursor = m.end()
    parts.append((cursor, end))
    return [(s, e) for s, e in parts if e > s]


def _skip_speech(text: str, start: int, end: int) -> int:
    """Past greetings and fillers that open a span ("Goedemorgen Froukje", "Hoi Jesse")."""
    m = _SPEECH_PREFIX.match(text, start, end)
    return m.end() if m else start


_SPEECH_PREFIX = re.compile(r"(?:(?:" + "|".join(sorted(_SPEECH, key=len, reverse=True)) + r")[ ,]+)+")


_LEADING = re.compile(r"([A-Z][a-zà-ÿ]+)\s+(?=[A-Z])")


def _strip_leading(text: str, start: int, end: int) -> int:
    """Past a capitalised ordinary word before a name: "Van Rutger", "Aan Ilse", "Arme Ilse",
    "Zegt Ytsje" (a sentence start). A particle before a surname stays ("Van Bokhoven"), and
    so does a title ("Mevrouw Scholten", "Juf Marieke")."""
    m = _LEADING.match(text, start, end)
    if m is None:
        return start
    word, rest = m.group(1), text[m.end() : end].split(" ")[0]
    if word.lower() in ("mevrouw", "meneer", "juf", "meester", "tante", "oom", "opa", "oma", "dokter"):
        return start
    if word.lower() in _PARTICLES:
        # "Van Rutger", "Van Samen Sterk": not a surname; "Van Bokhoven": one.
        return m.end() if rest in _first_names() or _ordinary(rest) else start
    if word in _first_names() and not _stop_word(word):
        return start  # "Kim Verhagen": a first name before a surname
    return m.end() if _ordinary(word) else start


def _stop_word(word: str) -> bool:
    from qualcode.ingest.nlp import stop_words

    return word.lower() in stop_words("nl")


def _ordinary(word: str) -> bool:
    """A Dutch dictionary or common word (spaCy's lemma table, deduce's common words)."""
    from qualcode.ingest.nlp import is_known_word
    from qualcode.pseudonymise.deduce_engine import name_lists

    return is_known_word(word) or word.lower() in name_lists()[3]


def _ordinary_word_at_start(text: str, start: int, end: int, kind: str) -> bool:
    """A single capitalised word opening a sentence that deduce takes for a name but that is
    no known first name ("Scholing", "Niks", "Pas"), or for a place but is a common word
    ("Best een mooie naam"). Real names there are still found where they occur mid-sentence."""
    word = text[start:end]
    if " " in word or not word[:1].isupper():
        return False
    if word in _NOT_IDENTIFYING:
        return True
    initial = start == 0 or bool(_SENTENCE_START.search(text[max(0, start - 4) : start]))
    if not initial:
        return False
    if kind == "persoon":
        return word not in _first_names()
    return _ordinary(word) or _imperative(word, text[end : end + 12])


# What follows a verb said as a command ("Leg het eens uit", "Zeg maar", "Geef me"), where a
# place opening a sentence is followed by a verb ("Emmen is klein", "Veen ligt …").
_AFTER_IMPERATIVE = re.compile(
    r"[ ]+(?:het|'t|'m|hem|haar|me|mij|je|ze|ons|maar|eens|es|even|nou|toch|dat|dit|die|de|een|gewoon)\b"
)


def _imperative(word: str, after: str) -> bool:
    """A verb's stem opening a command: "Leg het eens uit" (deduce: the hamlet Leg)."""
    from qualcode.ingest.nlp import is_verb_stem

    return bool(_AFTER_IMPERATIVE.match(after)) and is_verb_stem(word)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and not (text[start].isalnum() or text[start] in "+("):
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return start, end


def _split_person(text: str, start: int, end: int, kind: str) -> list[tuple[int, int]]:
    """deduce joins "Annelies de Vries van Schuldhulp Drenthe" into one person: cut a person
    at "van"/"bij"/"en" followed by a capitalised word that is not part of a surname."""
    if kind != "persoon":
        return [(start, end)]
    span = text[start:end]
    m = re.search(
        r"\s(?:van|bij|en|of|met)\s+(?=(?:[A-Z][\w-]+\s+){0,1}(?:Schuldhulp|GGZ|Ggz|Stichting|Welzijn|Gemeente|OBS|CBS|School|Kredietbank|Jeugdzorg|Leergeld))",
        span,
    )
    if m:
        return [(start, start + m.start())]
    return [(start, end)]


def _occurrences(text: str, surface: str) -> Iterable[tuple[int, int]]:
    if surface not in text:  # most surfaces are not in most documents: no pattern to build
        return
    pattern = re.compile(r"(?<!\w)" + re.escape(surface) + r"(?!\w)")
    for m in pattern.finditer(text):
        yield m.start(), m.end()


def _protected_spans(text: str, protected: set[str]) -> list[tuple[int, int]]:
    """Where the study's own organisations are named (and their short forms: "Samen Sterk"
    for "Stichting Samen Sterk Rotterdam"), and names that are no one's ("Veilig Thuis").
    "Helmond" protects the municipality, not the neighbourhood "Helmond-Noord"."""
    spans: list[tuple[int, int]] = []
    for name in _variants(protected) | set(_NOT_IDENTIFYING_PHRASES):
        if name not in text:
            continue
        pattern = re.compile(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])")
        spans.extend((m.start(), m.end()) for m in pattern.finditer(text))
    return spans


def _role_word(word: str) -> bool:
    from qualcode.ingest.turns import infer_role

    return infer_role(word) is not None


def _variants(names: set[str]) -> set[str]:
    towns = {n for n in names if " " not in n}
    found = set(names)
    for name in names:
        short = re.sub(r"^(?:Stichting|Gemeente|Vereniging)\s+", "", name)
        for town in towns:
            if short.endswith(" " + town) and short != town:
                short = short[: -len(town) - 1]
        if short != name and len(short) > 3:
            found.add(short)
    return found


def _keep(f: Finding, options: Options, protected_spans: list[tuple[int, int]]) -> bool:
    if f.source == "gazetteer":
        return not options.gazetteer.is_not_name(f.text)
    if options.gazetteer.is_not_name(f.text):
        return False
    if f.kind in ("persoon", "plaats") and not f.text[:1].isupper():
        return False  # "hoop", "roos", "bos": Dutch words, not names
    if f.kind == "persoon" and " " not in f.text and _role_word(f.text):
        return False  # "Kind:", "Moeder" as a speaker label
    if f.kind in ("instelling", "school") and f.text == f.text.lower():
        return False  # "het Dollard College" keeps its article; a lower-case phrase is no name
    if f.kind in ("persoon", "plaats", "instelling", "school") and (
        f.text in _SPEECH or f.text in _NOT_IDENTIFYING or len(f.text) < 2
    ):
        return False
    if not options.include_organisations:
        # Made only of the study's own names ("Leergeld Coevorden"); "Kredietbank Rotterdam"
        # is another body and stays a finding.
        inside = [(s, e) for s, e in protected_spans if s < f.end and f.start < e]
        if inside and all(
            f.text[i].isspace() or any(s <= f.start + i < e for s, e in inside) for i in range(len(f.text))
        ):
            return False
    return True


def _resolve(findings: list[Finding]) -> list[Finding]:
    """Non-overlapping findings: the researcher's list first, then the longer span (a whole
    "Annelies de Vries" over its "Annelies"), then shapes before deduce."""
    ordered = sorted(
        findings, key=lambda f: (f.source != "gazetteer", -(f.end - f.start), _PRIORITY[f.source], f.start)
    )
    taken: list[Finding] = []
    for f in ordered:
        if any(t.start < f.end and f.start < t.end for t in taken):
            continue
        taken.append(f)
    return sorted(taken, key=lambda f: f.start)


def detect(
    documents: list[SourceDocument],
    options: Options,
    *,
    progress: Progress | None = None,
) -> dict[int, list[Finding]]:
    """The findings of every document, after the decisions and the propagation. Long work
    by :mod:`qualcode.core.progress`'s protocol: a progress report may raise ``Cancelled``."""
    direct: dict[int, list[Finding]] = {}
    for n, doc in enumerate(documents):
        report(progress, n, len(documents), doc.title)
        spans = _protected_spans(doc.text, options.protected)
        kept = [f for f in _raw_findings(doc, options) if _keep(f, options, spans)]
        direct[doc.id] = _resolve(kept)
    report(progress, len(documents), len(documents), "")
    # One kind per surface form across the study: the most trusted source's kind.
    kinds: dict[str, tuple[int, str]] = {}
    for found in direct.values():
        for f in found:
            rank = _PRIORITY[f.source]
            if f.text not in kinds or rank < kinds[f.text][0]:
                kinds[f.text] = (rank, f.kind)
    surfaces = {t: k for t, (_, k) in kinds.items() if k not in LOCAL_KINDS}
    # "Dwarsdiep 24" found once: "Dwarsdiep" alone is the same street elsewhere.
    for text, kind in list(surfaces.items()):
        street = re.sub(r"\s+(?:\d{1,4}\s?[a-z]?|[a-zë]+)$", "", text)
        if kind == "plaats" and street != text and street not in surfaces:
            surfaces[street] = kind
    result: dict[int, list[Finding]] = {}
    for doc in documents:
        if doc.id not in direct:
            continue
        # An age is replaced where it was found, not at every "negen" or "twee jaar" of the
        # interview (most are marks, hours and durations); a date of several words ("12 mei",
        # "oktober 2023") and an age that says so ("acht jaar oud") wherever they occur.
        local = {f.text: f.kind for f in direct[doc.id] if f.kind in LOCAL_KINDS and spreads(f.text, f.kind)}
        extra = [
            Finding(doc.id, s, e, doc.text[s:e], kind, "propagated")
            for surface, kind in {**surfaces, **local}.items()
            for s, e in _occurrences(doc.text, surface)
        ]
        spans = _protected_spans(doc.text, options.protected)
        extra = [f for f in extra if _keep(f, options, spans)]
        merged = _resolve(direct[doc.id] + extra)
        result[doc.id] = [f if f.kind == surfaces.get(f.text, f.kind) else _rekind(f, surfaces[f.text]) for f in merged]
    return result


def spreads(surface: str, kind: str) -> bool:
    """Whether a surface form is the same detail wherever it stands: every kind but dates and
    ages; a date of several words or with digits ("12 mei", "oktober 2023") and an age that
    says it is one ("acht jaar oud", "8-jarige"); not a bare "februari", "zes" or "twee jaar"."""
    if kind == "datum":
        return not surface.isalpha()
    if kind == "leeftijd":
        return bool(re.search(r"oud|jarig", surface))
    return True


def _rekind(f: Finding, kind: str) -> Finding:
    return Finding(f.document_id, f.start, f.end, f.text, kind, f.source)
