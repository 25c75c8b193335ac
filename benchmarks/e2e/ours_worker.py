"""End-to-end benchmark, our worker process (``durabletask-grpc`` from this working tree).

Serves the benchmark workloads to the sidecar at ``--address`` until the harness says stop, and
reports this process's CPU time on request (see :mod:`benchkit.worker_process`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchkit import ours, worker_process, workloads

ours.use_working_tree()

from durabletask.grpc import TaskHubGrpcWorker  # noqa: E402


def main() -> None:
    """Run our gRPC worker until the harness stops it."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--address", required=True)
    parser.add_argument("--transport", choices=["auto", "builtin", "grpcio"], default="auto")
    args = parser.parse_args()

    worker = TaskHubGrpcWorker(host_address=args.address, transport=args.transport)
    worker.add_orchestrator(workloads.chain)
    worker.add_activity(workloads.increment)
    worker_process.serve(worker.start, worker.stop)


if __name__ == "__main__":
    main()
