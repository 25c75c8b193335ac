"""Machinery behind durabletask-core's public modules. Nothing here is a stable API."""
