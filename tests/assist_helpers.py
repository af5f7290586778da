"""A small fixed study for the assisted-coding tests (builders only; no tests here).

Five documents of a respondent talking about debts, sport and other things. In the first
four documents the debt and sport sentences are coded (by two coders); the fifth is left
uncoded, so the learned suggestions have something to find.
"""

from __future__ import annotations

from qualcode.study.study import Study

DEBT = [
    "De schulden stapelden zich op en de rekeningen bleven liggen.",
    "We hadden een schuld bij de energieleverancier en de deurwaarder stond voor de deur.",
    "De schuldhulp regelde een betalingsregeling voor alle rekeningen.",
    "Elke maand ging het salaris meteen naar de schulden en de rekeningen.",
    "Door de schulden durfde ik de post niet meer open te maken.",
]
SPORT = [
    "Mijn zoon mag nu eindelijk op voetbal bij de club in het dorp.",
    "Mijn dochter heeft zwemles en ze haalt binnenkort haar diploma.",
    "De contributie van de voetbalclub werd betaald, dus hij kan weer trainen.",
    "Op zaterdag speelt hij een wedstrijd met zijn team op het veld.",
    "Ze zit op turnen en gaat twee keer per week naar de sporthal.",
]
OTHER = [
    "Het weer was die dag erg grijs.",
    "We woonden toen nog in een flat aan de rand van de stad.",
    "De kat van de buren zat altijd in onze tuin.",
    "Mijn moeder kwam uit Groningen.",
    "De bus naar het centrum ging maar één keer per uur.",
]


def document_text(n: int) -> str:
    """Interviewer question, then the respondent's sentences, rotated per document."""
    lines = ["Interviewer: Kunt u vertellen hoe het ging?"]
    k = n % 5
    body = [DEBT[k], OTHER[k], SPORT[k], OTHER[(k + 1) % 5], DEBT[(k + 1) % 5], SPORT[(k + 1) % 5], OTHER[(k + 2) % 5]]
    lines.append("Respondent: " + " ".join(body))
    return "\n".join(lines) + "\n"


def build(study: Study, coded: int = 4, total: int = 5) -> dict[str, object]:
    """Codes, documents and codings; returns the ids the tests need."""
    parent = study.add_code("Thema")
    debt = study.add_code("Schulden", parent.path, keywords=["schulden", "deurwaarder", "betalingsregeling"])
    sport = study.add_code("Sport", parent.path, keywords=["voetbal*", "zwemles", "op turnen"])
    trust = study.add_code("Vertrouwen", keywords=["vertrouwt", "geholpen"])
    docs = [study.add_document(document_text(n), title=f"Gezin {n}") for n in range(total)]
    for doc in docs[:coded]:
        text = study.document_text(doc)
        for i, sentence in enumerate(DEBT + SPORT):
            at = text.find(sentence)
            if at >= 0:
                code = debt if sentence in DEBT else sport
                study.add_coding(doc, code, at, at + len(sentence), coder="onderzoeker-a" if i % 2 else "onderzoeker-b")
    return {"debt": debt, "sport": sport, "trust": trust, "parent": parent, "documents": docs}


def make_study(coded: int = 4, total: int = 5) -> tuple[Study, dict[str, object]]:
    study = Study.memory(coder="tester")
    return study, build(study, coded, total)
