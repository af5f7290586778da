"""A deterministic synthetic corpus: N transcripts of about W words of Dutch-like speech.

Used by the benchmarks (import, TUI, analysis, exchange). The same seed gives the same
files byte for byte. The text has speaker turns in the common transcript forms, some with
timestamps, sentences of 4–24 words and paragraphs of 1–6 sentences, the verbatim features of
real transcripts (hesitations, restarts, interruptions, [lacht], [onverstaanbaar], trailing
off...), and about a third of the files hard-wrapped at 80 columns as word processors save
them, so segmentation and turn parsing do realistic work.

    python benchmarks/corpus.py OUT_DIR --documents 1000 --words 5000
"""

from __future__ import annotations

import argparse
import random
import textwrap
from pathlib import Path

WORDS = (
    "de het een en van ik je we ze hij zij niet wel ook maar dan dat die dit er als om op in met "
    "voor naar bij uit over door want omdat toen nog al zo heel echt gewoon eigenlijk natuurlijk "
    "gezin kinderen kind moeder vader ouders school juf meester coach gezinscoach hulp steun geld "
    "schulden rekening huur energie brief gemeente uitkering bijstand werk baan opleiding fiets "
    "laptop sport voetbal zwemles schoolreisje kleding vertrouwen vertrouwd rust zorgen stress "
    "afspraak huisbezoek thuis keukentafel gesprek luisteren gehoord gezien oordeel schaamte "
    "regels formulier wachtlijst wijkteam jeugdhulp samen alleen netwerk buren vriendin familie "
    "perspectief toekomst stap doel plan week maand jaar dag avond ochtend moment keer tijd "
    "hebben zijn worden kunnen moeten willen gaan komen zeggen vragen helpen geven krijgen "
    "betalen regelen praten vinden denken weten voelen merken proberen beginnen stoppen "
    "blij moe bang boos verdrietig trots dankbaar fijn moeilijk lastig zwaar makkelijk belangrijk"
).split()
SPEAKERS = (
    ("Interviewer", "Moeder"),
    ("I", "R"),
    ("Interviewer", "Vader"),
    ("Onderzoeker", "Gezinscoach"),
)


VERBATIM = ("eh", "ehm", "nou", "weet je", "[lacht]", "[onverstaanbaar]", "[stilte]", "--")


def sentence(rng: random.Random) -> str:
    n = rng.randint(4, 24)
    words = [rng.choice(WORDS) for _ in range(n)]
    for _ in range(rng.choice((0, 0, 1, 2))):
        words.insert(rng.randrange(len(words)), rng.choice(VERBATIM))
    if rng.random() < 0.1:  # a restart: "ik had- ik was"
        at = rng.randrange(len(words))
        words.insert(at, words[at][: max(1, len(words[at]) // 2)] + "-")
    words[0] = words[0].capitalize()
    end = "..." if rng.random() < 0.05 else rng.choice(".....?!")
    return " ".join(words) + end


def transcript(rng: random.Random, words: int) -> str:
    interviewer, respondent = rng.choice(SPEAKERS)
    stamped = rng.random() < 0.4
    wrapped = rng.random() < 0.33
    lines = [
        "---",
        f"organisation: Organisatie {rng.randint(1, 8)}",
        f"project: Project {rng.randint(1, 20)}",
        f"role: {rng.choice(['ouder', 'kind', 'gezinscoach', 'consulent'])}",
        f"wave: {rng.randint(1, 3)}",
        "---",
    ]
    count, seconds, turn = 0, 0, 0
    while count < words:
        speaker = interviewer if turn % 2 == 0 else respondent
        paragraphs = []
        for _ in range(1 if speaker == interviewer else rng.randint(1, 3)):
            sents = [sentence(rng) for _ in range(rng.randint(1, 6))]
            count += sum(len(s.split()) for s in sents)
            paragraph = " ".join(sents)
            paragraphs.append(textwrap.fill(paragraph, 80, break_on_hyphens=False) if wrapped else paragraph)
        seconds += rng.randint(5, 90)
        stamp = f"[{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}] " if stamped else ""
        lines.append(f"{stamp}{speaker}: " + "\n".join(paragraphs))
        lines.append("")
        turn += 1
    return "\n".join(lines)


def write_corpus(folder: Path, documents: int, words: int, seed: int = 7) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    paths = []
    for i in range(documents):
        path = folder / f"transcript-{i:05d}.md"
        path.write_text(transcript(rng, words), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--words", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    paths = write_corpus(args.out, args.documents, args.words, args.seed)
    print(f"wrote {len(paths)} transcripts to {args.out}")


if __name__ == "__main__":
    main()
