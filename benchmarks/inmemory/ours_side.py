"""In-memory benchmark, our side: ``durabletask.testing.InMemoryBackend`` from this working tree."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchkit import driver, ours, sides, workloads

ours.use_working_tree()

from durabletask.testing import InMemoryBackend  # noqa: E402


def main() -> None:
    """Start the backend and a worker, warm up, time the batches, report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orchestrations", type=int, required=True)
    parser.add_argument("--length", type=int, required=True)
    parser.add_argument("--repeat", type=int, required=True)
    args = parser.parse_args()

    backend = InMemoryBackend()
    client = backend.client()
    worker = backend.worker()
    worker.add_orchestrator(workloads.chain)
    worker.add_activity(workloads.increment)
    worker.start()
    try:
        expected = str(workloads.expected_output("chain", args.length))
        # One orchestration first, exactly as the original's side does.
        driver.run_batch(client, workloads.chain, [args.length], [expected], timeout=60)
        batches = [
            driver.run_batch(
                client,
                workloads.chain,
                [args.length] * args.orchestrations,
                [expected] * args.orchestrations,
                timeout=120,
            )
            for _ in range(args.repeat)
        ]
    finally:
        worker.stop()
    sides.report_to_harness(
        {
            "sdk": "ours (durabletask-testing InMemoryBackend, working tree)",
            "wall_seconds": [b.wall_seconds for b in batches],
            "cpu_seconds": [b.cpu_seconds for b in batches],
        }
    )


if __name__ == "__main__":
    main()
