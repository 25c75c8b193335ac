"""Shared machinery of the benchmark commands (stdlib only).

Every benchmark compares this repository's packages with the original ``durabletask`` SDK from
PyPI. Both ship the import name ``durabletask``, so each side runs in its own process: the
original in a virtualenv of its own (:mod:`benchkit.original_sdk`), ours from the working tree
(:mod:`benchkit.ours`). The harness and its side processes talk through :mod:`benchkit.sides`.

This package is imported in *both* interpreters, so it must never import ``durabletask``.
"""
