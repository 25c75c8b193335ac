"""In-memory benchmark: wall time of a batch of orchestrations on each SDK's in-memory backend.

    python benchmarks/inmemory/run.py [--orchestrations 100] [--length 10] [--repeat 3]

Schedules ``--orchestrations`` orchestrations, each a chain of ``--length`` activities, all at
once, and waits for every one to complete (outputs are checked). Ours runs on
``durabletask.testing.InMemoryBackend``; the original on its own test backend
(``durabletask.testing.create_test_backend``, a gRPC server in process, driven by its gRPC client
and worker). Each side runs in its own process after one warm-up orchestration; the wall time is
from the first schedule call to the last completion.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchkit import original_sdk, report, sides, timing

TARGET = 20.0
"""Ours should finish the batch at least this many times faster than the original."""

HERE = Path(__file__).resolve().parent


def run(orchestrations: int, length: int, repeat: int) -> list[list[str]]:
    """Run both sides and return the table rows (also printed)."""
    args = ["--orchestrations", str(orchestrations), "--length", str(length), "--repeat", str(repeat)]
    original = sides.run_side(
        original_sdk.original_python(), HERE / "original_side.py", args, label="in-memory: original"
    )
    ours = sides.run_side(sys.executable, HERE / "ours_side.py", args, label="in-memory: ours")

    original_wall, ours_wall = timing.median(original["wall_seconds"]), timing.median(ours["wall_seconds"])
    original_cpu, ours_cpu = timing.median(original["cpu_seconds"]), timing.median(ours["cpu_seconds"])
    ratio = report.speedup(original_wall, ours_wall)
    rows = [
        [
            f"{orchestrations} x chain({length})",
            f"{original_wall:.3f}",
            f"{ours_wall:.3f}",
            f"{ratio:.1f}x",
            report.verdict(ratio, TARGET),
            f"{original_cpu:.3f}",
            f"{ours_cpu:.3f}",
        ]
    ]
    headers = [
        "in-memory backend",
        "original wall s",
        "ours wall s",
        "speed-up",
        f"target >={TARGET:g}x",
        "original CPU s",
        "ours CPU s",
    ]
    print(f"In-memory backends, median of {repeat} batch(es) ({original['sdk']} vs {ours['sdk']})")
    print(report.render_table(headers, rows))
    return rows


def main() -> None:
    """Parse the command line and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orchestrations", type=int, default=100, help="orchestrations per batch")
    parser.add_argument("--length", type=int, default=10, help="activities chained in each orchestration")
    parser.add_argument("--repeat", type=int, default=3, help="timed batches (after one warm-up orchestration)")
    args = parser.parse_args()
    try:
        run(args.orchestrations, args.length, args.repeat)
    except sides.SideFailedError as error:
        raise SystemExit(f"error: {error}") from None


if __name__ == "__main__":
    main()
