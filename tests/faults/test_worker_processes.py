"""Workers as separate processes: one killed mid-run and replaced, two sharing one sidecar.

Each worker is a ``worker_process.py`` child serving ``chain_app``; it appends every activity
execution and completion decision to its own log file, so what a killed process did survives it.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from faults import chain_app
from faults.processes import WorkerProcess
from faults.waiting import wait_for_all, wait_until

from durabletask import client
from durabletask.grpc import TaskHubGrpcClient
from durabletask.testing.sidecar import Flavor, Sidecar


def start_chains(c: TaskHubGrpcClient, count: int) -> list[str]:
    """Starts ``chain(n)`` for n in 0..count-1, a few at a time (Dapr's StartInstance waits for a turn)."""
    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(lambda n: c.schedule_new_orchestration(chain_app.chain, input=n), range(count)))


def assert_all_completed_right(states: list[client.OrchestrationState]) -> None:
    for n, state in enumerate(states):
        assert state.runtime_status == client.OrchestrationStatus.COMPLETED, state.failure_details
        assert state.get_output() == chain_app.expected_output(n)


@pytest.mark.parametrize("flavor", ["microsoft", "dapr"])
def test_a_worker_process_killed_mid_run_is_replaced_and_every_orchestration_completes(
    flavor: Flavor,
    make_sidecar: Callable[..., Sidecar],
    worker_process: Callable[..., WorkerProcess],
    capsys: pytest.CaptureFixture[str],
) -> None:
    count = 30
    sidecar = make_sidecar(flavor)
    first = worker_process(sidecar.address, activity_seconds=0.02)
    with TaskHubGrpcClient(host_address=sidecar.address) as c, ThreadPoolExecutor(1) as background:
        # Started in the background, so the kill can come while starts are still going on.
        starting = background.submit(start_chains, c, count)
        total = count * chain_app.STEPS
        wait_until(lambda: chain_app.ExecutionLog.read(first.log_file).activity_count >= total // 5, 60, "progress")
        first.kill()
        before = chain_app.ExecutionLog.read(first.log_file)
        assert before.activity_count < total, "the kill came in the middle of the run"

        second = worker_process(sidecar.address)
        instance_ids = starting.result(timeout=60)
        assert_all_completed_right(wait_for_all(c, instance_ids, timeout=60))

    after = chain_app.ExecutionLog.read(second.log_file)
    both = chain_app.ExecutionLog.read(first.log_file, second.log_file)
    assert after.activity_count > 0, "the replacement picked up the rest"
    assert set(both.activities) == {(i, t) for i in instance_ids for t in range(1, chain_app.STEPS + 1)}
    duplicates = both.duplicates()
    assert sum(duplicates.values()) <= 10, duplicates  # at most what the killed process had in flight
    with capsys.disabled():
        print(
            f"\n[{flavor}] worker killed after {before.activity_count}/{total} activities; "
            f"{sum(duplicates.values())} duplicate activity executions"
        )


@pytest.mark.parametrize("flavor", ["microsoft", "dapr"])
def test_two_worker_processes_share_one_sidecar_and_run_everything_exactly_once(
    flavor: Flavor, make_sidecar: Callable[..., Sidecar], worker_process: Callable[..., WorkerProcess]
) -> None:
    count = 40
    sidecar = make_sidecar(flavor)
    workers = [worker_process(sidecar.address, activity_seconds=0.01) for _ in range(2)]
    with TaskHubGrpcClient(host_address=sidecar.address) as c:
        instance_ids = start_chains(c, count)
        assert_all_completed_right(wait_for_all(c, instance_ids, timeout=60))

    each = [chain_app.ExecutionLog.read(w.log_file) for w in workers]
    both = chain_app.ExecutionLog.read(*(w.log_file for w in workers))
    assert all(log.activity_count > 0 for log in each), "both workers got work"
    assert set(both.activities) == {(i, t) for i in instance_ids for t in range(1, chain_app.STEPS + 1)}
    assert both.duplicates() == {}, "with no crash, no activity runs twice"
    assert both.completions == {instance_id: 1 for instance_id in instance_ids}, "each completed exactly once"
