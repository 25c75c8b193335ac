"""End-to-end benchmark, original SDK worker process (``durabletask`` 1.12.0, its own virtualenv).

Serves the benchmark workloads to the sidecar at ``--address`` until the harness says stop, and
reports this process's CPU time on request (see :mod:`benchkit.worker_process`).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import cast

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchkit import worker_process, workloads

from durabletask import task
from durabletask.worker import TaskHubGrpcWorker

# The original logs every turn at INFO to stderr by default; a quiet logger keeps terminal output
# (and its warning when stop() cancels its stream) out of its CPU figures.
_QUIET = logging.getLogger("bench.original")
_QUIET.setLevel(logging.ERROR)


def main() -> None:
    """Run the original's gRPC worker until the harness stops it."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--address", required=True)
    args = parser.parse_args()

    worker = TaskHubGrpcWorker(host_address=args.address, logger=_QUIET)
    # The cast only satisfies mypy: the original's ``Orchestrator`` alias cannot infer its types from it.
    worker.add_orchestrator(cast(task.Orchestrator[int, int], workloads.chain))
    worker.add_activity(workloads.increment)
    worker_process.serve(worker.start, worker.stop)


if __name__ == "__main__":
    main()
