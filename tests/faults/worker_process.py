"""A worker process for fault tests: ``python worker_process.py ADDRESS LOG_FILE [ACTIVITY_SECONDS]``.

Serves ``chain_app``'s orchestrator and activity on the sidecar at ADDRESS until it receives
SIGTERM (then stops gracefully) or SIGKILL (then it simply dies, which is the point). Every
activity execution and completion decision is appended to LOG_FILE as it happens. Prints
``connected`` once its work item stream is open.
"""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

import chain_app

from durabletask.grpc import TaskHubGrpcWorker


def main() -> None:
    address, log_file = sys.argv[1], Path(sys.argv[2])
    chain_app.LOG = chain_app.ExecutionLog(log_file)
    chain_app.LOG.activity_seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with TaskHubGrpcWorker(host_address=address) as worker:
        worker.add_orchestrator(chain_app.chain)
        worker.add_activity(chain_app.step)
        worker.start()
        if worker.wait_until_connected(timeout=30):
            print("connected", flush=True)
        stop.wait()


if __name__ == "__main__":
    main()
