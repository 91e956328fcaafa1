"""Regenerate the word frequencies screening uses to judge how ordinary a derived alias is
(`src/probandi/domain/screening/data/word_freq_{zh,en}.tsv.gz`) from the `wordfreq` package's
"large" lists (Robyn Speer et al., data CC BY-SA 4.0; https://github.com/rspeer/wordfreq).

wordfreq is not a dependency of probandi: install it in a scratch environment first, e.g.

    python3 -m venv /tmp/wf && /tmp/wf/bin/pip install wordfreq==3.1.1
    /tmp/wf/bin/python bench/word_frequencies.py

Kept: Chinese words of 1 to 6 CJK characters, and English words of 3 to 20 letters a-z,
each with its frequency per word of running text, written with 3 significant digits.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import wordfreq  # type: ignore[import-not-found]

OUT = Path(__file__).resolve().parents[1] / "src" / "probandi" / "domain" / "screening" / "data"
CJK = re.compile(r"^[\u3400-\u9fff]{1,6}$")
LATIN = re.compile(r"^[a-z]{3,20}$")


def write(lang: str, keep: re.Pattern[str], floor: float) -> int:
    words = wordfreq.get_frequency_dict(lang, wordlist="large")
    kept = sorted(
        ((w, f) for w, f in words.items() if keep.match(w) and f >= floor),
        key=lambda wf: (-wf[1], wf[0]),
    )
    path = OUT / f"word_freq_{lang}.tsv.gz"
    header = f"# wordfreq 3.1.1 large_{lang}, CC BY-SA 4.0; word<TAB>frequency\n"
    body = "".join(f"{w}\t{f:.3g}\n" for w, f in kept)
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as out:
        out.write(header + body)
    return len(kept)


if __name__ == "__main__":
    print("zh", write("zh", CJK, 1e-9))
    print("en", write("en", LATIN, 1e-8))
