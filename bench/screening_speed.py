"""Screening speed: the full pipeline on 1,000,000 titles, single core, against two baselines.

Titles are the real e-commerce titles in ../shared/data/ecommerce-titles, repeated and
mutated (case, sizes, brand names inserted plainly or obfuscated). Baselines measured in the
same run: a Python loop that only lower-cases each title (the floor for any per-title Python
work), and a compiled `re` alternation of the same aliases run on each title.

    .venv/bin/python bench/screening_speed.py [--titles 1000000] [--batch 20000]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from probandi.adapters.screening.engine import ScreeningEngine
from probandi.domain.screening.catalog import load_default_catalog
from probandi.domain.screening.model import CatalogEntry, ScreenItem

ROOT = Path(__file__).resolve().parents[1]
OBFUSCATIONS: tuple[Callable[[str], str], ...] = (
    lambda s: " ".join(s.upper()),
    lambda s: s.replace("i", "1").replace("o", "0"),
    lambda s: "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s),
    "\u200b".join,
    lambda s: s.replace("c", "\u0441").replace("a", "\u0430"),
)
FILLERS = ("2024新款", "正品", "包邮", "XL", "500ml", "男女同款", "专柜", "A4", "iphone15", "送礼")


def real_titles() -> list[str]:
    default = ROOT.parent / "shared" / "data"
    folder = Path(os.environ.get("PROBANDI_SHARED_DATA", default)) / "ecommerce-titles"
    titles: list[str] = []
    for name in ("train.txt", "dev.txt"):
        chars: list[str] = []
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                if chars:
                    titles.append("".join(chars))
                chars = []
            else:
                chars.append(line.split(" ")[0] or " ")
        if chars:
            titles.append("".join(chars))
    return titles


def mutated(base: list[str], catalog: list[CatalogEntry], count: int) -> list[str]:
    rng = random.Random(7)
    names = [a for e in catalog for a in e.aliases]
    out = []
    for i in range(count):
        title = base[i % len(base)]
        roll = rng.random()
        if roll < 0.20:
            title = f"{rng.choice(names)} {title}"
        elif roll < 0.23:
            title = f"{rng.choice(OBFUSCATIONS)(rng.choice(names).lower())} {title}"
        if rng.random() < 0.5:
            title = f"{title} {rng.choice(FILLERS)}"
        out.append(title.upper() if rng.random() < 0.05 else title)
    return out


def timed(run: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--titles", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    catalog = load_default_catalog()
    started = time.perf_counter()
    engine = ScreeningEngine(catalog)
    build = time.perf_counter() - started
    titles = mutated(real_titles(), catalog, args.titles)
    items = [ScreenItem(str(i), t) for i, t in enumerate(titles)]
    aliases = sorted({a.lower() for e in catalog for a in (*e.aliases, *e.short)}, key=len)
    regex = re.compile("|".join(re.escape(a) for a in reversed(aliases)), re.IGNORECASE)

    def lower_loop() -> None:
        for title in titles:
            title.lower()

    def regex_loop() -> None:
        for title in titles:
            regex.findall(title)

    def engine_run() -> None:
        for i in range(0, len(items), args.batch):
            engine.screen_batch(items[i : i + args.batch])

    report(
        args.titles,
        build,
        engine.pattern_count,
        {
            "lowercase loop": timed(lower_loop, args.rounds),
            "re alternation": timed(regex_loop, args.rounds),
            "probandi screen": timed(engine_run, args.rounds),
        },
    )


def report(n: int, build: float, patterns: int, seconds: dict[str, float]) -> None:
    print(f"{n:,} titles, single core; engine built in {build:.2f} s ({patterns:,} patterns)")
    rates = {name: n / s for name, s in seconds.items()}
    for name, rate in rates.items():
        print(f"  {name:<16} {rate:>12,.0f} titles/s  ({seconds[name]:.2f} s, median)")
    ours = rates["probandi screen"]
    print(
        f"  probandi / lowercase loop: {ours / rates['lowercase loop']:.2f}x "
        f"(target >= 0.17x, i.e. 1/6)"
    )
    print(f"  probandi / re alternation: {ours / rates['re alternation']:.2f}x")
    verdict = "met" if ours >= 500_000 else "MISSED"
    print(f"  target >= 500,000 titles/s per core: {verdict}")


if __name__ == "__main__":
    main()
