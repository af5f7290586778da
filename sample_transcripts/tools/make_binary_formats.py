"""Regenerate the sample transcripts that are not plain text (.docx, .odt, .vtt) and
stamp the typed transcripts (.md, .txt) with interview-clock timestamps.

The binary and subtitle files are built from the drafts in ``tools/drafts/*.draft``
(one speaker turn a paragraph, ``Label: text``). Their case variables live in
``sample_transcripts/attributes.csv``, as for any Word or subtitle file a researcher
receives. The ``.draft`` suffix keeps the drafts out of ``qualcode import``.

Timestamps follow the words: a steady ~88 words a minute (speech plus the pauses of a
real interview) and a few seconds more for each ``[stilte]``, so a 4,000-word interview
ends near 45 minutes, as real ones do. The same text always gets the same stamps.

Usage (from the repository root, with python-docx and odfpy installed)::

    python sample_transcripts/tools/make_binary_formats.py            # build docx/odt/vtt
    python sample_transcripts/tools/make_binary_formats.py --stamp    # also (re)stamp .md/.txt

``--stamp`` recomputes every stamp (and the hard wrap) from the words, so it may be run
again after the transcripts are edited.
"""

from __future__ import annotations

import argparse
import re
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLES = HERE.parent
DRAFTS = HERE / "drafts"

WORDS_PER_MINUTE = 88.0
SILENCE_SECONDS = 4.0

# Which typed transcript gets which timestamp style, and on which turns (every n-th),
# so the sample shows the forms transcription tools and typists actually produce.
STAMP_STYLES = {
    "coevorden-ouder-01.md": ("bracket-before", 1),
    "coevorden-gezinscoach-01.md": ("bracket-before", 3),
    "coevorden-ouder-01-w2.txt": ("bracket-before", 1),
    "coevorden-ouder-02.txt": ("paren-after-label", 1),
    "coevorden-ouder-03.md": ("bracket-before", 1),
    "leergeld-ouder-01.md": ("bracket-before", 2),
    "leergeld-intermediair-01.md": ("bracket-before", 4),
    "rotterdam-gezinsondersteuner-01.txt": ("paren-after-label", 1),
    # leergeld-kind-01.txt stays without timestamps: a typist's plain transcript.
}
# Files hard-wrapped at 80 columns, as text pasted from an e-mail or an old editor.
HARD_WRAPPED = {"coevorden-ouder-02.txt"}

_LABEL = re.compile(r"^(?P<label>\*\*[^*\n]{1,40}:\*\*|\[[^\]\n]{1,40}\]|[^\s:\[][^:\n]{0,40}?:)(?P<rest>.*)$", re.S)


def clock(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def turn_seconds(text: str) -> float:
    words = len(text.split())
    return words * 60.0 / WORDS_PER_MINUTE + text.count("[stilte]") * SILENCE_SECONDS + 1.5


def read_turns(path: Path) -> list[tuple[str, str]]:
    """(label, text) for each paragraph of a draft."""
    turns = []
    for para in path.read_text(encoding="utf-8").strip().split("\n\n"):
        label, _, text = para.partition(":")
        turns.append((label.strip(), " ".join(text.split())))
    return turns


def build_docx(draft: Path, target: Path) -> None:
    import docx
    from docx.shared import Pt

    doc = docx.Document()
    doc.core_properties.author = "transcriptiebureau"
    doc.add_heading("Interview jongere, Pilot Gezinscoaches Coevorden", level=1)
    start = 3.0
    for label, text in read_turns(draft):
        p = doc.add_paragraph()
        p.add_run(f"[{clock(start)}] ")
        run = p.add_run(f"{label}:")
        run.bold = True
        p.add_run(f" {text}")
        p.paragraph_format.space_after = Pt(6)
        start += turn_seconds(text)
    doc.save(str(target))


def build_odt(draft: Path, target: Path) -> None:
    from odf.opendocument import OpenDocumentText
    from odf.style import Style, TextProperties
    from odf.text import P, Span

    doc = OpenDocumentText()
    bold = Style(name="Spreker", family="text")
    bold.addElement(TextProperties(fontweight="bold"))
    doc.automaticstyles.addElement(bold)
    start = 2.0
    for label, text in read_turns(draft):
        p = P()
        p.addText(f"[{clock(start)}] ")
        p.addElement(Span(stylename=bold, text=f"{label}:"))
        p.addText(f" {text}")
        doc.text.addElement(p)
        start += turn_seconds(text)
    doc.save(str(target))


def _cue_chunks(text: str, limit: int = 45) -> list[str]:
    """Split a long turn into subtitle cues at sentence ends, ~limit words each."""
    sentences = re.split(r"(?<=[.?!])\s+", text)
    chunks, current = [], []
    for sentence in sentences:
        current.append(sentence)
        if sum(len(s.split()) for s in current) >= limit:
            chunks.append(" ".join(current))
            current = []
    if current:
        chunks.append(" ".join(current))
    return chunks


def build_vtt(draft: Path, target: Path) -> None:
    lines = ["WEBVTT", "", "NOTE Automatische transcriptie, gecorrigeerd door onderzoeker.", ""]
    start = 1.0
    for label, text in read_turns(draft):
        for chunk in _cue_chunks(text):
            length = turn_seconds(chunk)
            end = start + length - 0.4
            lines.append(f"{clock(start)}.{int(start % 1 * 1000):03d} --> {clock(end)}.{int(end % 1 * 1000):03d}")
            lines.append(f"<v {label}>{chunk}")
            lines.append("")
            start += length
    target.write_text("\n".join(lines), encoding="utf-8")


_OLD_BRACKET = re.compile(r"^\[\d{2}:\d{2}:\d{2}\] ")
_OLD_PAREN = re.compile(r"^(\S+) \(\d{2}:\d{2}:\d{2}\):")


def unstamp(paragraph: str) -> str:
    """A turn without its timestamp and hard wraps, so stamping can start afresh after
    the text was edited (earlier stamps would no longer follow the words)."""
    flat = " ".join(paragraph.split())
    flat = _OLD_BRACKET.sub("", flat)
    return _OLD_PAREN.sub(r"\1:", flat)


def stamp_text_file(path: Path, style: str, every: int) -> None:
    raw = path.read_text(encoding="utf-8")
    front, body = "", raw
    if raw.startswith("---\n"):
        end = raw.index("\n---\n", 4) + 5
        front, body = raw[:end], raw[end:]
    paragraphs = [unstamp(p) for p in body.strip("\n").split("\n\n")]
    start, out = 2.0, []
    for i, para in enumerate(paragraphs):
        flat = " ".join(para.split())
        if i % every == 0:
            match = _LABEL.match(para)
            if style == "paren-after-label" and match and match["label"].endswith(":"):
                para = f"{match['label'][:-1]} ({clock(start)}):{match['rest']}"
            else:
                para = f"[{clock(start)}] {para}"
        out.append(para)
        start += turn_seconds(flat)
    text = "\n\n".join(out) + "\n"
    if path.name in HARD_WRAPPED:
        text = "\n\n".join(
            textwrap.fill(p, width=80, break_long_words=False, break_on_hyphens=False) for p in text.split("\n\n")
        )
        text += "\n"
    path.write_text(front + "\n" + text if front and not text.startswith("\n") else front + text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stamp", action="store_true", help="also add timestamps to the .md/.txt transcripts")
    args = parser.parse_args()
    build_docx(DRAFTS / "coevorden-kind-01.draft", SAMPLES / "coevorden-kind-01.docx")
    build_odt(DRAFTS / "coevorden-ouder-02-w2.draft", SAMPLES / "coevorden-ouder-02-w2.odt")
    build_vtt(DRAFTS / "rotterdam-ouder-01.draft", SAMPLES / "rotterdam-ouder-01.vtt")
    if args.stamp:
        for name, (style, every) in STAMP_STYLES.items():
            stamp_text_file(SAMPLES / name, style, every)
        for name in HARD_WRAPPED - STAMP_STYLES.keys():
            stamp_text_file(SAMPLES / name, "bracket-before", 10**9)
    print("built coevorden-kind-01.docx, coevorden-ouder-02-w2.odt, rotterdam-ouder-01.vtt")


if __name__ == "__main__":
    main()
