"""Test durable orchestrations offline, fast and deterministically.

:class:`InMemoryBackend` is a fake sidecar that lives in your test process: its client and worker
have the same methods as the gRPC ones, histories are those a real sidecar would record, and a
virtual clock lets long timers fire at once::

    from durabletask.testing import InMemoryBackend

    def test_greeting():
        backend = InMemoryBackend()
        with backend.worker() as worker:
            worker.add_orchestrator(sequence)
            worker.add_activity(say_hello)
            worker.start()
            client = backend.client()
            instance_id = client.schedule_new_orchestration(sequence, input="Tokyo")
            state = client.wait_for_orchestration_completion(instance_id, timeout=10)
        assert state is not None
        assert state.get_output() == ["Hello Tokyo!"]

Beyond the backend:

* :func:`assert_deterministic` lets Hypothesis explore completion orders, failures, racing events
  and restarts, and fails with a readable report if replay would not reproduce a run;
* :func:`replay` checks a recorded history (see :func:`history_to_json` / :func:`history_from_json`)
  against today's code before you deploy a change;
* :class:`ActivityEnvironment` and :func:`run_activity` run an activity alone;
* :mod:`durabletask.testing.strategies` holds Hypothesis strategies for inputs, events and histories;
* :mod:`durabletask.testing.sidecar` builds and runs a real sidecar for end-to-end tests.

The Hypothesis-based names are imported on first use, so importing this package stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from durabletask.testing._activity_env import ActivityEnvironment, run_activity
from durabletask.testing._backend import InMemoryBackend
from durabletask.testing._client import InMemoryClient
from durabletask.testing._history_json import history_from_json, history_to_json
from durabletask.testing._replayer import ReplayResult, replay
from durabletask.testing._worker import InMemoryWorker

if TYPE_CHECKING:
    from durabletask.testing import strategies
    from durabletask.testing._determinism import assert_deterministic

__all__ = [
    "ActivityEnvironment",
    "InMemoryBackend",
    "InMemoryClient",
    "InMemoryWorker",
    "ReplayResult",
    "assert_deterministic",
    "history_from_json",
    "history_to_json",
    "replay",
    "run_activity",
    "strategies",
]

_LAZY = {
    "assert_deterministic": ("durabletask.testing._determinism", "assert_deterministic"),
    "strategies": ("durabletask.testing.strategies", None),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module_name, attribute = _LAZY[name]
        module = importlib.import_module(module_name)
        return module if attribute is None else getattr(module, attribute)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
