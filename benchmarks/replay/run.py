"""Replay benchmark: microseconds per history event to replay a completed run from scratch.

    python benchmarks/replay/run.py [--sizes 100,1000,10000] [--repeat K]

For each workload (a chain of N activities, a fan-out of N activities) and each N, the full
history of a completed run is built up front; then one orchestrator turn replays all of it
(every event but the last completion as past events, ``OrchestratorStarted`` + the last
``TaskCompleted`` as new events) through each SDK's executor, which re-runs the generator
through the entire history and returns the completion. Only that call is timed; every result is
checked. Each SDK runs in its own process: the original in its own virtualenv.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchkit import original_sdk, report, sides, timing

TARGET = 5.0
"""Ours should replay at least this many times faster per step than the original."""

HERE = Path(__file__).resolve().parent


def per_step_us(row: dict[str, Any]) -> float:
    """Median microseconds per history event of one workload/size row."""
    return timing.median(row["durations_ns"]) / 1000 / float(row["steps"])


def run(sizes: str, repeat: int) -> list[list[str]]:
    """Run both sides and return the table rows (also printed)."""
    args = ["--sizes", sizes, "--repeat", str(repeat)]
    original = sides.run_side(original_sdk.original_python(), HERE / "original_side.py", args, label="replay: original")
    ours = sides.run_side(sys.executable, HERE / "ours_side.py", args, label="replay: ours")

    rows = []
    for theirs, mine in zip(original["results"], ours["results"], strict=True):
        assert (theirs["workload"], theirs["size"], theirs["steps"]) == (mine["workload"], mine["size"], mine["steps"])
        original_us, ours_us = per_step_us(theirs), per_step_us(mine)
        ratio = report.speedup(original_us, ours_us)
        rows.append(
            [
                f"{mine['workload']} N={mine['size']}",
                str(mine["steps"]),
                f"{original_us:.2f}",
                f"{ours_us:.2f}",
                f"{ratio:.1f}x",
                report.verdict(ratio, TARGET),
            ]
        )
    headers = ["replay", "events", "original us/event", "ours us/event", "speed-up", f"target >={TARGET:g}x"]
    print(f"Replay from scratch, one turn, median of {repeat} runs ({original['sdk']} vs {ours['sdk']})")
    print(report.render_table(headers, rows))
    return rows


def main() -> None:
    """Parse the command line and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,1000,10000", help="activities per orchestration, comma-separated")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per workload and size (after a warm-up)")
    args = parser.parse_args()
    try:
        run(args.sizes, args.repeat)
    except sides.SideFailedError as error:
        raise SystemExit(f"error: {error}") from None


if __name__ == "__main__":
    main()
