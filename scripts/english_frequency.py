"""Write bot/answering/data/english_frequency.tsv from wordfreq's small English list.

    pip download --no-deps wordfreq==3.1.1 -d /tmp/wordfreq && pip install msgpack
    python scripts/english_frequency.py /tmp/wordfreq/wordfreq-3.1.1-py3-none-any.whl

wordfreq stores words in bins of one centibel: bin i holds the words used 10^(-i/100) of the
time, that is at Zipf frequency 9 - i/100. Each line of the output is one non-empty bin: its
Zipf frequency, a tab, and its words separated by spaces.
"""

from __future__ import annotations

import gzip
import io
import sys
import zipfile
from pathlib import Path

import msgpack

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bot" / "answering" / "data" / "english_frequency.tsv"
MEMBER = "wordfreq/data/small_en.msgpack.gz"


def main(wheel: str) -> None:
    with zipfile.ZipFile(wheel) as archive:
        packed = gzip.decompress(archive.read(MEMBER))
    header, *bins = msgpack.load(io.BytesIO(packed), raw=False)
    assert header == {"format": "cB", "version": 1}, header
    lines = [f"{9 - i / 100:.2f}\t{' '.join(words)}" for i, words in enumerate(bins, 1) if words]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"Wrote {sum(len(b) for b in bins)} words in {len(lines)} bins to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
