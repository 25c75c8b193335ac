"""Fixtures for core's tests; the sidecar stand-in itself lives in ``executor_harness``."""

from executor_harness import replay

__all__ = ["replay"]
