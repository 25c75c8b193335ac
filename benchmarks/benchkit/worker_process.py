"""A worker in a process of its own, whose CPU the harness reads between workloads.

The worker script calls :func:`serve` with functions that start and stop its SDK's worker. The
harness holds a :class:`WorkerProcess` and talks to it over the child's stdin/stdout, one line
per message: the child prints ``READY`` once started; each ``MARK`` is answered with the CPU
seconds (user + system, all threads: ``getrusage(RUSAGE_SELF)``) the process has used so far;
``STOP`` stops the worker, is answered like ``MARK`` and ends the process.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType

from benchkit.sides import SideFailedError

_READY, _MARK, _STOP = "READY", "MARK", "STOP"


def serve(start: Callable[[], None], stop: Callable[[], None]) -> None:
    """Called by a worker script: start the worker and answer the harness until told to stop."""
    start()
    print(_READY, flush=True)
    for line in sys.stdin:
        command = line.strip()
        if command == _STOP:
            stop()
        print(json.dumps({"cpu_seconds": _cpu_seconds()}), flush=True)
        if command == _STOP:
            return


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class WorkerProcess:
    """Called by the harness: runs a worker script and reads its CPU on request."""

    def __init__(self, python: Path | str, script: Path, args: Sequence[str]) -> None:
        env = dict(os.environ)
        env.pop("PYTHONPATH", None)  # each side imports only its own SDK
        self._process = subprocess.Popen(
            [str(python), str(script), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        self._expect(_READY)

    def cpu_seconds(self) -> float:
        """The worker process's CPU time so far (all its threads, user + system)."""
        return self._ask(_MARK)

    def stop(self) -> float:
        """Stop the worker; return its total CPU time, shutdown included."""
        total = self._ask(_STOP)
        self._process.wait(timeout=60)
        return total

    def __enter__(self) -> WorkerProcess:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()

    def _ask(self, command: str) -> float:
        assert self._process.stdin is not None
        self._process.stdin.write(command + "\n")
        self._process.stdin.flush()
        answer = json.loads(self._read_line())
        return float(answer["cpu_seconds"])

    def _expect(self, expected: str) -> None:
        line = self._read_line()
        if line != expected:
            raise SideFailedError(f"worker process said {line!r}, expected {expected!r}")

    def _read_line(self) -> str:
        assert self._process.stdout is not None
        while True:
            line = self._process.stdout.readline()
            if not line:
                raise SideFailedError(f"worker process exited (code {self._process.wait()})")
            line = line.strip()
            # An SDK may print to stdout too; protocol lines are READY or a JSON object.
            if line == _READY or line.startswith("{"):
                return line
            print(line)
