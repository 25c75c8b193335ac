"""The client of the in-memory backend: the same methods as a gRPC client, served in process."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from durabletask._internal.client_base import encode_start
from durabletask.client import OrchestrationClient, OrchestrationState, OrchestrationStatus, PurgeInstancesResult
from durabletask.history import EventRaised, ExecutionResumed, ExecutionSuspended, ExecutionTerminated
from durabletask.testing._hub import Hub


class InMemoryClient(OrchestrationClient):
    """Starts, inspects and controls orchestrations of an :class:`InMemoryBackend`.

    Get one with ``backend.client()``. Its methods, parameters and defaults are those of
    ``TaskHubGrpcClient``, so a test written against it runs unchanged against a sidecar::

        instance_id = client.schedule_new_orchestration(sequence, input="Tokyo")
        state = client.wait_for_orchestration_completion(instance_id, timeout=10)
        assert state is not None and state.runtime_status == OrchestrationStatus.COMPLETED

    Each call first runs, on the calling thread, the work that is ready; waits also move the
    virtual clock to the next due timer when nothing else can happen. Errors where a sidecar
    would report one: ``OrchestrationAlreadyExistsError`` for a taken instance id,
    ``OrchestrationNotFoundError`` for waiting on, terminating, suspending, resuming or purging
    a missing instance. An event raised to a missing instance is dropped, as sidecars drop it.
    """

    def __init__(self, hub: Hub) -> None:
        self._hub = hub
        self.data_converter = hub.data_converter

    def schedule_new_orchestration(
        self,
        orchestrator: Callable[..., Any] | str,
        *,
        input: Any = None,
        instance_id: str | None = None,
        start_at: datetime | None = None,
        tags: dict[str, str] | None = None,
        version: str | None = None,
    ) -> str:
        """Start an orchestration and return its instance id.

        With ``start_at`` (a naive datetime counts as UTC), the instance stays PENDING until the
        virtual clock reaches that moment.
        """
        name, resolved_id, encoded = encode_start(self.data_converter, orchestrator, input, instance_id)
        self._hub.create(name, resolved_id, encoded, start_at=start_at, version=version, tags=tags)
        return resolved_id

    def get_orchestration_state(self, instance_id: str, *, fetch_payloads: bool = True) -> OrchestrationState | None:
        """The instance's state, or ``None`` if there is no such instance."""
        return self._hub.state(instance_id, fetch_payloads=fetch_payloads)

    def wait_for_orchestration_start(
        self, instance_id: str, *, fetch_payloads: bool = False, timeout: float = 60
    ) -> OrchestrationState | None:
        """Run the instance until it has left PENDING; ``TimeoutError`` if it cannot."""
        return self._hub.wait(instance_id, _has_started, fetch_payloads=fetch_payloads, timeout=timeout)

    def wait_for_orchestration_completion(
        self, instance_id: str, *, fetch_payloads: bool = True, timeout: float = 60
    ) -> OrchestrationState | None:
        """Run the instance (skipping virtual time to due timers) until it completes, fails or is terminated."""
        return self._hub.wait(instance_id, _has_finished, fetch_payloads=fetch_payloads, timeout=timeout)

    def raise_orchestration_event(self, instance_id: str, event_name: str, *, data: Any = None) -> None:
        """Deliver the external event ``event_name`` with ``data`` to the instance."""
        encoded = self.data_converter.serialize(data)
        self._hub.deliver(
            instance_id,
            lambda now: EventRaised(event_id=-1, timestamp=now, name=event_name, input=encoded),
            missing_ok=True,
        )

    def terminate_orchestration(self, instance_id: str, *, output: Any = None, recursive: bool = True) -> None:
        """Terminate the instance (and, with ``recursive``, its sub-orchestrations) with ``output``."""
        encoded = self.data_converter.serialize(output)
        self._hub.deliver(
            instance_id, lambda now: ExecutionTerminated(event_id=-1, timestamp=now, input=encoded, recurse=recursive)
        )

    def suspend_orchestration(self, instance_id: str, *, reason: str | None = None) -> None:
        """Suspend the instance; events that arrive meanwhile wait until it is resumed."""
        self._hub.deliver(instance_id, lambda now: ExecutionSuspended(event_id=-1, timestamp=now, input=reason))

    def resume_orchestration(self, instance_id: str, *, reason: str | None = None) -> None:
        """Resume a suspended instance."""
        self._hub.deliver(instance_id, lambda now: ExecutionResumed(event_id=-1, timestamp=now, input=reason))

    def purge_orchestration(self, instance_id: str, recursive: bool = True) -> PurgeInstancesResult:
        """Delete a finished instance (and, with ``recursive``, its sub-orchestrations).

        ``OrchestrationNotFoundError`` if it does not exist; ``OrchestrationStateError`` if it (or
        one of the sub-orchestrations to purge) has not finished, and then nothing is deleted.
        """
        return PurgeInstancesResult(deleted_instance_count=self._hub.purge(instance_id, recursive=recursive))


def _has_started(status: OrchestrationStatus) -> bool:
    return status is not OrchestrationStatus.PENDING


def _has_finished(status: OrchestrationStatus) -> bool:
    return status.is_terminal
