"""RELIABILITY.md names a test behind every guarantee: each named file and test must exist.

A renamed or deleted test would otherwise leave a promise that nothing checks any more.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# `path/to/test_file.py::test_name[params]`, `path/to/test_file.py` or `::test_name` (same file as before).
_REFERENCE = re.compile(r"`((?:[\w./-]+\.py)?)(?:::(\w+))?(?:\[[^\]]*\])?`")


def references() -> list[tuple[str, str | None]]:
    """Every (file, test) RELIABILITY.md names, with ``::name`` resolved against the file before it."""
    found: list[tuple[str, str | None]] = []
    current: str | None = None
    for line in (ROOT / "RELIABILITY.md").read_text(encoding="utf-8").splitlines():
        for path, test in _REFERENCE.findall(line):
            if path and "/" in path:
                current = path
                found.append((path, test or None))
            elif not path and test and current is not None:
                found.append((current, test))
    return found


def test_reliability_names_tests_that_exist() -> None:
    named = references()
    assert len(named) > 40, "the guarantees name their tests"
    missing = []
    for path, test in named:
        source = ROOT / path
        if not source.is_file():
            missing.append(path)
        elif test is not None and not re.search(
            rf"^\s*(async )?def {test}\(", source.read_text(encoding="utf-8"), re.M
        ):
            missing.append(f"{path}::{test}")
    assert missing == [], f"RELIABILITY.md names tests that do not exist: {missing}"
