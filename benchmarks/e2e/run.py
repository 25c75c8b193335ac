"""End-to-end benchmark: worker CPU and wall time through a real sidecar (microsoft/durabletask-go).

    python benchmarks/e2e/run.py

For each SDK a fresh sidecar is started (``durabletask.testing.sidecar``, in-memory store) and
that SDK's gRPC worker runs in a process of its own; the same client (the original's
``TaskHubGrpcClient``, in a third process) then runs each workload: 50 orchestrations of a
10-activity chain, and 1 orchestration of a 300-activity chain. For each workload we report the
wall time (first schedule to last completion, measured by the client) and the CPU seconds the
worker process spent on it (its own ``getrusage(RUSAGE_SELF)``, all threads, read before and
after the workload), plus the worker's total CPU from start to stop. One warm-up orchestration
runs before the first workload.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchkit import original_sdk, ours, report, sides
from benchkit.paths import BUILD_DIR
from benchkit.worker_process import WorkerProcess

ours.use_working_tree()

from durabletask.testing.sidecar import Sidecar  # noqa: E402

TARGET = 3.0
"""Our worker should use at most a third of the original's CPU."""

WORKLOADS = (("50 x chain(10)", 50, 10), ("1 x chain(300)", 1, 300))
"""Name, orchestrations, activities per orchestration."""

HERE = Path(__file__).resolve().parent

BINARY_VARIABLE = "DURABLETASK_SIDECAR_BINARY"
"""Environment variable naming a prebuilt sidecar; without it the launcher builds (once) and caches one."""

LOG_DIR = BUILD_DIR / "bench-logs"
"""Where each run leaves the sidecars' logs, for when a side fails."""


@dataclass(frozen=True, slots=True)
class WorkloadResult:
    """One workload on one SDK."""

    wall_seconds: float
    worker_cpu_seconds: float


@dataclass(frozen=True, slots=True)
class SideResult:
    """Every workload on one SDK, and the worker's CPU from start to stop."""

    workloads: dict[str, WorkloadResult]
    worker_total_cpu_seconds: float


def drive(client_python: Path, address: str, count: int, length: int, label: str) -> float:
    """Run one batch with the shared client; return its wall seconds."""
    args = ["--address", address, "--count", str(count), "--length", str(length)]
    result = sides.run_side(client_python, HERE / "client_driver.py", args, label=label)
    return float(result["wall_seconds"])


def measure_side(
    worker_python: Path | str, worker_script: Path, client_python: Path, sdk: str, worker_args: list[str] | None = None
) -> SideResult:
    """Run every workload against a fresh sidecar with ``worker_script`` serving it."""
    results: dict[str, WorkloadResult] = {}
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    sidecar = Sidecar("microsoft", binary=os.environ.get(BINARY_VARIABLE), log_file=LOG_DIR / f"e2e-{sdk}-sidecar.log")
    with (
        sidecar,
        WorkerProcess(worker_python, worker_script, ["--address", sidecar.address, *(worker_args or [])]) as worker,
    ):
        drive(client_python, sidecar.address, 1, 1, label=f"e2e {sdk}: warm-up")
        for name, count, length in WORKLOADS:
            cpu_before = worker.cpu_seconds()
            wall = drive(client_python, sidecar.address, count, length, label=f"e2e {sdk}: {name}")
            results[name] = WorkloadResult(wall, worker.cpu_seconds() - cpu_before)
        total = worker.stop()
    return SideResult(results, total)


def print_table(original: SideResult, mine: SideResult) -> None:
    """The side-by-side table."""
    rows = []
    for name, _, _ in WORKLOADS:
        theirs = original.workloads[name]
        cpu_ratio = report.speedup(theirs.worker_cpu_seconds, mine.workloads[name].worker_cpu_seconds)
        wall_ratio = report.speedup(theirs.wall_seconds, mine.workloads[name].wall_seconds)
        rows.append(
            [
                name,
                f"{theirs.worker_cpu_seconds:.3f}",
                f"{mine.workloads[name].worker_cpu_seconds:.3f}",
                f"{cpu_ratio:.1f}x",
                report.verdict(cpu_ratio, TARGET),
                f"{theirs.wall_seconds:.3f}",
                f"{mine.workloads[name].wall_seconds:.3f}",
                f"{wall_ratio:.1f}x",
            ]
        )
    rows.append(
        [
            "worker total (start..stop)",
            f"{original.worker_total_cpu_seconds:.3f}",
            f"{mine.worker_total_cpu_seconds:.3f}",
            *[""] * 5,
        ]
    )
    headers = [
        "e2e via durabletask-go",
        "original worker CPU s",
        "ours worker CPU s",
        "CPU ratio",
        f"target >={TARGET:g}x",
        "original wall s",
        "ours wall s",
        "wall ratio",
    ]
    print("End to end through a real sidecar (microsoft/durabletask-go), one worker process per SDK")
    print(report.render_table(headers, rows))


def run(transport: str, rounds: int) -> None:
    """Measure the original, then ours, ``rounds`` times over; print each round's table, then the ranges."""
    if not ours.grpc_worker_available():
        raise SystemExit(
            f"error: {sys.executable} cannot import durabletask.grpc (it needs grpcio and protobuf); run the "
            "benchmark in the dev environment: hatch run python benchmarks/e2e/run.py (or hatch run bench)"
        )
    original_python = original_sdk.original_python()
    ratios: dict[str, list[float]] = {name: [] for name, _, _ in WORKLOADS}
    for round_number in range(1, rounds + 1):
        original = measure_side(original_python, HERE / "original_worker.py", original_python, "original")
        mine = measure_side(
            sys.executable, HERE / "ours_worker.py", original_python, "ours", ["--transport", transport]
        )
        if rounds > 1:
            print(f"Round {round_number} of {rounds}")
        print_table(original, mine)
        for name in ratios:
            theirs, ours_cpu = original.workloads[name].worker_cpu_seconds, mine.workloads[name].worker_cpu_seconds
            ratios[name].append(report.speedup(theirs, ours_cpu))
    if rounds > 1:
        # The sides of one round run a minute apart at most; the machine's speed drifts more than
        # that between rounds, so each ratio is taken within its round.
        for name, values in ratios.items():
            below = sum(value < TARGET for value in values)
            print(
                f"{name}: CPU ratio {min(values):.1f}x-{max(values):.1f}x over {rounds} rounds, "
                f"median {statistics.median(values):.1f}x, {below} below the {TARGET:g}x target"
            )


def main() -> None:
    """Parse the command line and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--transport",
        choices=["auto", "builtin", "grpcio"],
        default="auto",
        help="our worker's transport (default: auto, which is the built-in channel here)",
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="measure both sides this many times, one after the other (default 1)"
    )
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    try:
        run(args.transport, args.rounds)
    except sides.SideFailedError as error:
        raise SystemExit(f"error: {error}") from None


if __name__ == "__main__":
    main()
