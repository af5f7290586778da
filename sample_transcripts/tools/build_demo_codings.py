"""Build ``sample_transcripts/demo_codings/<stem>.yaml`` from the coding drafts in
``tools/coding_drafts/<stem>.yaml``.

The drafts hold onderzoeker-a's codings (short code aliases, exact quotes, memos) and
the passages onderzoeker-b coded that a missed (``b_extra``). Onderzoeker-b's codings of
a's passages are derived here by rules that mirror how a second coder really differs
from a first, so the agreement figures of the sample are realistic (kappa ~0.5-0.8) and
the differences are of the kind a reconciliation meeting discusses:

- b reads "vertrouwen" as the parent trusting the organisation: where a coded
  *Vertrouwd worden* b mostly codes *Vertrouwen* (the confusion the codebook v2 warns about);
- b rarely codes *Regelluwte en professionele ruimte*;
- b sometimes takes a neighbouring code (Gezien en gehoord / Zonder oordeel, Radeloosheid /
  Continue stress, ...), skips a passage, or marks a slightly different stretch (one
  sentence more or less).

The choices are drawn from a random generator seeded with the document name, so the
output is the same on every run. Usage::

    python sample_transcripts/tools/build_demo_codings.py
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
SAMPLES = HERE.parent
DRAFTS = HERE / "coding_drafts"
OUT = SAMPLES / "demo_codings"

ALIASES = {
    "VW": "Ervaren waarden/Vertrouwd worden",
    "VT": "Ervaren waarden/Vertrouwen",
    "GG": "Ervaren waarden/Gezien en gehoord worden",
    "ZO": "Ervaren waarden/Zonder oordeel geholpen",
    "NA": "Ervaren waarden/Er niet alleen voor staan",
    "VN": "Ervaren waarden/Vangnet en veiligheid",
    "PK": "Verschil voor het gezin/Participatie van kinderen",
    "VC": "Verschil voor het gezin/Doorbreken vicieuze cirkel",
    "BP": "Verschil voor het gezin/Beginpunt positief ontwikkeltraject",
    "MR": "Breder perspectief/Maatschappelijk rendement",
    "BL": "Breder perspectief/Betrokken lokale samenleving",
    "LG": "Breder perspectief/Legitimiteit",
    "WA": "Ervaringen met instanties/Wantrouwen en afwijzing door instanties",
    "SD": "Ervaringen met instanties/Schaamte en drempels",
    "RA": "Startsituatie/Radeloosheid",
    "SI": "Startsituatie/Sociaal isolement",
    "CS": "Startsituatie/Continue stress",
    "SC": "Startsituatie/Schulden",
    "AN": "Uitkomsten/Uit de acute nood",
    "MB": "Uitkomsten/Minder praktische belemmeringen",
    "RS": "Uitkomsten/Rust en stabiliteit",
    "FS": "Uitkomsten/Financiële stabiliteit",
    "ZP": "Uitkomsten/Zelfvertrouwen en perspectief",
    "ME": "Uitkomsten/Meedoen en erbij horen",
    "TV": "Uitkomsten/Terugval voorkomen",
    "PC": "Uitkomsten/Pedagogisch klimaat",
    "AZ": "Uitkomsten/Afschalen van zorg",
    "VB": "Relatie/Vertrouwensband",
    "EC": "Relatie/Eén vast contactpersoon",
    "PA": "Relatie/Persoonlijke aandacht",
    "HB": "Relatie/Huisbezoek",
    "LD": "Relatie/Laagdrempeligheid",
    "BI": "Relatie/Betrokkenheid van de intermediair",
    "IA": "Aanpak/Integrale aanpak over alle leefgebieden",
    "IL": "Aanpak/Intensief en langdurig",
    "VR": "Aanpak/Op vrijwillige basis",
    "HG": "Aanpak/Het hele gezin betrekken",
    "OO": "Aanpak/Opvoedondersteuning",
    "VS": "Aanpak/Verbindende schakel",
    "DB": "Aanpak/Dicht in de buurt",
    "PV": "Aanpak/Preventie en vroegsignalering",
    "NO": "Aanpak/Normaliseren",
    "PF": "Aanpak/Professionalisering",
    "SP": "Aanpak/Scholing en stappenplan",
    "RM": "Aanpak/Scholing en stappenplan/Rolmodellen",
    "SK": "Aanpak/Scholing en stappenplan/Studiekeuze",
    "AS": "Aanpak/Scholing en stappenplan/Afspraken met scholen",
    "PE": "Aanpak/Scholing en stappenplan/Psycho-educatie",
    "FO": "Aanpak/Scholing en stappenplan/Financiering, opvang en bijles",
    "ER": "Aanpak/Eigen regie en doelen",
    "NG": "Aanpak/Netwerk en groepsactiviteiten",
    "IP": "Randvoorwaarden/Investeren in plaats van parkeren",
    "RL": "Randvoorwaarden/Regelluwte en professionele ruimte",
    "BC": "Randvoorwaarden/Behapbare caseload",
    "SO": "Randvoorwaarden/Samenwerking tussen organisaties",
    "BS": "Randvoorwaarden/Bestuurlijke samenwerking",
    "CV": "Randvoorwaarden/Coachende vaardigheden",
    "MW": "Randvoorwaarden/Methodisch werken",
    "MG": "Thema's in de begeleiding/Mentale gezondheid",
    "SU": "Thema's in de begeleiding/Suïcidepreventie",
}
# Codes a second coder plausibly takes for the same passage.
NEIGHBOURS = {
    "GG": "ZO", "ZO": "GG", "NA": "VN", "VN": "NA", "RA": "CS", "CS": "RA", "SD": "LD",
    "IL": "VB", "VB": "VT", "AN": "FS", "FS": "AN", "ZP": "BP", "BP": "ZP", "PK": "MB",
    "MB": "PK", "HG": "OO", "OO": "HG", "EC": "NA", "PA": "GG", "ME": "NG", "NG": "ME",
    "WA": "SD", "SI": "SD", "IA": "SO", "SO": "IA", "PV": "VS", "VS": "SO", "ER": "ZP",
}
SOURCE_OF = {  # transcripts whose text comes from a draft (binary and subtitle formats)
    "coevorden-kind-01.docx": "coevorden-kind-01.draft",
    "coevorden-ouder-02-w2.odt": "coevorden-ouder-02-w2.draft",
    "rotterdam-ouder-01.vtt": "rotterdam-ouder-01.draft",
}
_SENTENCE_END = re.compile(r"[.?!](?:\s|$)")


def document_text(name: str) -> str:
    if name.endswith(".vtt"):
        # One paragraph per cue: a quote cannot run on across cues, whose timing lines
        # stand between them in the imported text.
        cues = re.findall(r"^<v [^>]*>(.*)$", (SAMPLES / name).read_text(encoding="utf-8"), re.M)
        return "\n\n¶\n\n".join(cues)
    path = HERE / "drafts" / SOURCE_OF[name] if name in SOURCE_OF else SAMPLES / name
    return path.read_text(encoding="utf-8")


def locate(text: str, quote: str) -> re.Match[str] | None:
    return re.search(r"\s+".join(re.escape(w) for w in quote.split()), text)


def next_sentence_end(text: str, end: int) -> int | None:
    """Where the sentence after position ``end`` ends, within the same paragraph."""
    paragraph_end = text.find("\n\n", end)
    paragraph_end = len(text) if paragraph_end < 0 else paragraph_end
    rest = text[end:paragraph_end]
    found = _SENTENCE_END.search(rest, 1)
    if not found or len(rest[: found.start()].split()) < 2:
        return None
    return end + found.start() + 1


def b_version(rng: random.Random, alias: str, quote: str, text: str, extend_ok: bool) -> tuple[str, str] | None:
    if alias == "VW":
        alias = "VT" if rng.random() < 0.8 else alias
    elif alias == "RL":
        if rng.random() < 0.8:
            return None
    else:
        roll = rng.random()
        if roll < 0.17:
            return None
        if roll < 0.33 and alias in NEIGHBOURS:
            alias = NEIGHBOURS[alias]
    shape = rng.random()
    sentences = re.split(r"(?<=[.?!])\s+", quote.strip())
    if shape < 0.25 and len(sentences) >= 2:
        quote = " ".join(sentences[:-1])
    elif shape < 0.5 and extend_ok:
        match = locate(text, quote)
        stop = next_sentence_end(text, match.end()) if match else None
        if stop:
            quote = " ".join(text[match.start() : stop].split())
    return alias, quote


def build(draft: Path) -> int:
    data = yaml.safe_load(draft.read_text(encoding="utf-8"))
    document = data["document"]
    text = document_text(document)
    rng = random.Random(document)
    codings: list[dict[str, str]] = []
    for entry in data["a"]:
        alias, quote, *memo = entry
        item = {"code": ALIASES[alias], "quote": quote}
        if memo:
            item["memo"] = memo[0]
        codings.append(item)
    for entry in data["a"]:
        alias, quote, *_ = entry
        derived = b_version(rng, alias, quote, text, extend_ok=not document.endswith(".vtt"))
        if derived:
            codings.append({"code": ALIASES[derived[0]], "quote": derived[1], "coder": "onderzoeker-b"})
    for entry in data.get("b_extra", []):
        alias, quote, *memo = entry
        item = {"code": ALIASES[alias], "quote": quote, "coder": "onderzoeker-b"}
        if memo:
            item["memo"] = memo[0]
        codings.append(item)
    out = {"document": document, "coder": "onderzoeker-a", "codings": codings}
    target = OUT / f"{Path(document).stem}.yaml"
    target.write_text(yaml.safe_dump(out, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8")
    return len(codings)


def main() -> None:
    for draft in sorted(DRAFTS.glob("*.yaml")):
        print(f"{draft.stem}: {build(draft)} codings")


if __name__ == "__main__":
    main()
