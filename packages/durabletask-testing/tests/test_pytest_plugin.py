"""The pytest plugin's fixtures, used as a user would, and its switch to a real sidecar."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from durabletask import task
from durabletask.client import OrchestrationClient, OrchestrationStatus
from durabletask.testing import InMemoryBackend
from durabletask.testing.sidecar import Sidecar, sidecar_required, sidecar_unavailable_reason
from durabletask.worker import WorkerBase

pytest_plugins = ["pytester"]


def greet(ctx: task.ActivityContext, name: str) -> str:
    return f"Hello {name}!"


def greetings(ctx: task.OrchestrationContext, names: list[str]) -> Any:
    return (yield task.when_all([ctx.call_activity(greet, input=name) for name in names]))


def test_the_fixtures_run_an_orchestration_offline(
    durabletask_client: OrchestrationClient, durabletask_worker: WorkerBase, durabletask_backend: InMemoryBackend
) -> None:
    durabletask_worker.add_orchestrator(greetings)
    durabletask_worker.add_activity(greet)
    durabletask_worker.start()
    instance_id = durabletask_client.schedule_new_orchestration(greetings, input=["Ada", "Bo"])
    state = durabletask_client.wait_for_orchestration_completion(instance_id)
    assert state is not None and state.runtime_status == OrchestrationStatus.COMPLETED
    assert state.get_output() == ["Hello Ada!", "Hello Bo!"]
    assert durabletask_backend.get_history(instance_id), "the client and worker share the backend fixture"


def test_an_unmarked_test_runs_on_the_in_memory_backend_only(
    durabletask_target: str, durabletask_client: OrchestrationClient
) -> None:
    assert durabletask_target == "memory"
    assert durabletask_client.get_orchestration_state("never-started") is None


MARKED_TEST = """
import pytest
from durabletask import task

def hello(ctx: task.ActivityContext, name: str) -> str:
    return f"Hello {name}!"

def chain(ctx: task.OrchestrationContext, _):
    first = yield ctx.call_activity(hello, input="Tokyo")
    second = yield ctx.call_activity(hello, input="Seattle")
    return [first, second]

@pytest.mark.durabletask_sidecar
def test_chain(durabletask_client, durabletask_worker, durabletask_target):
    durabletask_worker.add_orchestrator(chain)
    durabletask_worker.add_activity(hello)
    durabletask_worker.start()
    instance_id = durabletask_client.schedule_new_orchestration(chain)
    state = durabletask_client.wait_for_orchestration_completion(instance_id, timeout=30)
    assert state.get_output() == ["Hello Tokyo!", "Hello Seattle!"]
    print("ran on", durabletask_target)
"""


def test_without_an_address_the_sidecar_run_is_skipped_with_the_reason(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(MARKED_TEST)
    result = pytester.runpytest("-rs", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*no sidecar configured: pass --durabletask-sidecar*"])


@pytest.fixture(scope="module")
def sidecar_address() -> Iterator[str]:
    reason = sidecar_unavailable_reason()
    if reason is not None:
        if sidecar_required():
            pytest.fail(f"DURABLETASK_REQUIRE_SIDECAR=1 but {reason}")
        pytest.skip(reason)
    with Sidecar("microsoft") as sidecar:
        yield sidecar.address


def test_with_an_address_the_same_body_runs_against_the_sidecar(
    pytester: pytest.Pytester, sidecar_address: str
) -> None:
    pytester.makepyfile(MARKED_TEST)
    result = pytester.runpytest_subprocess("-s", "-p", "no:cacheprovider", "--durabletask-sidecar", sidecar_address)
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*ran on memory*", "*ran on sidecar*"])
