"""The loggers of the gRPC client and worker, configured the way the original SDK allowed."""

from __future__ import annotations

import logging


def configure_logger(
    default_name: str,
    logger: logging.Logger | None,
    log_handler: logging.Handler | None,
    log_formatter: logging.Formatter | None,
) -> logging.Logger:
    """``logger`` (or the one named ``default_name``), with ``log_handler`` attached if given."""
    chosen = logger if logger is not None else logging.getLogger(default_name)
    if log_handler is not None:
        if log_formatter is not None:
            log_handler.setFormatter(log_formatter)
        if log_handler not in chosen.handlers:
            chosen.addHandler(log_handler)
    return chosen
