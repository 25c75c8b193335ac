"""In-memory benchmark, original SDK side: the original's own test backend, in this process.

``durabletask.testing.create_test_backend`` serves the original's in-memory backend over gRPC on
a local port; the original's ``TaskHubGrpcClient`` and ``TaskHubGrpcWorker`` talk to it.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import cast

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchkit import driver, network, sides, workloads

from durabletask import task
from durabletask.client import TaskHubGrpcClient
from durabletask.testing import create_test_backend
from durabletask.worker import TaskHubGrpcWorker

# The original's worker and client log every turn at INFO to stderr by default; a quiet logger
# keeps terminal output out of its numbers (and its warning when stop() cancels its stream).
_QUIET = logging.getLogger("bench.original")
_QUIET.setLevel(logging.ERROR)


def main() -> None:
    """Start the backend and a worker, warm up, time the batches, report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orchestrations", type=int, required=True)
    parser.add_argument("--length", type=int, required=True)
    parser.add_argument("--repeat", type=int, required=True)
    args = parser.parse_args()

    port = network.free_port()
    backend = create_test_backend(port=port)
    address = f"localhost:{port}"
    worker = TaskHubGrpcWorker(host_address=address, logger=_QUIET)
    # The cast only satisfies mypy: the original's ``Orchestrator`` alias cannot infer its types from it.
    worker.add_orchestrator(cast(task.Orchestrator[int, int], workloads.chain))
    worker.add_activity(workloads.increment)
    worker.start()
    client = TaskHubGrpcClient(host_address=address, logger=_QUIET)
    try:
        expected = str(workloads.expected_output("chain", args.length))
        # One orchestration first, so connecting the worker's stream is not billed to the batch.
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
        client.close()
        backend.stop()
    sides.report_to_harness(
        {
            "sdk": "original durabletask 1.12.0 (create_test_backend over local gRPC)",
            "wall_seconds": [b.wall_seconds for b in batches],
            "cpu_seconds": [b.cpu_seconds for b in batches],
        }
    )


if __name__ == "__main__":
    main()
