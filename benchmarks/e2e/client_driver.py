"""End-to-end benchmark, the client: schedules one batch and reports its wall time.

Both workers are driven by this same client (the original SDK's ``TaskHubGrpcClient``, run in the
original's virtualenv), so the only thing that differs between the two sides is the worker.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchkit import driver, sides, workloads

from durabletask.client import TaskHubGrpcClient

_QUIET = logging.getLogger("bench.client")
_QUIET.setLevel(logging.ERROR)


def main() -> None:
    """Run ``--count`` chains of ``--length`` activities; report the wall seconds."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--address", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--length", type=int, required=True)
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()

    client = TaskHubGrpcClient(host_address=args.address, logger=_QUIET)
    try:
        expected = str(workloads.expected_output("chain", args.length))
        batch = driver.run_batch(
            client, workloads.chain, [args.length] * args.count, [expected] * args.count, timeout=args.timeout
        )
    finally:
        client.close()
    sides.report_to_harness({"wall_seconds": batch.wall_seconds})


if __name__ == "__main__":
    main()
