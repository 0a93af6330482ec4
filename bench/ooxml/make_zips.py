#!/usr/bin/env python3
"""Writes the zip archives of the zip rebuild benchmark (README, docs/archive.md, "Performance"):
20 archives of four text and four CSV members each, Japanese and ASCII words, 12.3 MB of members.
Deterministic (fixed seed), so that two builds are measured on the same bytes.

    python3 bench/ooxml/make_zips.py DIR && build/bench/ooxml/mugaika_bench_ooxml DIR
"""
import os
import random
import sys
import zipfile

WORDS = "無害化 municipal gateway 書類 report 予算 会議 the of and 住民 申請 data".split()


def main(folder: str) -> None:
    os.makedirs(folder, exist_ok=True)
    rng = random.Random(7)
    for z in range(20):
        with zipfile.ZipFile(os.path.join(folder, f"a{z:02d}.zip"), "w", zipfile.ZIP_DEFLATED) as f:
            for m in range(8):
                if m % 2:
                    rows = "\n".join(
                        ",".join(str(rng.randint(0, 99999)) if c % 2 else rng.choice(WORDS) for c in range(6))
                        for _ in range(2500))
                    f.writestr(f"table{m}.csv", "番号,名前,金額,区分,日付,備考\n" + rows)
                else:
                    f.writestr(f"note{m}.txt", " ".join(rng.choice(WORDS) for _ in range(9000)))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_zips.py DIR")
    main(sys.argv[1])
