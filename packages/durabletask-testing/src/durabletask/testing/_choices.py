"""The simulated sidecar's decisions, drawn from Hypothesis so that failures shrink.

Every answer is a draw: the option index shrinks towards the first outstanding task (completion
in schedule order), a yes/no towards "no" (no injected failure, one delivery per turn). A
minimal failing example is therefore the plainest interleaving that still shows the problem.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from hypothesis import strategies as st

Draw = Callable[[st.SearchStrategy[Any]], Any]
"""``data.draw`` of ``st.data()``, or the ``draw`` of an ``@st.composite`` function."""


class DrawnChoices:
    """A :class:`~durabletask.testing._simulation.Chooser` whose answers are Hypothesis draws."""

    def __init__(self, draw: Draw) -> None:
        self._draw = draw
        self._indexes: dict[int, st.SearchStrategy[int]] = {}
        self._booleans = st.booleans()

    def pick(self, options: Sequence[str]) -> int:
        if len(options) == 1:
            return 0  # nothing to choose: no draw, so shrinking has less to do
        strategy = self._indexes.get(len(options))
        if strategy is None:
            strategy = self._indexes[len(options)] = st.integers(0, len(options) - 1)
        index: int = self._draw(strategy)
        return index

    def flip(self, question: str) -> bool:
        answer: bool = self._draw(self._booleans)
        return answer

    def payload(self, source: Any, what: str) -> Any:
        return draw_if_strategy(self._draw, source)


def draw_if_strategy(draw: Draw, source: Any) -> Any:
    """``source`` itself, or a value drawn from it when it is a Hypothesis strategy."""
    if isinstance(source, st.SearchStrategy):
        return draw(source)
    return source
