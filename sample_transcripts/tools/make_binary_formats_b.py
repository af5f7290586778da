"""Regenerate corpusB's sample files that are not plain text: the .srt and the .docx.

Their text lives in ``src/<name>.txt.in`` (``.in`` so the importer, which walks the
sample folder recursively, never reads a source as a second transcript): one turn per
paragraph, ``Label: what was said``. Their metadata comes from ``attributes.csv``.

The SubRip file gets one cue per sentence group (at most ~24 words, as subtitle tools
cut them) with timings from a steady speaking rate plus short pauses, so that an hour
of talk ends near the hour mark; the label stands on the first cue of each turn only,
as in an export from a transcription tool. The .docx gets one paragraph per turn with a
``[hh:mm:ss]`` stamp. Run: ``python sample_transcripts/tools/make_binary_formats_b.py``.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parent
WORDS_PER_MINUTE = 100.0
_LABEL = re.compile(r"^([^:]{1,40}):\s*(.*)$", re.S)
_SENTENCE_END = re.compile(r"(?<=[.?!\]])\s+")


def turns(name: str) -> list[tuple[str, str]]:
    text = (HERE / "src" / f"{name}.txt.in").read_text(encoding="utf-8")
    out = []
    for para in (p.strip() for p in text.split("\n\n")):
        if para:
            match = _LABEL.match(para)
            if match is None:
                raise SystemExit(f"{name}: paragraph without a label: {para[:60]!r}")
            out.append((match.group(1).strip(), " ".join(match.group(2).split())))
    return out


def _clock(seconds: float, sep: str) -> str:
    ms = int(round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _chunks(body: str, limit: int = 24) -> list[str]:
    chunks: list[str] = []
    for sentence in _SENTENCE_END.split(body):
        if chunks and len(chunks[-1].split()) + len(sentence.split()) <= limit:
            chunks[-1] += " " + sentence
        else:
            chunks.append(sentence)
    return chunks


def write_srt(name: str) -> None:
    rng = random.Random(name)
    t = 1.2
    cues = []
    for label, body in turns(name):
        t += rng.uniform(0.4, 1.6)
        for i, chunk in enumerate(_chunks(body)):
            length = len(chunk.split()) / WORDS_PER_MINUTE * 60 + rng.uniform(0.3, 1.2)
            if "[stilte]" in chunk:
                length += rng.uniform(3, 7)
            text = f"{label}: {chunk}" if i == 0 else chunk
            cues.append((t, t + length, text))
            t += length + rng.uniform(0.05, 0.4)
    lines = []
    for n, (start, end, text) in enumerate(cues, 1):
        lines += [str(n), f"{_clock(start, ',')} --> {_clock(end, ',')}", text, ""]
    (SAMPLE / f"{name}.srt").write_text("\n".join(lines), encoding="utf-8")
    print(f"{name}.srt: {len(cues)} cues, ends at {_clock(t, '.')}")


def write_docx(name: str) -> None:
    import docx  # python-docx; only needed when regenerating

    rng = random.Random(name)
    document = docx.Document()
    document.add_heading("Transcriptie interview", level=1)
    t = 2.0
    for label, body in turns(name):
        stamp = _clock(t, ".")[:8]
        paragraph = document.add_paragraph()
        paragraph.add_run(f"[{stamp}] ")
        paragraph.add_run(f"{label}:").bold = True
        paragraph.add_run(f" {body}")
        t += len(body.split()) / WORDS_PER_MINUTE * 60 + rng.uniform(0.8, 3.5)
    document.save(SAMPLE / f"{name}.docx")
    print(f"{name}.docx: ends at {_clock(t, '.')}")


if __name__ == "__main__":
    write_srt("leeuwarden-ouder-01-w2")
    if (HERE / "src" / "helmond-consulent-01.txt.in").exists():
        write_docx("helmond-consulent-01")
