"""Build and run a real Durable Task sidecar for tests and local experiments.

Two sidecars are supported, each pinned to a version this project is tested against:

* ``"microsoft"``: microsoft/durabletask-go v0.6.0 (needs Go 1.21 or newer to build);
* ``"dapr"``: dapr/durabletask-go v0.14.0 (Dapr Workflow's engine; needs Go 1.26 or newer).

The binary is built once with the ``go`` tool and cached (in ``<repo>/.build/sidecars/`` when
running from a checkout, else in ``~/.cache/durabletask/sidecars/``)::

    from durabletask.testing.sidecar import Sidecar

    with Sidecar("microsoft") as sidecar:           # a free port, an in-memory database
        worker = TaskHubGrpcWorker(host_address=sidecar.address)
        ...
        sidecar.restart()                           # same port (give db= to keep the state)

A pytest conftest can share one sidecar per session and skip cleanly where Go is missing::

    @pytest.fixture(scope="session")
    def sidecar(tmp_path_factory):
        reason = sidecar_unavailable_reason()
        if reason:
            (pytest.fail if sidecar_required() else pytest.skip)(reason)
        with Sidecar("microsoft", log_file=tmp_path_factory.mktemp("sidecar") / "sidecar.log") as s:
            yield s

From a shell: ``python -m durabletask.testing.sidecar [microsoft|dapr] [--port N] [--db FILE]``.

This module uses the standard library only (it imports neither grpc nor pytest).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Literal

__all__ = [
    "FLAVORS",
    "Flavor",
    "Sidecar",
    "SidecarError",
    "SidecarVersion",
    "build_sidecar",
    "default_cache_dir",
    "sidecar_required",
    "sidecar_unavailable_reason",
]

Flavor = Literal["microsoft", "dapr"]
"""Which sidecar: Microsoft's reference implementation or Dapr's fork."""


@dataclass(frozen=True)
class SidecarVersion:
    """Where a sidecar's source lives and which release to build."""

    module: str
    version: str


FLAVORS: dict[str, SidecarVersion] = {
    "microsoft": SidecarVersion("github.com/microsoft/durabletask-go", "v0.6.0"),
    "dapr": SidecarVersion("github.com/dapr/durabletask-go", "v0.14.0"),
}
"""The pinned release of each supported sidecar."""

REQUIRE_ENV_VAR = "DURABLETASK_REQUIRE_SIDECAR"
"""Set to ``1`` to make sidecar tests fail, instead of skip, when a sidecar cannot be had."""

CACHE_ENV_VAR = "DURABLETASK_SIDECAR_CACHE"
"""Overrides the directory where built sidecars are kept."""

_BINARY_NAME = "durabletask-go.exe" if os.name == "nt" else "durabletask-go"
_LISTENING = re.compile(r"server listening at (?P<address>\S+)")
_BUILD_TIMEOUT_SECONDS = 600


class SidecarError(RuntimeError):
    """A sidecar could not be built, started or stopped; the message says why."""


# -- building ------------------------------------------------------------------------------------


def default_cache_dir() -> Path:
    """Where built sidecars are kept: ``$DURABLETASK_SIDECAR_CACHE``, ``<repo>/.build/sidecars``
    when this file sits in a checkout, else ``~/.cache/durabletask/sidecars``."""
    configured = os.environ.get(CACHE_ENV_VAR)
    if configured:
        return Path(configured)
    for parent in Path(__file__).resolve().parents:
        if (parent / ".git").exists() and (parent / "packages").is_dir():
            return parent / ".build" / "sidecars"
    return Path.home() / ".cache" / "durabletask" / "sidecars"


def sidecar_unavailable_reason(flavor: Flavor = "microsoft", cache_dir: Path | None = None) -> str | None:
    """Why the ``flavor`` sidecar cannot be had here, or ``None`` if it can (cached, or Go is there)."""
    if _is_executable(_binary_path(flavor, cache_dir)):
        return None
    if shutil.which("go") is None:
        return "the Go toolchain ('go') is not on PATH, so no Durable Task sidecar can be built"
    return None


def sidecar_required() -> bool:
    """Whether ``DURABLETASK_REQUIRE_SIDECAR=1`` asks for sidecar tests to fail rather than skip."""
    return os.environ.get(REQUIRE_ENV_VAR, "").strip().lower() in ("1", "true", "yes")


def build_sidecar(flavor: Flavor = "microsoft", cache_dir: Path | None = None) -> Path:
    """The path of the ``flavor`` sidecar binary, building it first if it is not cached yet.

    The build runs ``go get`` and ``go install`` in a throwaway module (a plain
    ``go install module@version`` asks the module proxy for a deprecation list some proxies
    refuse). It takes about half a minute the first time; concurrent callers wait for one build.
    """
    version = _version_of(flavor)
    binary = _binary_path(flavor, cache_dir)
    target_dir = binary.parent
    if _is_executable(binary):
        return binary
    go = shutil.which("go")
    if go is None:
        raise SidecarError(sidecar_unavailable_reason() or "go is missing")
    target_dir.mkdir(parents=True, exist_ok=True)
    with _exclusive_lock(target_dir / ".build.lock"):
        if _is_executable(binary):  # another process built it while we waited
            return binary
        with tempfile.TemporaryDirectory(prefix=f"durabletask-sidecar-{flavor}-") as work:
            staging = Path(work) / "bin"
            staging.mkdir()
            env = {**os.environ, "GOBIN": str(staging), "GOFLAGS": "-mod=mod"}
            steps = (
                [go, "mod", "init", "durabletask.local/sidecar"],
                [go, "get", f"{version.module}@{version.version}"],
                [go, "install", version.module],
            )
            for step in steps:
                _run_build_step(step, Path(work), env)
            built = staging / _BINARY_NAME
            if not built.exists():
                raise SidecarError(f"'go install {version.module}' produced no {_BINARY_NAME} binary.")
            # Move into place in one step, so a half-copied binary is never picked up.
            partial = target_dir / f".{_BINARY_NAME}.partial"
            shutil.copy2(built, partial)
            os.replace(partial, binary)
    return binary


def _binary_path(flavor: str, cache_dir: Path | None) -> Path:
    root = cache_dir if cache_dir is not None else default_cache_dir()
    return root / f"{flavor}-{_version_of(flavor).version}" / _BINARY_NAME


def _version_of(flavor: str) -> SidecarVersion:
    try:
        return FLAVORS[flavor]
    except KeyError:
        raise SidecarError(f"Unknown sidecar flavor {flavor!r}; choose one of {sorted(FLAVORS)}.") from None


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _run_build_step(command: list[str], cwd: Path, env: dict[str, str]) -> None:
    try:
        subprocess.run(
            command, cwd=cwd, env=env, check=True, capture_output=True, text=True, timeout=_BUILD_TIMEOUT_SECONDS
        )
    except subprocess.CalledProcessError as error:
        raise SidecarError(
            f"Building the sidecar failed at '{' '.join(command[1:])}':\n{error.stderr or error.stdout}"
        ) from error
    except subprocess.TimeoutExpired as error:
        raise SidecarError(f"Building the sidecar timed out at '{' '.join(command[1:])}'.") from error


@contextlib.contextmanager
def _exclusive_lock(path: Path) -> Iterator[None]:
    """An inter-process lock on ``path`` (where the platform has one; a no-op elsewhere)."""
    with open(path, "a+") as handle:
        try:
            import fcntl
        except ImportError:  # Windows: builds of the same flavor should not overlap there
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# -- running -------------------------------------------------------------------------------------


class Sidecar:
    """A sidecar process on this machine, started on a free port (or ``port``).

    Args:
        flavor: ``"microsoft"`` or ``"dapr"``.
        port: the port to listen on; 0 (the default) picks a free one. :meth:`restart` reuses
            the port the first start got.
        host: the interface to listen on.
        db: a SQLite file that keeps state across restarts; without it state lives in memory.
        log_file: where the sidecar's logs go (default: a new temporary file; see ``log_path``).
        startup_timeout: seconds to wait for the sidecar to start listening.
        binary: a prebuilt sidecar to run instead of building one.
        cache_dir: where to build and keep the binary (see :func:`default_cache_dir`).
    """

    def __init__(
        self,
        flavor: Flavor = "microsoft",
        *,
        port: int = 0,
        host: str = "localhost",
        db: str | os.PathLike[str] | None = None,
        log_file: str | os.PathLike[str] | None = None,
        startup_timeout: float = 30.0,
        binary: str | os.PathLike[str] | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self.flavor = flavor
        self.version = _version_of(flavor).version
        self._port = port
        self._host = host
        self._db = Path(db) if db is not None else None
        self._log_path = Path(log_file) if log_file is not None else None
        self._startup_timeout = startup_timeout
        self._binary = Path(binary) if binary is not None else None
        self._cache_dir = cache_dir
        self._process: subprocess.Popen[str] | None = None
        self._log: IO[str] | None = None
        self._address: str | None = None

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> Sidecar:
        """Build (if needed) and start the sidecar; returns once it listens. Returns ``self``."""
        if self.is_running:
            raise SidecarError("The sidecar is already running.")
        binary = self._binary if self._binary is not None else build_sidecar(self.flavor, self._cache_dir)
        if self._log_path is None:
            handle, name = tempfile.mkstemp(prefix=f"durabletask-sidecar-{self.flavor}-", suffix=".log")
            os.close(handle)
            self._log_path = Path(name)
        command = [str(binary), "-port", str(self._port), "-host", self._host]
        if self._db is not None:
            command += ["-db", str(self._db)]
        # A restart on a fixed port can race the old socket's release; try a few times.
        for attempt in range(5):
            try:
                self._launch(command)
                return self
            except SidecarError:
                if self._port == 0 or attempt == 4:
                    raise
                time.sleep(0.2 * (attempt + 1))
        return self  # pragma: no cover - the loop returns or raises

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the sidecar to exit (SIGTERM), then kill it if it has not within ``timeout`` s."""
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._cleanup()

    def kill(self) -> None:
        """End the sidecar abruptly (SIGKILL), as a crash would."""
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM)
            process.wait()
        self._cleanup()

    def restart(self, *, kill: bool = False) -> Sidecar:
        """Stop (or, with ``kill``, kill) the sidecar and start it again on the same port."""
        if kill:
            self.kill()
        else:
            self.stop()
        return self.start()

    def __enter__(self) -> Sidecar:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- what callers read ---------------------------------------------------------------------

    @property
    def is_running(self) -> bool:
        """Whether the sidecar process is alive."""
        return self._process is not None and self._process.poll() is None

    @property
    def address(self) -> str:
        """``host:port`` to give clients and workers (valid once started)."""
        if self._address is None:
            raise SidecarError("The sidecar has not been started yet.")
        return self._address

    @property
    def port(self) -> int:
        """The port the sidecar listens on (0 until the first start)."""
        return self._port

    @property
    def log_path(self) -> Path | None:
        """The file holding the sidecar's logs (``None`` until the first start)."""
        return self._log_path

    @property
    def pid(self) -> int | None:
        """The process id while running."""
        return self._process.pid if self._process is not None else None

    def log_tail(self, lines: int = 40) -> str:
        """The last ``lines`` lines of the sidecar's log, for error messages."""
        if self._log_path is None or not self._log_path.exists():
            return ""
        return "\n".join(self._log_path.read_text(errors="replace").splitlines()[-lines:])

    # -- internals -----------------------------------------------------------------------------

    def _launch(self, command: list[str]) -> None:
        assert self._log_path is not None
        self._log = open(self._log_path, "a", encoding="utf-8")  # noqa: SIM115 - closed in _cleanup
        self._log.write(f"--- starting: {' '.join(command)}\n")
        self._log.flush()
        self._process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=self._log,
            stdin=subprocess.DEVNULL,
            text=True,
            bufsize=1,
        )
        lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(
            target=_copy_stdout, args=(self._process, self._log, lines), name="sidecar-stdout", daemon=True
        ).start()
        deadline = time.monotonic() + self._startup_timeout
        while True:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self.kill()
                raise SidecarError(
                    f"The {self.flavor} sidecar did not start listening within {self._startup_timeout}s.\n"
                    f"{self.log_tail()}"
                ) from None
            if line is None:  # stdout closed: the process exited
                self._process.wait()
                code = self._process.returncode
                self._cleanup()
                raise SidecarError(f"The {self.flavor} sidecar exited with code {code}.\n{self.log_tail()}")
            match = _LISTENING.search(line)
            if match:
                self._address = _client_address(match.group("address"), self._host)
                self._port = int(self._address.rsplit(":", 1)[1])
                return

    def _cleanup(self) -> None:
        self._process = None
        if self._log is not None:
            with contextlib.suppress(ValueError):
                self._log.flush()
            self._log.close()
            self._log = None


def _copy_stdout(process: subprocess.Popen[str], log: IO[str], lines: queue.Queue[str | None]) -> None:
    """Hand stdout lines to the starter and copy them into the log, so the pipe never fills."""
    assert process.stdout is not None
    for line in process.stdout:
        lines.put(line)
        with contextlib.suppress(ValueError):  # the log was closed after a stop
            log.write(line)
            log.flush()
    lines.put(None)


def _client_address(listening: str, host: str) -> str:
    """The address clients should dial: the host we asked for, the port the sidecar reported."""
    port = listening.rsplit(":", 1)[1]
    return f"{host}:{port}"


# -- command line --------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run a sidecar in the foreground until Ctrl+C."""
    parser = argparse.ArgumentParser(
        prog="python -m durabletask.testing.sidecar",
        description="Build (once) and run a Durable Task sidecar for local development.",
    )
    parser.add_argument("flavor", nargs="?", default="microsoft", choices=sorted(FLAVORS))
    parser.add_argument("--port", type=int, default=4001, help="port to listen on (0 picks a free one; default 4001)")
    parser.add_argument("--host", default="localhost", help="interface to listen on (default localhost)")
    parser.add_argument("--db", help="SQLite file that keeps state across restarts (default: in memory)")
    parser.add_argument("--log", help="file for the sidecar's logs (default: a temporary file)")
    args = parser.parse_args(argv)

    version = FLAVORS[args.flavor]
    print(f"Preparing {version.module}@{version.version} ...", file=sys.stderr)
    try:
        sidecar = Sidecar(args.flavor, port=args.port, host=args.host, db=args.db, log_file=args.log).start()
    except SidecarError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"{args.flavor} sidecar {version.version} listening at {sidecar.address}", file=sys.stderr)
    print(f"logs: {sidecar.log_path}  (Ctrl+C to stop)", file=sys.stderr)
    try:
        while sidecar.is_running:
            time.sleep(0.5)
        print("the sidecar exited", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        sidecar.stop()


if __name__ == "__main__":
    sys.exit(main())
