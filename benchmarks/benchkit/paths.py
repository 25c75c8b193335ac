"""Where things are in the repository."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
"""The monorepo root (the folder holding ``packages/`` and ``benchmarks/``)."""

BENCHMARKS_DIR = REPO_ROOT / "benchmarks"
"""The folder holding one sub-folder per benchmark command and this toolkit."""

BUILD_DIR = REPO_ROOT / ".build"
"""Scratch space that git ignores; the benchmark virtualenvs live here."""

PACKAGE_SOURCE_DIRS = tuple(
    REPO_ROOT / "packages" / package / "src"
    for package in ("durabletask-core", "durabletask-testing", "durabletask-grpc")
)
"""The ``src`` folders of our distributions; each holds a portion of the ``durabletask`` namespace."""
