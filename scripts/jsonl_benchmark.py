"""Reading a 2 GB JSONL export: time, peak memory, and one malformed line among a million.

Writes a JSONL file of about 2 GB (a million articles of ~2.1 KB, one of them a broken line),
then reads it with `read_articles` in a fresh process and reports the time, that process's
peak memory against the file's size, and what was said about the broken line.

Run with `make bench-jsonl` (or `.venv/bin/python scripts/jsonl_benchmark.py`); it needs
about 2 GB of free disk under the temporary folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINES = int(os.environ.get("FOOTNOTE_BENCH_LINES", 1_000_000))
BROKEN = LINES * 2 // 3  # the 1-based number of the line written broken
WORDS = ["strike", "union", "pay", "talks", "vote", "nurses", "rail", "school", "minister"]

READER = """
import resource, sys, time
sys.path.insert(0, sys.argv[2])
from pathlib import Path
from index.articles import read_articles
started = time.perf_counter()
articles, skipped = read_articles([Path(sys.argv[1])])
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
text = sum(len(a.text) for a in articles)
print(len(articles), seconds, peak, text)
for s in skipped:
    print(s.path, "|", s.reason)
"""


def write_export(path: Path) -> int:
    body = " ".join(WORDS[n % len(WORDS)] for n in range(340)) + "."
    with path.open("w", encoding="utf-8") as stream:
        for number in range(1, LINES + 1):
            if number == BROKEN:
                stream.write('{"id": "broken", "text": "a line cut short\n')
                continue
            record = {"id": f"a{number}", "title": f"Article {number}", "text": f"{number}. {body}"}
            stream.write(json.dumps(record) + "\n")
    return path.stat().st_size


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / "export.jsonl"
        size = write_export(export)
        result = subprocess.run(
            [sys.executable, "-c", READER, str(export), str(ROOT)],
            capture_output=True,
            text=True,
            check=True,
        )
    first, *skipped = result.stdout.splitlines()
    count, seconds, peak, text = first.split()
    print(f"JSONL export of {size / 2**30:.2f} GiB, {LINES:,} lines, on {os.cpu_count()} cores\n")
    print("| measure | value |\n| --- | ---: |")
    print(f"| articles read | {int(count):,} |")
    print(f"| read time | {float(seconds):.1f} s ({size / 2**20 / float(seconds):.0f} MiB/s) |")
    print(f"| peak memory of the reading process | {int(peak) / 2**30:.2f} GiB |")
    print(f"| ... of which the articles' text | {int(text) / 2**30:.2f} GiB |")
    print(f"| peak memory / file size | {int(peak) / size:.2f} |")
    for line in skipped:
        print(f"\nskipped: {line}")


if __name__ == "__main__":
    main()
