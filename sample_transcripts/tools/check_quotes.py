"""Check that every quote in the coding drafts occurs exactly once in its transcript."""
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from build_demo_codings import DRAFTS, ALIASES, document_text, locate  # noqa: E402
import re

bad = 0
for draft in sorted(DRAFTS.glob("*.yaml")):
    data = yaml.safe_load(draft.read_text(encoding="utf-8"))
    text = document_text(data["document"])
    for key in ("a", "b_extra"):
        for alias, quote, *_ in data.get(key, []):
            pattern = r"\s+".join(re.escape(w) for w in quote.split())
            n = len(re.findall(pattern, text))
            if alias not in ALIASES or n != 1:
                bad += 1
                print(f"{draft.stem} {key} {alias}: found {n}x: {quote[:70]}")
print("bad:", bad)
