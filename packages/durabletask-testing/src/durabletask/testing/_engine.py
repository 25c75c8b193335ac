"""The worker engine the determinism checks, strategies and replayer run user code on."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from durabletask.engine import WorkerEngine
from durabletask.serialization import DataConverter
from durabletask.worker import Registry


def quiet_engine(
    registry: Registry,
    *,
    data_converter: DataConverter | None,
    maximum_timer_interval: timedelta | None,
) -> WorkerEngine:
    """A :class:`WorkerEngine` that logs nothing.

    The engine logs every activity failure and non-deterministic turn. These tools run hundreds
    of turns, many with deliberate failures, and report what matters themselves; the logs would
    only bury that report.
    """
    logger = logging.Logger("durabletask.testing")  # outside the logging tree: no handler sees it
    logger.addHandler(logging.NullHandler())
    return WorkerEngine(
        registry,
        data_converter=data_converter,
        maximum_timer_interval=maximum_timer_interval,
        logger=logger,
    )


def registry_of(
    orchestrator: Callable[..., Any],
    orchestrators: Iterable[Callable[..., Any]],
    activities: Iterable[Callable[..., Any]],
) -> tuple[str, Registry]:
    """A registry holding every function given, and the name ``orchestrator`` is registered under."""
    registry = Registry()
    name = registry.add_orchestrator(orchestrator)
    for other in orchestrators:
        registry.add_orchestrator(other)
    for activity in activities:
        registry.add_activity(activity)
    return name, registry
