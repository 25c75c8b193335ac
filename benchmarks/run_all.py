"""Run every benchmark command in turn: replay, in-memory, end-to-end.

    python benchmarks/run_all.py [--skip e2e]

Each runs as its own process with this interpreter (which must see our packages, not the
original SDK); a failing benchmark is reported and the others still run. Exits non-zero if any
failed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

BENCHMARKS = ("replay", "inmemory", "e2e")
"""In the order they run: the fast, self-contained ones first."""


def main() -> None:
    """Run the selected benchmarks and summarize which ones failed."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip", action="append", default=[], choices=BENCHMARKS, help="leave a benchmark out")
    args = parser.parse_args()

    failed = []
    for name in BENCHMARKS:
        if name in args.skip:
            continue
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        code = subprocess.run([sys.executable, str(HERE / name / "run.py")], check=False).returncode
        print(
            f"=== {name}: {'ok' if code == 0 else f'FAILED (exit {code})'} in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
        if code != 0:
            failed.append(name)
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
