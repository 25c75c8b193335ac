"""Replay benchmark, our side (``durabletask-core`` from this working tree).

Drives :class:`durabletask.engine.WorkerEngine`, the engine every backend of ours feeds, with
:mod:`durabletask.history` events. Prints its measurements for ``run.py``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchkit import histories, ours, sides, timing, workloads

ours.use_working_tree()

from durabletask import history, task  # noqa: E402
from durabletask.actions import CompleteOrchestrationAction, OrchestratorAction  # noqa: E402
from durabletask.client import OrchestrationStatus  # noqa: E402
from durabletask.engine import OrchestratorWorkItem, WorkerEngine  # noqa: E402
from durabletask.worker import Registry  # noqa: E402


def to_event(step: histories.Step, instance_id: str) -> history.HistoryEvent:
    """Our history event for ``step``."""
    if step.kind is histories.Kind.ORCHESTRATOR_STARTED:
        return history.OrchestratorStarted(-1, step.timestamp)
    if step.kind is histories.Kind.EXECUTION_STARTED:
        assert step.name is not None
        return history.ExecutionStarted(-1, step.timestamp, step.name, instance_id, input=step.payload)
    if step.kind is histories.Kind.TASK_SCHEDULED:
        assert step.name is not None
        return history.TaskScheduled(step.task_id, step.timestamp, step.name, input=step.payload)
    return history.TaskCompleted(-1, step.timestamp, task_scheduled_id=step.task_id, result=step.payload)


def measure(case: histories.ReplayCase, engine: WorkerEngine, repeat: int) -> list[int]:
    """Time ``repeat`` full replays of ``case`` and check that each one completed correctly."""
    item = OrchestratorWorkItem(
        case.instance_id,
        [to_event(step, case.instance_id) for step in case.past],
        [to_event(step, case.instance_id) for step in case.new],
    )

    def replay() -> list[OrchestratorAction]:
        # The engine is long-lived in our workers; every call replays the work item from scratch.
        return engine.run_orchestrator(item).actions

    def check(actions: list[OrchestratorAction]) -> None:
        completion = actions[-1] if actions else None
        if (
            not isinstance(completion, CompleteOrchestrationAction)
            or completion.status is not OrchestrationStatus.COMPLETED
            or completion.result != case.expected_output
        ):
            raise AssertionError(
                f"{case.instance_id}: expected a completion with {case.expected_output}, got {actions}"
            )

    return timing.time_runs(replay, check, repeat=repeat)


def main() -> None:
    """Measure every requested workload and size; report to the harness."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", required=True)
    parser.add_argument("--repeat", type=int, required=True)
    args = parser.parse_args()

    registry = Registry()
    registry.add_orchestrator(workloads.chain)
    registry.add_orchestrator(workloads.make_fan_out(task.when_all))
    engine = WorkerEngine(registry)

    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        for workload in ("chain", "fan_out"):
            case = histories.build_case(workload, size)
            durations = measure(case, engine, args.repeat)
            results.append({"workload": workload, "size": size, "steps": case.steps, "durations_ns": durations})
    sides.report_to_harness({"sdk": "ours (durabletask-core, working tree)", "results": results})


if __name__ == "__main__":
    main()
