"""Make the current interpreter import *our* ``durabletask`` from the working tree.

Our distributions are portions of the PEP 420 namespace ``durabletask``. Prepending their ``src``
folders to ``sys.path`` benchmarks the code in this checkout even where the packages are not
installed (core and testing need nothing outside the standard library; grpc needs grpcio and
protobuf). A regular ``durabletask`` package (the original SDK, which ships ``__init__.py``) would
win over every namespace portion, so its presence is an error rather than a silent mix-up.
"""

from __future__ import annotations

import importlib.util
import sys

from benchkit.paths import PACKAGE_SOURCE_DIRS


def use_working_tree() -> None:
    """Put our packages first on ``sys.path`` and check that nothing shadows them."""
    for source_dir in reversed(PACKAGE_SOURCE_DIRS):
        entry = str(source_dir)
        if entry not in sys.path:
            sys.path.insert(0, entry)
    spec = importlib.util.find_spec("durabletask")
    if spec is None or spec.origin not in (None, "namespace"):
        where = "nowhere" if spec is None else spec.origin
        raise SystemExit(
            f"'durabletask' resolves to {where} in {sys.executable}: run the benchmarks with an interpreter "
            "that does not have the original SDK installed (ours is a namespace package)."
        )


def grpc_worker_available() -> bool:
    """Whether our gRPC worker (``durabletask.grpc.TaskHubGrpcWorker``) can be imported here."""
    use_working_tree()
    try:
        import durabletask.grpc as transport
    except ImportError:
        return False
    return hasattr(transport, "TaskHubGrpcWorker")
