"""Benchmark for assisted coding: training and scoring speed, and evaluation figures.

Run: python benchmarks/assist_bench.py

1. Speed on synthetic Dutch-like sentences. Each sentence has 6–18 tokens: Dutch function
   words drawn with Zipf-like weights ("de", "het", "en", "ik", ...), plus 1–4 content lemmas
   of one of 10 themes (debts, sport, school, housing, ...; 30 lemmas each, among them
   compounds like "schuldhulp") or of a shared pool of everyday words. A sentence is coded
   with its theme's code when it was generated from that theme (a third of them); 10 % of
   the content lemmas are swapped for other themes' lemmas as noise. Seeded: the same run
   gives the same data.
   Budgets: train the per-code models on 10,000 coded sentences under 2 s; score 100,000
   sentences (features + every code's model) under 1 s.
2. Evaluation figures (per-code precision, recall and F1 of the model beside the keyword
   rules and the most-frequent-code baseline, cross-validated by document) on the sample
   study, built with ``qualcode.study.sample.build_demo`` into /tmp, and on the QualCoder demo
   project /work/shared/refi-qda/samples/qc-1.3.2-demo.qdpx when the REFI-QDA importer and
   the file are there.
"""

from __future__ import annotations

import random
import shutil
import time
from pathlib import Path

from qualcode.assist.evaluate import Evaluation, evaluate
from qualcode.assist.learn import Settings, train
from qualcode.assist.units import Corpus, Unit
from qualcode.core.models import Code

FUNCTION = [
    "de",
    "het",
    "een",
    "en",
    "ik",
    "je",
    "ze",
    "hij",
    "we",
    "dat",
    "die",
    "is",
    "was",
    "niet",
    "ook",
    "maar",
    "dan",
    "wel",
    "nog",
    "heel",
    "er",
    "op",
    "in",
    "van",
    "met",
    "voor",
    "naar",
    "als",
    "om",
]
THEMES = {
    "Schulden": "schuld rekening deurwaarder betalen schuldhulp aflossen incasso huur achterstand bewind budget beslag energierekening boete toeslag belastingdienst schuldsanering betalingsregeling maandlast inkomen lening krediet tekort geld uitkering armoede spaargeld kosten afbetalen schuldeiser aanmaning",
    "Sport": "voetbal club training zwemles contributie wedstrijd team sporthal turnen hockey trainer diploma zwembad sportclub lidmaatschap kantine veld scheidsrechter doelpunt judo dansles tennis atletiek fiets sportschoenen bal teamgenoot toernooi medaille kampioen",
    "School": "school juf meester huiswerk klas rapport ouderavond schoolreis laptop leerling mentor toets cijfer examen brugklas basisschool schoolspullen rugzak gymles pauze schoolplein bijles lezen rekenen taal leerkracht directeur schoolkosten schoolbus uitje",
    "Wonen": "huis woning flat verhuizen huurder woningcorporatie schimmel kamer slaapkamer keuken buurt buren trap lift tuin balkon verwarming reparatie huisbaas opzegging woonruimte urgentie wachtlijst dak lekkage meubels bed vloer deur sleutel",
    "Gezondheid": "dokter huisarts ziekenhuis pijn medicijn ziek depressie psycholoog therapie slapen moe stress gezondheid tandarts zorgverzekering eigenrisico apotheek fysiotherapie diagnose behandeling afspraak wachtkamer recept opname herstel spanning burnout zorgen angst",
    "Werk": "werk baan sollicitatie werkgever contract uren collega vacature reintegratie stage opleiding cursus diploma werkervaring loon salaris ploegendienst uitzendbureau proefperiode ontslag vrijwilligerswerk werkplek taakeis consulent klantmanager participatie baangarantie werkloos bijbaan dienstverband",
    "Vertrouwen": "vertrouwen eerlijk betrouwbaar afspraak nakomen beloven open rekenen veilig steun luisteren begrip respect serieus aandacht gehoord gezien oordeel schaamte durven zeggen vertellen geheim band relatie contactpersoon coach intermediair vast",
    "Gemeente": "gemeente loket formulier aanvraag regel bijstand wijkteam ambtenaar beleid procedure termijn bezwaar brief handtekening dossier systeem indicatie toekenning afwijzing voorwaarde controle regelluwte maatwerk uitzondering beslissing wethouder stadhuis balie digid",
    "Kinderen": "kind zoon dochter baby peuter puber opvoeding speelgoed verjaardag feestje vriendje oppas kinderopvang bedtijd ruzie huilen lachen spelen knuffel opa oma broer zus tweeling gezin moeder vader ouder jeugd tiener opgroeien",
    "Toekomst": "toekomst plan doel droom perspectief hoop volgend jaar verandering stap vooruit zelfvertrouwen trots zelfstandig eigen regie kans nieuw begin groeien leren ontwikkeling ambitie wens motivatie energie rust stabiliteit ruimte",
}
EVERYDAY = [
    "dag",
    "week",
    "maand",
    "jaar",
    "tijd",
    "keer",
    "morgen",
    "avond",
    "ochtend",
    "weekend",
    "bus",
    "auto",
    "winkel",
    "boodschappen",
    "koffie",
    "telefoon",
    "nummer",
    "straat",
    "stad",
    "dorp",
    "weer",
    "regen",
    "zon",
    "televisie",
    "eten",
    "koken",
]


def synthetic_corpus(n_sentences: int, seed: int = 0, per_document: int = 50) -> Corpus:
    rng = random.Random(seed)
    weights = [1 / (rank + 1) for rank in range(len(FUNCTION))]
    lemmas = {name: words.split() for name, words in THEMES.items()}
    names = list(THEMES)
    codes = {i + 1: Code(i + 1, None, name, name) for i, name in enumerate(names)}
    units: list[Unit] = []
    positive: dict[int, set[int]] = {c: set() for c in codes}
    for i in range(n_sentences):
        theme = rng.randrange(len(names)) if rng.random() < 1 / 3 else None
        tokens = rng.choices(FUNCTION, weights, k=rng.randint(5, 14))
        for _ in range(rng.randint(1, 4)):
            pool = lemmas[names[theme]] if theme is not None else EVERYDAY
            if rng.random() < 0.1:
                pool = lemmas[rng.choice(names)]
            tokens.insert(rng.randrange(len(tokens) + 1), rng.choice(pool))
        text = " ".join(tokens)
        units.append(Unit(i + 1, i // per_document + 1, 0, len(text), text, text.capitalize() + "."))
        if theme is not None:
            positive[theme + 1].add(i)
    corpus = Corpus(units=units, codes=codes, titles={})
    for i, unit in enumerate(units):
        corpus.by_document.setdefault(unit.document_id, []).append(i)
        corpus.by_key[(unit.document_id, unit.start, unit.end)] = i
    corpus.positive = positive
    corpus.touched = {c: set(p) for c, p in positive.items()}
    corpus.coded_documents = set(corpus.by_document)
    return corpus


def best_of(runs: int, func) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return min(times)


def speed() -> None:
    import sklearn.linear_model  # noqa: F401  (import cost is not training)

    corpus = synthetic_corpus(10_000)
    print(
        f"Synthetic corpus: {len(corpus.units):,} sentences, {len(corpus.codes)} codes, "
        f"{sum(len(p) for p in corpus.positive.values()):,} positive sentence-code pairs"
    )
    for settings in (Settings(), Settings(char_ngrams=True)):
        label = "lemma n-grams" + (" + char 3-5-grams" if settings.char_ngrams else "")
        took = best_of(3, lambda settings=settings: train(corpus, settings=settings))
        models = train(corpus, settings=settings)
        calibrated = sum(s.calibrated for s in models.statuses.values())
        print(
            f"  train 10,000 sentences, {len(models.models)} codes ({calibrated} calibrated), {label}: "
            f"{took:.2f} s (budget 2 s){'' if took < 2 else '  OVER BUDGET'}"
        )
        big = synthetic_corpus(100_000, seed=1)
        docs = [u.lemmas for u in big.units]

        # One new coding: a sentence becomes a positive example of one code (whose parent,
        # if any, is not modelled here); only that code is fitted again.
        changed = synthetic_corpus(10_000)
        code_id = next(iter(models.models))
        unit = next(i for i in range(len(changed.units)) if i not in changed.touched.get(code_id, set()))
        changed.positive.setdefault(code_id, set()).add(unit)
        changed.touched.setdefault(code_id, set()).add(unit)
        took = best_of(3, lambda c=changed, m=models, s=settings: train(c, settings=s, previous=m))
        updated = train(changed, settings=settings, previous=models)
        print(
            f"  update after one new coding, {label}: {len(updated.fitted)} of {len(updated.models)} codes fitted "
            f"again, {took:.2f} s (the rest kept: deterministic fits, same examples)"
        )

        def score(models=models, docs=docs) -> None:
            matrix = models.featurizer.transform(docs)
            for model in models.models.values():
                model.estimator.predict_proba(matrix)

        took = best_of(3, score)
        print(
            f"  score 100,000 sentences for every code, {label}: {took:.2f} s (budget 1 s)"
            f"{'' if took < 1 else '  OVER BUDGET'}"
        )


def report(name: str, result: Evaluation) -> None:
    print(
        f"\n{name}: {result.units:,} sentences in {result.documents} coded documents, "
        f"{len(result.folds)} folds grouped by {result.grouping}, threshold {result.threshold}"
        f"{', char n-grams' if result.settings.char_ngrams else ''}"
    )
    header = (
        f"  {'code':<58} {'pos':>4} {'docs':>4} | {'model P/R/F1':>15} {'AP':>5} | {'rules P/R/F1':>15} | {'maj F1':>6}"
    )
    print(header)
    print("  " + "-" * (len(header) - 2))
    for c in result.codes:
        print(
            f"  {c.path[:58]:<58} {c.positives:>4} {c.documents:>4} | "
            f"{c.model.precision:.2f}/{c.model.recall:.2f}/{c.model.f1:.2f} {c.average_precision:>5.2f} | "
            f"{c.rules.precision:.2f}/{c.rules.recall:.2f}/{c.rules.f1:.2f} | {c.majority.f1:>6.2f}"
        )
    macro = result.macro()
    better = sum(c.model.f1 > c.rules.f1 for c in result.codes)
    print(
        f"  macro F1: model {macro['model']:.2f}, keyword rules {macro['rules']:.2f}, "
        f"most frequent code ({result.majority_code}) {macro['majority']:.2f}; "
        f"model beats rules on {better} of {len(result.codes)} codes; skipped (too few examples): {len(result.skipped)}"
    )


def figures() -> None:
    from qualcode.assist import assistant
    from qualcode.study.sample import build_demo
    from qualcode.study.study import Study

    folder = Path("/tmp/qualcode-assist-bench")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    sample = folder / "sample.qualcode"
    build_demo(sample)
    with Study.open(sample, coder="bench") as study:
        corpus = assistant(study).corpus()
        for settings in (Settings(), Settings(char_ngrams=True)):
            started = time.perf_counter()
            result = evaluate(corpus, settings=settings)
            report(f"Sample study ({time.perf_counter() - started:.1f} s)", result)

    qdpx = Path("/work/shared/refi-qda/samples/qc-1.3.2-demo.qdpx")
    try:
        from qualcode.exchange import import_qdpx_new
    except ImportError:
        print("\nREFI-QDA importer (qualcode.exchange.import_qdpx) not available: QualCoder demo not evaluated.")
        return
    if not qdpx.exists():
        print(f"\n{qdpx} is not available: QualCoder demo not evaluated.")
        return
    target = folder / "qc-demo.qualcode"
    import_qdpx_new(target, qdpx, coder="bench")
    with Study.open(target, coder="bench") as study:
        try:
            result = evaluate(assistant(study).corpus())
        except Exception as exc:  # the figures of the sample study stand on their own
            print(f"\nQualCoder demo project: not evaluated ({exc})")
            return
        report("QualCoder 1.3.2 demo project (.qdpx)", result)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--speed-only", action="store_true", help="leave out the figures on the sample study")
    options = parser.parse_args()
    speed()
    if not options.speed_only:
        figures()
