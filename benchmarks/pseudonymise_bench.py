"""Pseudonymisation benchmark: recall and precision per kind against the gold annotations.

Builds a study from a sample_transcripts folder (its transcripts, attributes.csv and
demo_codings), runs detection (deduce plus patterns and the study's own lists, as
`qualcode pseudonymise` does), and prints recall and precision per kind against
``gold_entities/<stem>.yaml``, then writes a pseudonymised copy and counts the codings whose
text differs from the original other than by the placeholders (must be 0).

Usage: python benchmarks/pseudonymise_bench.py [FOLDER] [--no-deduce] [--names NAMES.txt] [--show-misses]
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", nargs="?", type=Path, default=ROOT / "sample_transcripts")
    parser.add_argument("--no-deduce", action="store_true", help="patterns and lists only")
    parser.add_argument("--names", type=Path, help="a gazetteer file (NAME<TAB>kind, !word)")
    parser.add_argument(
        "--codebooks", type=Path, default=ROOT / "codebooks", help="folder of codebooks the demo codings use"
    )
    parser.add_argument("--show-misses", action="store_true", help="list missed mentions and wrong findings")
    parser.add_argument(
        "--deduce-only", action="store_true", help="score deduce's own annotations alone (what it finds and misses)"
    )
    args = parser.parse_args()

    from qualcode.pseudonymise import copy as pseudo
    from qualcode.pseudonymise.detect import Options
    from qualcode.pseudonymise.evaluate import Score, load_gold, mentions, score
    from qualcode.pseudonymise.gazetteer import Gazetteer
    from qualcode.study.sample import apply_demo_codings
    from qualcode.study.study import Study

    gold_dir = args.folder / "gold_entities"
    golds = {}
    for path in sorted(gold_dir.glob("*.yaml")):
        name, entities = load_gold(path)
        golds[Path(name).stem] = entities
    if not golds:
        sys.exit(f"no gold files in {gold_dir}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.qualcode"
        study = Study.create(path, coder="onderzoeker-a")
        for codebook in sorted(args.codebooks.glob("*.yaml")):
            try:
                study.import_codebook(codebook)
            except Exception:  # the codebook import's own errors are not this benchmark's business
                pass
        files = [
            p for p in sorted(args.folder.iterdir()) if p.suffix in {".md", ".txt", ".docx", ".odt", ".vtt", ".srt"}
        ]
        study.import_files(files, skip_errors=True)
        codings_dir = args.folder / "demo_codings"
        applied = 0
        if codings_dir.exists():
            try:
                applied = apply_demo_codings(study, codings_dir)
            except Exception as exc:  # codes missing from the codebook: measure what applies
                print(f"(demo codings not applied: {exc}; using synthetic codings)")
        if not applied:
            _synthetic_codings(study)
        study.close()
        options = Options(gazetteer=Gazetteer.load(args.names), use_deduce=not args.no_deduce)
        started = time.perf_counter()
        with pseudo.open_readonly(path) as study:
            docs = {d.id: study.document(d.id) for d in study.documents()}
            if args.deduce_only:
                from qualcode.pseudonymise.deduce_engine import annotate
                from qualcode.pseudonymise.detect import Finding

                findings = {
                    i: [Finding(i, s, e, d.text[s:e], k, "deduce") for s, e, k in annotate(d.text)]
                    for i, d in docs.items()
                }
            else:
                findings = pseudo.find(study, options)
        took = time.perf_counter() - started
        scores: dict[str, Score] = {}
        for doc_id, doc in docs.items():
            stem = Path(doc.source_name or doc.title).stem
            if stem not in golds:
                continue
            spans = [(f.start, f.end, f.kind) for f in findings.get(doc_id, [])]
            score(doc.text, mentions(doc.text, golds[stem]), spans, scores, stem)
        print(
            f"{len(docs)} documents, {sum(len(v) for v in findings.values())} findings in {took:.1f} s "
            f"({'deduce alone' if args.deduce_only else 'patterns and lists' if args.no_deduce else 'deduce + patterns and lists'})"
        )
        print(f"{'kind':<12}{'mentions':>9}{'recall':>8}{'findings':>9}{'precision':>10}")
        for kind in sorted(scores, key=lambda k: (k == "alle", k)):
            s = scores[kind]
            r = "-" if s.recall is None else f"{s.recall:.3f}"
            p = "-" if s.precision is None else f"{s.precision:.3f}"
            print(f"{kind:<12}{s.mentions:>9}{r:>8}{s.findings:>9}{p:>10}")
            if args.show_misses:
                for m in s.missed[:40]:
                    print(f"    missed {m}")
                for w in s.wrong[:40]:
                    print(f"    wrong  {w}")
        if args.deduce_only:
            return
        out, key = Path(folder) / "copy.qualcode", Path(folder) / "key.json"
        pseudo.pseudonymise(path, out, key, options)
        import json

        originals = {p: e["original"] for p, e in json.loads(key.read_text(encoding="utf-8"))["placeholders"].items()}
        pattern = re.compile("|".join(re.escape(p) for p in originals) or "(?!)")
        a, b = sqlite3.connect(path), sqlite3.connect(out)
        texts_a = dict(a.execute("SELECT id, text FROM documents"))
        texts_b = dict(b.execute("SELECT id, text FROM documents"))
        ends_b = {r[0]: r[1:] for r in b.execute('SELECT id, start, "end" FROM codings')}
        differ = total = 0
        for cid, doc_id, s, e in a.execute('SELECT id, document_id, start, "end" FROM codings'):
            total += 1
            s2, e2 = ends_b[cid]
            restored = pattern.sub(lambda m: originals[m.group()], texts_b[doc_id][s2:e2])
            # A boundary inside a name snaps to the placeholder's edge: the coding grows to the
            # whole name, which is no other word.
            if restored != texts_a[doc_id][s:e] and texts_a[doc_id][s:e] not in restored:
                differ += 1
        print(f"codings whose words differ other than by placeholders: {differ} of {total}")


def _synthetic_codings(study: object) -> None:
    """Codings to remap when the folder has no usable demo codings: every third sentence, and
    300 random spans per document (seeded), many of them starting or ending inside a name."""
    import random

    rng = random.Random(15)
    study.add_code("Bench")  # type: ignore[attr-defined]
    for doc in study.documents():  # type: ignore[attr-defined]
        text_length = doc.char_count
        spans = [(s.start, s.end) for s in study.sentences(doc.id)[::3]]  # type: ignore[attr-defined]
        for _ in range(300):
            start = rng.randrange(0, max(1, text_length - 2))
            spans.append((start, min(text_length, start + rng.randint(1, 400))))
        for start, end in spans:
            if end > start:
                study.add_coding(doc.id, "Bench", start, end)  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
