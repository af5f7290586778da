"""What the size and depth checks of issue 13 cost, as a share of importing the same files.

The checks: the extracted-text limit and the longest-line scan (``check_text``), the
bounded join of .docx/.odt paragraphs (``join_limited`` against a plain join), and the
limited YAML loader for front matter (against PyYAML's BaseLoader). Each is timed on the
texts of the transcripts being imported, and set against the time to import those files
into a fresh study (reading, normalising, segmenting with spaCy, storing). The budget is
under 5 %.

It also measures the memory of reading a large .docx and .odt (``--office-mb``, the size of
their XML part): the readers stream the XML one top-level block at a time, so their peak
memory should stay near the interpreter's own, where parsing the part whole (what
python-docx and odfpy do) holds the whole tree. Each reading runs in a fresh process and
reports its peak resident memory (Linux: /proc/self/status).

Run: python benchmarks/size_checks_bench.py [--copies N] [--repeat N] [--office-mb N]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from qualcode.core.safe_yaml import safe_load  # noqa: E402
from qualcode.ingest.encoding import check_text, join_limited  # noqa: E402
from qualcode.ingest.metadata import split_front_matter  # noqa: E402
from qualcode.study.study import Study  # noqa: E402


def _best(repeat: int, work) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_ODT_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)
# Reads one file in a fresh interpreter and prints its peak resident memory in MB: the
# reader under test ("stream"), or lxml parsing the XML part whole ("whole", the old way).
_MEASURE = """
import sys, zipfile
from pathlib import Path
sys.path.insert(0, sys.argv[1])


def high_water_mb():
    # VmHWM: this process's own peak (ru_maxrss would carry the parent's over exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024


from lxml import etree
from qualcode.ingest import office
path, how = Path(sys.argv[2]), sys.argv[3]
base = high_water_mb()
if how == "whole":
    part = "word/document.xml" if path.suffix == ".docx" else "content.xml"
    with zipfile.ZipFile(path) as archive:
        tree = etree.fromstring(archive.read(part))
    chars = sum(len(t) for t in tree.itertext())
else:
    chars = len(office.read_docx_text(path) if path.suffix == ".docx" else office.read_odt_text(path))
print(chars, base, high_water_mb())
"""


def _office_files(folder: Path, megabytes: int) -> list[Path]:
    """A .docx and an .odt whose XML part is about ``megabytes`` MB of run-heavy markup
    (Word writes a run per formatting change: many small runs per paragraph)."""
    run = '<w:r><w:rPr><w:lang w:val="nl-NL"/></w:rPr><w:t xml:space="preserve">ik voel me gezien </w:t></w:r>'
    paragraph = "<w:p>" + run * 20 + "</w:p>"
    count = megabytes * 1024 * 1024 // len(paragraph)
    docx = folder / "groot.docx"
    with zipfile.ZipFile(docx, "w", zipfile.ZIP_DEFLATED) as archive:
        body = paragraph * count
        archive.writestr("word/document.xml", f'<w:document xmlns:w="{_W}"><w:body>{body}</w:body></w:document>')
    span = '<text:span text:style-name="T1">ik voel me gezien </text:span>'
    odt_paragraph = '<text:p text:style-name="P1">' + span * 20 + "</text:p>"
    odt = folder / "groot.odt"
    with zipfile.ZipFile(odt, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        body = odt_paragraph * (megabytes * 1024 * 1024 // len(odt_paragraph))
        archive.writestr(
            "content.xml",
            f"<office:document-content {_ODT_NS}><office:body><office:text>{body}"
            "</office:text></office:body></office:document-content>",
        )
    return [docx, odt]


def _office_memory(megabytes: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for path in _office_files(Path(folder), megabytes):
            figures = {}
            for how in ("stream", "whole"):
                out = subprocess.run(
                    [sys.executable, "-c", _MEASURE, str(ROOT / "src"), str(path), how],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout.split()
                chars, base, peak = (int(x) for x in out)
                figures[how] = (chars, peak - base)
            chars = figures["stream"][0]
            budget = 4 * chars // (1024 * 1024)
            print(
                f"{path.suffix}: {megabytes} MB of XML, {chars:,} characters of text; peak memory of reading "
                f"{figures['stream'][1]} MB streamed (budget {budget} MB: 4 bytes per character of text) "
                f"vs {figures['whole'][1]} MB parsed whole"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=10, help="Copies of each sample transcript, each made longer.")
    parser.add_argument("--repeat", type=int, default=5, help="Timing repeats of the checks (best is kept).")
    parser.add_argument("--office-mb", type=int, default=40, help="Size of the large .docx/.odt's XML part (MB).")
    args = parser.parse_args()
    _office_memory(args.office_mb)
    samples = sorted(p for p in (ROOT / "sample_transcripts").glob("*.md"))
    with tempfile.TemporaryDirectory() as folder:
        files = []
        for copy in range(args.copies):
            for sample in samples:
                raw = sample.read_text(encoding="utf-8")
                _front, body = split_front_matter(raw, sample)
                target = Path(folder) / f"{sample.stem}-{copy}.md"
                # Distinct texts (a study refuses the same text twice), about 4× the sample.
                target.write_text(raw + "\n" + (body + f"\nR: kopie {copy}.\n") * 3, encoding="utf-8")
                files.append(target)
        texts = [split_front_matter(f.read_text(encoding="utf-8"), f) for f in files]
        chars = sum(len(t) for _, t in texts)
        study_path = Path(folder) / "bench.qualcode"
        with Study.create(study_path) as study:
            study.documents()
            started = time.perf_counter()
            study.import_files(files)
            imported = time.perf_counter() - started
        fronts = [f.read_text(encoding="utf-8").split("---")[1] for f in files]

        import yaml

        check = _best(args.repeat, lambda: [check_text(t, "x") for _, t in texts])
        lines = [t.split("\n") for _, t in texts]
        join = _best(args.repeat, lambda: [join_limited(ls, "x") for ls in lines]) - _best(
            args.repeat, lambda: ["\n".join(ls) for ls in lines]
        )
        limited = _best(args.repeat, lambda: [safe_load(f, base=True) for f in fronts])
        plain = _best(args.repeat, lambda: [yaml.load(f, Loader=yaml.BaseLoader) for f in fronts])
    total = check + max(join, 0.0) + max(limited - plain, 0.0)
    print(f"{len(files)} transcripts, {chars:,} characters; import {imported:.2f} s")
    print(f"check_text (limit + longest line): {check * 1000:.1f} ms")
    print(f"join_limited over a plain join:    {join * 1000:.1f} ms")
    print(f"limited YAML over BaseLoader:      {(limited - plain) * 1000:.1f} ms (of {limited * 1000:.1f} ms)")
    print(f"size checks: {total * 1000:.1f} ms = {100 * total / imported:.2f} % of import time (budget 5 %)")


if __name__ == "__main__":
    main()
