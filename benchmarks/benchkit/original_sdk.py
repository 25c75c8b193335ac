"""A virtualenv holding the original ``durabletask`` SDK, created on first use and reused after.

The original and our packages share the import name ``durabletask``, so they can never live in
one interpreter. The venv is built from the interpreter running the benchmark, so both sides run
on the same Python version.

Set ``DURABLETASK_ORIGINAL_PYTHON`` to the interpreter of an existing environment with the right
version installed to skip the venv entirely.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from benchkit.paths import BUILD_DIR

ORIGINAL_VERSION = "1.12.0"
"""The release of the original SDK we compare with."""

OVERRIDE_VARIABLE = "DURABLETASK_ORIGINAL_PYTHON"
"""Environment variable naming an interpreter that already has the original installed."""

VENV_DIR = BUILD_DIR / "bench-venvs" / "original"
"""Where the benchmark commands keep the original's virtualenv."""

_VERSION_PROBE = (
    "import importlib.metadata as m, sys\n"
    "try:\n"
    "    print(m.version('durabletask'), '%d.%d' % sys.version_info[:2])\n"
    "except m.PackageNotFoundError:\n"
    "    print('-', '%d.%d' % sys.version_info[:2])\n"
)


def original_python() -> Path:
    """Return an interpreter that imports ``durabletask`` ``ORIGINAL_VERSION``, installing it if needed."""
    override = os.environ.get(OVERRIDE_VARIABLE)
    if override:
        python = Path(override)
        installed, _ = _probe(python)
        if installed != ORIGINAL_VERSION:
            raise SystemExit(f"{OVERRIDE_VARIABLE}={override} has durabletask {installed}, need {ORIGINAL_VERSION}.")
        return python

    python = VENV_DIR / "bin" / "python"
    if not python.exists():
        _log(f"creating {VENV_DIR} ...")
        VENV_DIR.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV_DIR)], check=True)
    installed, python_version = _probe(python)
    if installed != ORIGINAL_VERSION:
        _log(f"installing durabletask=={ORIGINAL_VERSION} into {VENV_DIR} ...")
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                f"durabletask=={ORIGINAL_VERSION}",
            ],
            check=True,
        )
    ours = "{}.{}".format(*sys.version_info[:2])
    if python_version != ours:
        # Comparing across Python versions would measure the interpreters, not the SDKs.
        _log(f"warning: the original runs on Python {python_version}, ours on {ours}; delete {VENV_DIR} to rebuild")
    return python


def _probe(python: Path) -> tuple[str, str]:
    output = subprocess.run(
        [str(python), "-c", _VERSION_PROBE], check=True, capture_output=True, text=True
    ).stdout.split()
    return output[0], output[1]


def _log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)
