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
"""

from durabletask.testing._backend import InMemoryBackend
from durabletask.testing._client import InMemoryClient
from durabletask.testing._worker import InMemoryWorker

__all__ = [
    "InMemoryBackend",
    "InMemoryClient",
    "InMemoryWorker",
]
