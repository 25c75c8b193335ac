"""The runner's count of results sent and not yet answered, which ``stop()`` waits on."""

from __future__ import annotations

import threading
import time

from durabletask.grpc._work_runner import _InFlight


def test_a_waiter_is_woken_when_the_last_answer_comes() -> None:
    in_flight = _InFlight()
    in_flight.add()
    in_flight.add()
    outcome: list[bool] = []
    waiter = threading.Thread(target=lambda: outcome.append(in_flight.wait_until_none(5.0)))
    waiter.start()
    time.sleep(0.05)
    in_flight.remove()
    time.sleep(0.05)
    assert not outcome, "woken while an answer was still outstanding"
    started = time.monotonic()
    in_flight.remove()
    waiter.join(5.0)
    assert outcome == [True]
    assert time.monotonic() - started < 1.0


def test_waiting_gives_up_after_the_timeout_and_answers_without_waiters_need_no_wake_up() -> None:
    in_flight = _InFlight()
    in_flight.add()
    assert in_flight.wait_until_none(0.05) is False
    in_flight.remove()  # nobody waits now
    assert in_flight.wait_until_none(0.0) is True
