"""Every Python snippet of this package's README runs, in order, as one script.

A snippet whose first line is ``# expect: AssertionError`` must raise it, and the report must
start as the README's following ``text`` block shows. The pytest snippet's test function is
then called with an in-memory client and worker, as the plugin would.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from durabletask.testing import InMemoryBackend

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"```(python|text)\n(.*?)```", re.S)


def blocks() -> list[tuple[str, str]]:
    return [(kind, body) for kind, body in BLOCK.findall(README.read_text(encoding="utf-8"))]


def test_the_readme_tutorial_runs_as_written() -> None:
    namespace: dict[str, Any] = {"__name__": "readme_tutorial"}
    found = blocks()
    assert sum(kind == "python" for kind, _ in found) >= 6, "the tutorial's snippets were not found"
    for index, (kind, body) in enumerate(found):
        if kind != "python":
            continue
        code = compile(body, f"README.md snippet {index}", "exec")
        if body.startswith("# expect: AssertionError"):
            with pytest.raises(AssertionError) as raised:
                exec(code, namespace)
            shown = found[index + 1]
            assert shown[0] == "text", "an expected failure is followed by the report it shows"
            expected_lines = shown[1].splitlines()
            message = str(raised.value)
            assert message.splitlines()[0] == expected_lines[0]
            assert expected_lines[2].split(" (id 2")[0] in message
            assert "Interleaving (the smallest Hypothesis found):" in message
        else:
            exec(code, namespace)
    backend = InMemoryBackend()
    namespace["test_reserve_all"](backend.client(), backend.worker())
