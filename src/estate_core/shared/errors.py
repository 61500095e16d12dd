"""The one error hierarchy of the domain.

Every error carries a stable, machine-readable ``code`` such as ``household.already_bound``. The
HTTP layer maps the *class* (not found, forbidden, conflict...) to a status and returns the code;
clients and tests rely on codes, never on messages.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every rule violation. Subclasses set ``code``; a raise site may override it."""

    code: str = "domain.error"

    def __init__(self, code_or_message: str, message: str | None = None, **details: Any) -> None:
        if message is None:
            message, code = code_or_message, type(self).code
        else:
            code = code_or_message
        super().__init__(message)
        self.message = message
        self.details = details
        self.code = code

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


class InvalidInput(DomainError):
    """A command's data is malformed or out of range (HTTP 422)."""

    code = "input.invalid"


class NotFound(DomainError):
    """The aggregate does not exist in this tenant, or the caller may not know it exists (404)."""

    code = "not_found"


class PermissionDenied(DomainError):
    """The actor lacks the permission or the data scope (403)."""

    code = "permission.denied"


class Conflict(DomainError):
    """The command conflicts with the current state (409): a refused transition, a duplicate."""

    code = "conflict"


class InvalidTransition(Conflict):
    """A state machine refused a transition; code ``<aggregate>.invalid_transition``."""

    code = "state.invalid_transition"

    def __init__(self, aggregate: str, current: str, action: str) -> None:
        super().__init__(
            f"{aggregate}.invalid_transition",
            f"cannot {action} a {aggregate} that is {current}",
            current=current,
            action=action,
        )


class ConcurrencyConflict(Conflict):
    """Someone else changed the aggregate since it was loaded; retry the command."""

    code = "concurrency.conflict"


class RateLimited(DomainError):
    """Too many attempts in a window (429)."""

    code = "rate_limited"
