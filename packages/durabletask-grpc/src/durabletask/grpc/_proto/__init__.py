"""Code generated from ``proto/orchestrator_service.proto``; never edit it by hand.

Regenerate with ``python packages/durabletask-grpc/scripts/regenerate_proto.py``. Only the
converters and the client/worker stubs import these modules: protobuf types stay inside
``durabletask.grpc``.
"""
