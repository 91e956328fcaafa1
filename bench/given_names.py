"""Regenerate `src/probandi/domain/screening/data/given_names.txt`: English given names,
used by screening to see a person in "Jacques Cartier bridge" or "Freeman Dyson biography"
(a given name just before a brand's name that is not part of the brand's own name).

Source: the US Census Bureau's 1990 frequency files of given names (public domain), as
shipped by the `names` package (MIT; https://github.com/treyhunner/names). It is not a
dependency of probandi; fetch it first, e.g.

    pip download names==0.3.0 --no-deps -d /tmp/names
    tar xzf /tmp/names/names-0.3.0.tar.gz -C /tmp/names
    .venv/bin/python bench/given_names.py /tmp/names/names-0.3.0/names

Kept: names of 3 letters or more, without those that are also ordinary words in product
titles (`ORDINARY` below: colours, gems, flowers, months, places, virtues, common nouns),
since "rose gold", "ruby red" or "chelsea boots" are not people.
"""

from __future__ import annotations

import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src/probandi/domain/screening/data/given_names.txt"
FILES = ("dist.male.first", "dist.female.first")
ORDINARY_WORDS = """
    will see may many love man long season hope young guy else soon major art son chance song
    summer america miss june april star king september bill page january numbers sun german
    lady brain france spring sunday rich gay winter carry christian queen royal faith jack rose
    paris van israel florida prince forest dick moon ray loan era golden grant max tiny desire
    don hang nick bell lane joy irish hong marine princess sydney carolina jan junior drew
    temple charity mac angel chase diamond dallas min kit marry buddy crystal dean angle honey
    ward glory liberty precious robin del eve manual jordan hunter chelsea santa roman georgia
    virginia victoria austin houston asia india china diego francisco angeles lincoln ruby
    pearl jade amber coral olive ivory hazel ginger iris lily violet daisy poppy jasmine
    camellia heather holly ivy sage scarlet ebony rusty brandy dawn storm rain snow sandy
    dusty misty sky sunny jewel candy cherry autumn silver sterling coco kitty bunny rocky
    lucky happy sharp cash gold goldie berry cotton wood stone river brook brooks field
    fields dale glen mint pink red rosa bianca nova luna stella marina sierra aurora serena
    gem harmony melody destiny trinity unique easter christmas noel blue green brown black
    white grey gray young rich early west north south case lance cole price hill ford
    mercedes porsche cadillac chanel dior gucci tiffany celine chloe coach hermes
"""
ORDINARY = frozenset(ORDINARY_WORDS.split())


def main(folder: Path) -> int:
    names: set[str] = set()
    for file in FILES:
        for line in (folder / file).read_text(encoding="ascii").splitlines():
            if line.strip():
                names.add(line.split()[0].lower())
    kept = sorted(n for n in names if len(n) >= 3 and n.isalpha() and n not in ORDINARY)
    header = "# US Census 1990 given names (public domain), less ordinary words; one per line\n"
    OUT.write_text(header + "\n".join(kept) + "\n", encoding="utf-8")
    return len(kept)


if __name__ == "__main__":
    print(main(Path(sys.argv[1])))
