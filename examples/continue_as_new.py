"""Continue-as-new: an "eternal" periodic job that restarts itself instead of growing its history.

A cleanup job runs, sleeps on a durable timer, and runs again. Looping inside one generator
would make the history (and every replay) longer forever; instead each iteration ends with
``ctx.continue_as_new(next_state)``, which restarts the same instance with a fresh history and
the new input. The state carried between iterations is a dataclass. This one stops after a
fixed number of iterations so the example ends; a real job might loop until told to stop.

On the in-memory backend the hourly timer fires at once; on a sidecar the interval defaults to
1 second.

Run it on the embedded in-memory backend, or against a sidecar::

    python examples/continue_as_new.py [--iterations 3]
    python examples/continue_as_new.py --sidecar localhost:4001 [--interval-seconds 1]
"""

from __future__ import annotations

import sys
from collections.abc import Generator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from _backend_choice import example_parser, open_backend

from durabletask import client, task


@dataclass
class CleanupJob:
    iteration: int
    removed_so_far: int
    max_iterations: int
    interval_seconds: float


def remove_expired_sessions(ctx: task.ActivityContext, iteration: int) -> int:
    removed = 2 * iteration  # stands in for a real query; any number will do
    print(f"  iteration {iteration}: removed {removed} expired sessions")
    return removed


def periodic_cleanup(ctx: task.OrchestrationContext, job: CleanupJob) -> Generator[task.Task[Any], Any, str | None]:
    removed: int = yield ctx.call_activity(remove_expired_sessions, input=job.iteration)
    total = job.removed_so_far + removed
    ctx.set_custom_status({"iteration": job.iteration, "removed_so_far": total})

    if job.iteration >= job.max_iterations:
        return f"stopped after {job.iteration} iterations, {total} sessions removed"

    yield ctx.create_timer(timedelta(seconds=job.interval_seconds))
    # The generator ends here; the instance starts over with this input and an empty history.
    ctx.continue_as_new(
        CleanupJob(job.iteration + 1, total, max_iterations=job.max_iterations, interval_seconds=job.interval_seconds)
    )
    return None


def main() -> None:
    parser = example_parser(__doc__)
    parser.add_argument("--iterations", type=int, default=3, help="how many times the job runs (default: 3)")
    parser.add_argument(
        "--interval-seconds",
        type=float,
        help="the pause between runs (default: 1 hour in memory, 1 second on a sidecar)",
    )
    args = parser.parse_args()

    with open_backend(args) as backend, backend.worker() as w:
        w.add_orchestrator(periodic_cleanup)
        w.add_activity(remove_expired_sessions)
        w.start()
        c = backend.client()

        interval = args.interval_seconds
        if interval is None:
            interval = 1.0 if backend.on_sidecar else timedelta(hours=1).total_seconds()
        first_run = CleanupJob(1, 0, max_iterations=args.iterations, interval_seconds=interval)
        instance_id = c.schedule_new_orchestration(periodic_cleanup, input=first_run)
        state = c.wait_for_orchestration_completion(instance_id, timeout=30 + args.iterations * interval)

    if state is None or state.runtime_status != client.OrchestrationStatus.COMPLETED:
        sys.exit(f"The orchestration did not complete: {state}")
    # After continue-as-new the instance's input is the one its last iteration started with.
    last_input = state.get_input(CleanupJob)
    if last_input is None:
        sys.exit("The instance has no input")
    print(f"last run's input: iteration={last_input.iteration}, removed_so_far={last_input.removed_so_far}")
    print(f"custom status: {state.get_custom_status()}")
    print(state.get_output())

    expected_total = sum(2 * iteration for iteration in range(1, args.iterations + 1))
    expected = f"stopped after {args.iterations} iterations, {expected_total} sessions removed"
    if state.get_output() != expected or last_input.iteration != args.iterations:
        sys.exit(f"Expected {expected!r}")


if __name__ == "__main__":
    main()
