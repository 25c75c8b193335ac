"""A sidecar killed with SIGKILL in the middle of a run loses nothing once it is back.

100 orchestrations each chain five activities. When about a third of the activities have run,
the sidecar is killed (its file database keeps what it had committed), stays down for a moment
and restarts on the same port. The worker is never restarted: it reconnects by itself, and every
orchestration completes with the right output. Activities can run twice (at-least-once: one that
ran while the sidecar died is dispatched again), so those are counted, reported, and bounded by
how much work could have been in flight.

Orchestrations are started from a background thread while all this happens; a start that fails
because the sidecar is down is retried with the same instance id, and "already exists" then
means the first try had been stored.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from faults import chain_app
from faults.stale_locks import expire_stale_locks
from faults.waiting import wait_for_all, wait_until

from durabletask import client, history
from durabletask.grpc import (
    OrchestrationAlreadyExistsError,
    SidecarUnavailableError,
    TaskHubGrpcClient,
    TaskHubGrpcWorker,
)
from durabletask.testing.sidecar import Flavor, Sidecar

ORCHESTRATIONS = 100
DOWN_SECONDS = 0.5


@pytest.mark.parametrize("flavor", ["microsoft", "dapr"])
def test_a_killed_sidecar_restarted_on_its_port_loses_no_orchestration(
    flavor: Flavor, make_sidecar: Callable[..., Sidecar], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = chain_app.ExecutionLog()
    chain_app.LOG = log
    log.activity_seconds = 0.005  # keeps a few activities in flight at any moment
    database = tmp_path / "state.sqlite"
    sidecar = make_sidecar(flavor, db=database)
    instance_ids = [f"chain-{n}-{uuid.uuid4().hex[:8]}" for n in range(ORCHESTRATIONS)]
    with TaskHubGrpcWorker(host_address=sidecar.address) as w, TaskHubGrpcClient(host_address=sidecar.address) as c:
        w.add_orchestrator(chain_app.chain)
        w.add_activity(chain_app.step)
        w.start()
        # Four starters side by side: Dapr's StartInstance waits until the first turn is stored.
        starters = [
            threading.Thread(target=start_all, args=(c, instance_ids, range(k, ORCHESTRATIONS, 4)), daemon=True)
            for k in range(4)
        ]
        for starter in starters:
            starter.start()

        total = ORCHESTRATIONS * chain_app.STEPS
        wait_until(lambda: log.activity_count >= total // 3, 60, "a third of the activities to run")
        sidecar.kill()
        killed_at = log.activity_count
        time.sleep(DOWN_SECONDS)
        released = expire_stale_locks(database)
        sidecar.start()  # same port, same database

        assert w.wait_until_connected(timeout=15), "the worker reconnected to the restarted sidecar"
        for starter in starters:
            starter.join(60)
            assert not starter.is_alive(), "every orchestration was started"
        states = wait_for_all(c, instance_ids, timeout=60)
        for n, state in enumerate(states):
            assert state.runtime_status == client.OrchestrationStatus.COMPLETED, state.failure_details
            assert state.get_output() == chain_app.expected_output(n)
        if flavor == "dapr":  # the sidecar that shows histories: each instance started and completed once
            for instance_id in instance_ids:
                events = c.get_orchestration_history(instance_id)
                assert sum(isinstance(e, history.ExecutionStarted) for e in events) == 1
                assert sum(isinstance(e, history.ExecutionCompleted) for e in events) == 1

    every_task = {(i, t) for i in instance_ids for t in range(1, chain_app.STEPS + 1)}
    assert set(log.activities) == every_task, "every activity of every orchestration ran"
    duplicates = log.duplicates()
    # Only work in flight around the crash can run again: a handful, never whole orchestrations.
    assert sum(duplicates.values()) <= 20, duplicates
    with capsys.disabled():
        print(
            f"\n[{flavor}] sidecar killed after {killed_at}/{total} activities ({released} locks left behind); "
            f"{sum(duplicates.values())} duplicate activity executions; "
            f"{sum(n - 1 for n in log.completions.values() if n > 1)} repeated completion turns"
        )


def start_all(c: TaskHubGrpcClient, instance_ids: list[str], numbers: range) -> None:
    """Starts ``chain(n)`` as ``instance_ids[n]`` for each n in ``numbers``, retrying while the sidecar is down."""
    for n in numbers:
        instance_id = instance_ids[n]
        while True:
            try:
                c.schedule_new_orchestration(chain_app.chain, input=n, instance_id=instance_id)
            except OrchestrationAlreadyExistsError:
                pass  # an earlier try reached the sidecar before it died
            except (SidecarUnavailableError, TimeoutError):
                time.sleep(0.05)
                continue
            break
