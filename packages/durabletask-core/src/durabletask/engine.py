"""The worker engine: the one place where work items become results, whatever the transport.

A backend (the gRPC worker, the in-memory backend) receives work from somewhere, wraps it in a
work item and hands it to :class:`WorkerEngine`; it sends the result back the way it came. The
engine knows nothing about sockets, threads or protobuf.

Example::

    engine = WorkerEngine(registry)
    result = engine.run_orchestrator(OrchestratorWorkItem(instance_id, past_events, new_events))
    for action in result.actions:
        ...  # store them, schedule the activities, start the timers
"""

from __future__ import annotations

from durabletask._internal.engine import (
    ActivityResult,
    ActivityWorkItem,
    OrchestratorResult,
    OrchestratorWorkItem,
    WorkerEngine,
)

__all__ = [
    "ActivityResult",
    "ActivityWorkItem",
    "OrchestratorResult",
    "OrchestratorWorkItem",
    "WorkerEngine",
]
