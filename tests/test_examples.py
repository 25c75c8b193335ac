"""The runnable examples work: each one, run as a user would run it, exits 0 and prints what it should.

Every example runs in its own process on the in-memory backend, and again with ``--sidecar``
against each real sidecar: microsoft/durabletask-go and dapr/durabletask-go (the session's, from
``tests/conftest.py``). The sidecar tests skip only when Go is not on PATH (the sidecars are built
from source); with ``DURABLETASK_REQUIRE_SIDECAR=1`` they fail instead.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"

# Lines each example must print (compared without surrounding spaces). They are the same on every
# backend: the examples print nothing that depends on the backend, such as instance ids or timer lengths.
EXPECTED_LINES: dict[str, list[str]] = {
    "continue_as_new": [
        "iteration 1: removed 2 expired sessions",
        "iteration 3: removed 6 expired sessions",
        "last run's input: iteration=3, removed_so_far=6",
        "custom status: {'iteration': 3, 'removed_so_far': 12}",
        "stopped after 3 iterations, 12 sessions removed",
    ],
    "custom_objects": [
        "price_order got Order with LineItem items, ship_to Address, shipping Shipping.EXPRESS, "
        "ordered_on datetime.date(2024, 3, 1)",
        'stored output: {"order_id":"SO-5150","total":303.98,"due_on":"2024-03-31",'
        '"label":"1 Main St, Springfield, US"}',
        "as an Invoice: Invoice, total 303.98, due on datetime.date(2024, 3, 31)",
        "without a hint: total 303.98, label '1 Main St, Springfield, US'",
    ],
    "fan_out_fan_in": [
        "intro.txt: 6 words",
        "timers.txt: 3 words",
        "Total: 26 words in 5 documents",
    ],
    "function_chaining": [
        "Orchestration COMPLETED: order-1001: reserved, charged, shipped",
    ],
    "human_interaction": [
        "order PO-3 escalated to the purchasing department",
        "PO-1: placed without approval",
        "PO-2: approved by Ada and placed",
        "PO-3: escalated, nobody approved in time",
    ],
    "retries": [
        "charge_card attempt 2: gateway timed out",
        "charge_card attempt 3: charged",
        "update_crm attempt 2: connection refused",
        "charged 120.00 on attempt 3",
        "CRM not updated (ConnectionError: crm.example.com refused the connection)",
    ],
    "sub_orchestrations": [
        "Contoso -> acct-contoso",
        "Fabrikam -> acct-fabrikam",
        "Northwind -> acct-northwind",
        "child Northwind: COMPLETED",
    ],
    "suspend_resume_terminate": [
        "order-7 after suspend: SUSPENDED",
        "order-7 after the event: SUSPENDED",
        "order-7 after resume: COMPLETED, order-7 shipped, tracking number 1Z-0042",
        "order-8 after terminate: TERMINATED, cancelled by the customer",
        "purged 2 instances; order-7 is now not found, order-8 not found",
    ],
}

# Generous: an example takes well under a second in memory and under 10 s on a sidecar.
EXAMPLE_TIMEOUT_SECONDS = 60


def run_script(*args: str, timeout: float = EXAMPLE_TIMEOUT_SECONDS) -> subprocess.CompletedProcess[str]:
    """Run a script from the examples directory with this interpreter, from the repository root."""
    return subprocess.run(
        [sys.executable, *args], cwd=EXAMPLES_DIR.parent, capture_output=True, text=True, timeout=timeout, check=False
    )


def assert_ran_as_expected(name: str, result: subprocess.CompletedProcess[str]) -> None:
    output = f"--- stdout\n{result.stdout}--- stderr\n{result.stderr}"
    assert result.returncode == 0, f"{name} exited with {result.returncode}\n{output}"
    printed = [line.strip() for line in result.stdout.splitlines()]
    missing = [line for line in EXPECTED_LINES[name] if line not in printed]
    assert not missing, f"{name} did not print {missing}\n{output}"


def test_every_example_is_checked() -> None:
    """A new example needs its expected lines here (and the list names no example that is gone)."""
    on_disk = {path.stem for path in EXAMPLES_DIR.glob("*.py") if not path.name.startswith("_")} - {"run_all"}
    assert on_disk == set(EXPECTED_LINES)


@pytest.mark.parametrize("name", sorted(EXPECTED_LINES))
def test_example_on_in_memory_backend(name: str) -> None:
    assert_ran_as_expected(name, run_script(f"examples/{name}.py"))


@pytest.mark.parametrize("flavor", ["microsoft", "dapr"])
@pytest.mark.parametrize("name", sorted(EXPECTED_LINES))
def test_example_on_sidecar(name: str, flavor: str, request: pytest.FixtureRequest) -> None:
    # The session's sidecars (tests/conftest.py) skip these only where Go is missing, and fail
    # them instead when DURABLETASK_REQUIRE_SIDECAR=1.
    address: str = request.getfixturevalue(f"{flavor}_sidecar_address")
    assert_ran_as_expected(name, run_script(f"examples/{name}.py", "--sidecar", address))


def test_run_all_runs_every_example_and_reports_success() -> None:
    result = run_script("examples/run_all.py", timeout=EXAMPLE_TIMEOUT_SECONDS * len(EXPECTED_LINES))

    assert result.returncode == 0, result.stdout + result.stderr
    for name in EXPECTED_LINES:
        assert f"PASS  {name}" in result.stdout
    assert f"{len(EXPECTED_LINES)} passed, 0 failed" in result.stdout


def test_run_all_rejects_an_unknown_example() -> None:
    result = run_script("examples/run_all.py", "no_such_example")

    assert result.returncode != 0
    assert "unknown example(s) no_such_example" in result.stderr
