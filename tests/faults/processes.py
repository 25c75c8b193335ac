"""Worker processes for fault tests, which a test can kill with SIGKILL like a crash."""

from __future__ import annotations

import os
import select
import subprocess
import sys
from pathlib import Path

WORKER_SCRIPT = Path(__file__).with_name("worker_process.py")


class WorkerProcess:
    """A ``worker_process.py`` child serving ``chain_app`` and logging to ``log_file``."""

    def __init__(self, address: str, log_file: Path, activity_seconds: float) -> None:
        self.log_file = log_file
        self._stderr = open(log_file.with_suffix(".stderr"), "w")  # noqa: SIM115 - closed by kill()
        self.process = subprocess.Popen(
            [sys.executable, str(WORKER_SCRIPT), address, str(log_file), str(activity_seconds)],
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )

    def wait_connected(self, timeout: float = 30) -> None:
        """Block until the child says its stream is open (fail after ``timeout`` s)."""
        stdout = self.process.stdout
        assert stdout is not None
        ready, _, _ = select.select([stdout], [], [], timeout)
        line = stdout.readline() if ready else ""  # the child prints nothing else
        assert line.strip() == "connected", f"the worker process did not connect within {timeout}s: {line!r}"

    def kill(self) -> None:
        """SIGKILL: the process dies wherever it is, as in a crash."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._stderr.close()
