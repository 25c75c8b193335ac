"""The protocol between a benchmark's harness and its side processes.

A side is a script that measures one SDK and reports a JSON object on a stdout line that starts
with :data:`RESULT_MARKER` (anything else the SDK prints is passed through). Its stderr goes
straight to the terminal, so failures stay visible.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

RESULT_MARKER = "BENCH-RESULT "
"""Prefix of the one stdout line that carries a side's measurements."""


class SideFailedError(RuntimeError):
    """A side process exited with an error or reported nothing."""


def report_to_harness(result: Mapping[str, Any]) -> None:
    """Called by a side: hand ``result`` (JSON-serializable) to the harness."""
    print(RESULT_MARKER + json.dumps(result), flush=True)


def run_side(python: Path | str, script: Path, args: Sequence[str], *, label: str) -> dict[str, Any]:
    """Called by the harness: run ``script`` under ``python`` and return what it reported."""
    env = dict(os.environ)
    # Each side must import only its own SDK; an inherited PYTHONPATH could smuggle in the other.
    env.pop("PYTHONPATH", None)
    print(f"[bench] running {label} ...", file=sys.stderr, flush=True)
    completed = subprocess.run(
        [str(python), str(script), *args], stdout=subprocess.PIPE, text=True, env=env, check=False
    )
    result: dict[str, Any] | None = None
    for line in completed.stdout.splitlines():
        if line.startswith(RESULT_MARKER):
            result = json.loads(line[len(RESULT_MARKER) :])
        elif line.strip():
            print(line)
    if completed.returncode != 0:
        raise SideFailedError(f"{label} exited with code {completed.returncode}")
    if result is None:
        raise SideFailedError(f"{label} reported no result")
    return result
