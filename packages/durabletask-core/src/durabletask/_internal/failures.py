"""How failures are described, raised and carried across process boundaries."""

from __future__ import annotations

import traceback
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FailureDetails:
    """A failure as stored in history: what went wrong, of which type, and where.

    ``error_type`` is the exception's qualified type name (``"ValueError"``,
    ``"myapp.errors.OutOfStock"``); other SDKs write their own type names here, so compare with
    :meth:`is_caused_by` rather than by identity.
    """

    message: str
    error_type: str
    stack_trace: str | None = None
    inner_failure: FailureDetails | None = None
    is_non_retriable: bool = False

    def is_caused_by(self, error_type: str | type[BaseException]) -> bool:
        """Whether this failure (or one it wraps) was raised as ``error_type``.

        A class matches its own name and its qualified name; a string matches either too.
        """
        names = _type_names(error_type)
        failure: FailureDetails | None = self
        while failure is not None:
            if failure.error_type in names or failure.error_type.rsplit(".", 1)[-1] in names:
                return True
            failure = failure.inner_failure
        return False

    @classmethod
    def from_exception(cls, error: BaseException) -> FailureDetails:
        """Describe ``error``, its type name and its stack trace (and its cause, if any)."""
        if isinstance(error, TaskFailedError):
            inner: FailureDetails | None = error.details
        elif error.__cause__ is not None and error.__cause__ is not error:
            inner = cls.from_exception(error.__cause__)
        else:
            inner = None
        return cls(
            message=str(error),
            error_type=qualified_type_name(type(error)),
            stack_trace="".join(traceback.format_exception(type(error), error, error.__traceback__)),
            inner_failure=inner,
        )


def qualified_type_name(error_type: type[BaseException]) -> str:
    """``ValueError`` for builtins, ``package.module.Name`` for everything else."""
    if error_type.__module__ == "builtins":
        return error_type.__qualname__
    return f"{error_type.__module__}.{error_type.__qualname__}"


def _type_names(error_type: str | type[BaseException]) -> frozenset[str]:
    if isinstance(error_type, str):
        return frozenset({error_type, error_type.rsplit(".", 1)[-1]})
    return frozenset({error_type.__name__, qualified_type_name(error_type)})


class TaskFailedError(Exception):
    """Raised into an orchestrator when a task it awaited failed.

    ``details`` describes the original failure (type, message, stack trace), which may have
    happened in another process or another language.
    """

    def __init__(self, message: str, details: FailureDetails) -> None:
        super().__init__(message)
        self._details = details

    @property
    def details(self) -> FailureDetails:
        """The failure as recorded in history."""
        return self._details


class NonDeterminismError(Exception):
    """The orchestrator's code no longer matches its recorded history.

    Raised (and the orchestration failed with it) when replay asks for a different action than
    the one recorded at the same place: another kind of action, or another name.
    """


class OrchestrationStateError(Exception):
    """The orchestration or its history is in a state that does not allow the operation."""


class TaskCancelledError(Exception):
    """Raised when reading the result of a task that was cancelled."""
