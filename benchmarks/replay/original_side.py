"""Replay benchmark, original SDK side (``durabletask`` 1.12.0 from PyPI, in its own virtualenv).

Drives the executor the original's worker uses for every orchestration work item,
``durabletask.worker._OrchestrationExecutor``, with protobuf history events built by the
original's own ``durabletask.internal.helpers``. Prints its measurements for ``run.py``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import cast

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchkit import histories, sides, timing, workloads

import durabletask.internal.orchestrator_service_pb2 as pb
from durabletask import task, worker
from durabletask.internal import helpers
from durabletask.serialization import JsonDataConverter

# A quiet logger, the most favourable setting for the original: its worker's default logger has
# level NOTSET, which makes the executor format debug summaries of every turn it runs.
_LOGGER = logging.getLogger("bench.original")
_LOGGER.setLevel(logging.WARNING)


def to_protobuf(step: histories.Step, instance_id: str) -> pb.HistoryEvent:
    """The original's history event for ``step``, built with the original's helpers."""
    if step.kind is histories.Kind.ORCHESTRATOR_STARTED:
        return helpers.new_orchestrator_started_event(step.timestamp)
    if step.kind is histories.Kind.EXECUTION_STARTED:
        assert step.name is not None
        event = helpers.new_execution_started_event(step.name, instance_id, step.payload)
    elif step.kind is histories.Kind.TASK_SCHEDULED:
        assert step.name is not None
        event = helpers.new_task_scheduled_event(step.task_id, step.name, step.payload)
    else:
        event = helpers.new_task_completed_event(step.task_id, step.payload)
    event.timestamp.FromDatetime(step.timestamp)
    return event


def measure(case: histories.ReplayCase, registry: worker._Registry, repeat: int) -> list[int]:
    """Time ``repeat`` full replays of ``case`` and check that each one completed correctly."""
    past = [to_protobuf(step, case.instance_id) for step in case.past]
    new = [to_protobuf(step, case.instance_id) for step in case.new]
    converter = JsonDataConverter()

    def replay() -> list[pb.OrchestratorAction]:
        # The original's worker builds one executor per work item, so each replay starts from scratch.
        executor = worker._OrchestrationExecutor(registry, _LOGGER, converter)
        return list(executor.execute(case.instance_id, past, new).actions)

    def check(actions: list[pb.OrchestratorAction]) -> None:
        completion = actions[-1].completeOrchestration if actions else None
        if (
            completion is None
            or completion.orchestrationStatus != pb.ORCHESTRATION_STATUS_COMPLETED
            or completion.result.value != case.expected_output
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

    registry = worker._Registry()
    # The casts only satisfy mypy: the original's ``Orchestrator`` alias cannot infer its types from them.
    registry.add_orchestrator(cast(task.Orchestrator[int, int], workloads.chain))
    registry.add_orchestrator(cast(task.Orchestrator[int, int], workloads.make_fan_out(task.when_all)))

    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        for workload in ("chain", "fan_out"):
            case = histories.build_case(workload, size)
            durations = measure(case, registry, args.repeat)
            results.append({"workload": workload, "size": size, "steps": case.steps, "durations_ns": durations})
    sides.report_to_harness({"sdk": "original durabletask 1.12.0", "results": results})


if __name__ == "__main__":
    main()
