"""TLS and per-call metadata, against a TLS gRPC server started by the test.

The server (``fake_sidecar.py``) has a self-signed certificate made here with the ``openssl``
command line and records the metadata of every call. Trusting that certificate through
``root_certificates`` connects; ``secure_channel=True`` alone trusts only the system's roots and
is refused, which shows TLS is really in use. An ``authorization`` header given as ``metadata``
reaches the server on every call of the client, the asyncio client and the worker.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from fake_sidecar import FakeSidecar

from durabletask import task
from durabletask.grpc import AsyncTaskHubGrpcClient, SidecarUnavailableError, TaskHubGrpcClient, TaskHubGrpcWorker
from durabletask.grpc._proto import orchestrator_service_pb2 as pb

TOKEN = ("authorization", "Bearer test-token-123")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes]:
    """A self-signed certificate for ``localhost`` and its private key, both PEM."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not available to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return Path(cert).read_bytes(), Path(key).read_bytes()


@pytest.fixture
def tls_sidecar(certificate: tuple[bytes, bytes]) -> Iterator[FakeSidecar]:
    cert, key = certificate
    with FakeSidecar(grpc.ssl_server_credentials([(key, cert)])) as server:
        yield server


def hello(ctx: task.ActivityContext, name: str) -> str:
    return f"Hello {name}!"


def test_the_client_trusts_given_roots_and_sends_metadata_on_every_call(
    tls_sidecar: FakeSidecar, certificate: tuple[bytes, bytes]
) -> None:
    with TaskHubGrpcClient(host_address=tls_sidecar.address, root_certificates=certificate[0], metadata=[TOKEN]) as c:
        c.ping()
        c.schedule_new_orchestration("anything", instance_id="i1")
        assert c.get_orchestration_state("i1") is None

    for method in ("Hello", "StartInstance", "GetInstance"):
        seen = tls_sidecar.metadata_of(method)
        assert seen and all(metadata.get(TOKEN[0]) == TOKEN[1] for metadata in seen), method


def test_the_async_client_does_the_same(tls_sidecar: FakeSidecar, certificate: tuple[bytes, bytes]) -> None:
    async def scenario() -> None:
        async with AsyncTaskHubGrpcClient(
            host_address=tls_sidecar.address, root_certificates=certificate[0], metadata=[TOKEN]
        ) as c:
            await c.ping()
            await c.schedule_new_orchestration("anything", instance_id="i2")

    asyncio.run(scenario())
    assert [m.get(TOKEN[0]) for m in tls_sidecar.metadata_of("StartInstance")] == [TOKEN[1]]


def test_the_worker_sends_metadata_on_the_stream_and_on_every_completion(
    tls_sidecar: FakeSidecar, certificate: tuple[bytes, bytes]
) -> None:
    def greet(ctx: task.OrchestrationContext, _: Any) -> Any:
        return (yield ctx.call_activity(hello, input="TLS"))

    with TaskHubGrpcWorker(host_address=tls_sidecar.address, root_certificates=certificate[0], metadata=[TOKEN]) as w:
        w.add_orchestrator(greet)
        w.add_activity(hello)
        w.start()
        assert w.wait_until_connected(10)
        activity = pb.ActivityRequest(
            name="hello", task_id=1, orchestration_instance=pb.OrchestrationInstance(instance_id="i3")
        )
        activity.input.value = '"TLS"'
        tls_sidecar.work_items.put(pb.WorkItem(activity_request=activity))
        tls_sidecar.work_items.put(pb.WorkItem(orchestrator_request=pb.OrchestratorRequest(instance_id="i3")))
        assert tls_sidecar.activity_responses.get(timeout=10).result.value == '"Hello TLS!"'
        assert tls_sidecar.orchestrator_responses.get(timeout=10).instance_id == "i3"

    for method in ("Hello", "GetWorkItems", "CompleteActivityTask", "CompleteOrchestratorTask"):
        seen = tls_sidecar.metadata_of(method)
        assert seen and all(metadata.get(TOKEN[0]) == TOKEN[1] for metadata in seen), method


def test_system_roots_do_not_trust_a_self_signed_certificate(tls_sidecar: FakeSidecar) -> None:
    for options in ({"secure_channel": True}, {"host_address": f"https://{tls_sidecar.address}"}):
        given: dict[str, Any] = {"host_address": tls_sidecar.address, **options}
        with TaskHubGrpcClient(**given) as c, pytest.raises(SidecarUnavailableError):
            c.ping(timeout=5)
    assert tls_sidecar.metadata_of("Hello") == [], "no call got through the handshake"


def test_a_plain_text_client_cannot_talk_to_a_tls_server(tls_sidecar: FakeSidecar) -> None:
    with TaskHubGrpcClient(host_address=tls_sidecar.address) as c, pytest.raises(SidecarUnavailableError):
        c.ping(timeout=5)
