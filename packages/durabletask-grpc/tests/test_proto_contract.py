"""The committed protobuf modules match ``proto/orchestrator_service.proto``, and the contract
keeps its rules (no package, no field whose meaning differs between sidecars)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from google.protobuf import descriptor_pb2

from durabletask.grpc._proto import orchestrator_service_pb2 as pb
from durabletask.grpc._proto import orchestrator_service_pb2_grpc as pb_grpc

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "regenerate_proto.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("regenerate_proto", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def compile_descriptor(proto: Path, tmp_path: Path) -> descriptor_pb2.FileDescriptorProto:
    """Compile with whatever grpcio-tools is installed: the descriptor is the same for every version."""
    pytest.importorskip("grpc_tools", reason="grpcio-tools is needed to compile the proto file")
    script = load_script()
    source_root = tmp_path / "src"
    (source_root / script.PROTO_IMPORT_PATH).mkdir(parents=True)
    shutil.copyfile(proto, source_root / script.PROTO_IMPORT_PATH / proto.name)
    out = tmp_path / "descriptor.pb"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "grpc_tools.protoc",
            f"-I{source_root}",
            f"--descriptor_set_out={out}",
            str(script.PROTO_IMPORT_PATH / proto.name),
        ],
        check=True,
        cwd=source_root,
    )
    (descriptor,) = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes()).file
    # protoc fills in JSON names for descriptor sets but leaves them out of generated code.
    pending = list(descriptor.message_type)
    while pending:
        message = pending.pop()
        for field in message.field:
            field.ClearField("json_name")
        pending.extend(message.nested_type)
    return descriptor


def test_the_committed_modules_were_generated_from_the_current_proto(tmp_path: Path) -> None:
    script = load_script()
    compiled = compile_descriptor(script.PROTO_SOURCE, tmp_path)
    committed = descriptor_pb2.FileDescriptorProto.FromString(pb.DESCRIPTOR.serialized_pb)
    assert committed == compiled, (
        "The generated modules are stale: run python packages/durabletask-grpc/scripts/regenerate_proto.py"
    )


def test_the_committed_modules_are_exactly_what_the_pinned_generator_writes() -> None:
    script = load_script()
    if (
        script._grpc_tools_version(sys.executable) != script.GENERATOR_VERSION
        and not (script.REPO_ROOT / ".build" / "protoc" / f"grpcio-tools-{script.GENERATOR_VERSION}").exists()
    ):
        reason = (
            f"grpcio-tools {script.GENERATOR_VERSION} is not installed here (the descriptor check above still runs); "
            "run the regeneration script once to fetch it"
        )
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must run it (.ci/run does)")
        pytest.skip(reason)
    generated = script.generate()
    assert script.stale_files(generated) == [], "run python packages/durabletask-grpc/scripts/regenerate_proto.py"


def test_the_service_lives_in_the_root_namespace() -> None:
    assert pb.DESCRIPTOR.package == ""
    service = pb.DESCRIPTOR.services_by_name["TaskHubSidecarService"]
    assert service.full_name == "TaskHubSidecarService"
    assert {method.name for method in service.methods} == {
        "Hello",
        "StartInstance",
        "GetInstance",
        "WaitForInstanceStart",
        "WaitForInstanceCompletion",
        "RaiseEvent",
        "TerminateInstance",
        "SuspendInstance",
        "ResumeInstance",
        "PurgeInstances",
        "ListInstanceIDs",
        "GetInstanceHistory",
        "GetWorkItems",
        "CompleteActivityTask",
        "CompleteOrchestratorTask",
    }
    assert hasattr(pb_grpc, "TaskHubSidecarServiceStub")


# Numbers that newer Microsoft contracts and Dapr's sidecar use with different types or meanings.
CONFLICTING_FIELDS = {
    "HistoryEvent": {30},
    "ActivityRequest": {7},
    "ScheduleTaskAction": {4, 5},
    "TaskScheduledEvent": {5},
    "OrchestratorRequest": {7, 8},
    "OrchestratorResponse": {6},
    "OrchestratorAction": {9},
    "CreateSubOrchestrationAction": {6},
    "SubOrchestrationInstanceCreatedEvent": {6},
    "CreateInstanceRequest": {6, 10},
    "GetWorkItemsRequest": {4, 10},
}


@pytest.mark.parametrize("message", sorted(CONFLICTING_FIELDS))
def test_no_field_whose_meaning_differs_between_sidecars_is_declared(message: str) -> None:
    declared = {field.number for field in pb.DESCRIPTOR.message_types_by_name[message].fields}
    assert not declared & CONFLICTING_FIELDS[message]


def test_the_shared_later_additions_are_declared_with_their_numbers() -> None:
    def number(message: str, field: str) -> int:
        return int(pb.DESCRIPTOR.message_types_by_name[message].fields_by_name[field].number)

    assert number("WorkItem", "completion_token") == 10
    assert number("OrchestratorResponse", "completion_token") == 4
    assert number("ActivityResponse", "completion_token") == 5
    assert [number("OrchestrationState", name) for name in ("execution_id", "completed_timestamp")] == [12, 13]
    assert [number("OrchestrationState", name) for name in ("parent_instance_id", "tags")] == [14, 15]


def test_dapr_only_queries_carry_dapr_numbers_and_types() -> None:
    """ListInstanceIDs and GetInstanceHistory exist only on Dapr's sidecar: match its wire facts."""
    from google.protobuf.descriptor import FieldDescriptor as F

    def repeated(field: F) -> bool:  # protobuf 7 dropped `label` for `is_repeated`
        return bool(field.is_repeated if hasattr(field, "is_repeated") else field.label == F.LABEL_REPEATED)

    def shape(message: str) -> list[tuple[int, int, bool]]:
        fields = pb.DESCRIPTOR.message_types_by_name[message].fields
        return sorted((f.number, f.type, repeated(f)) for f in fields)

    assert shape("ListInstanceIDsRequest") == [(1, F.TYPE_STRING, False), (2, F.TYPE_UINT32, False)]
    assert shape("ListInstanceIDsResponse") == [(1, F.TYPE_STRING, True), (2, F.TYPE_STRING, False)]
    assert shape("GetInstanceHistoryRequest") == [(1, F.TYPE_STRING, False)]
    assert shape("GetInstanceHistoryResponse") == [(1, F.TYPE_MESSAGE, True)]
