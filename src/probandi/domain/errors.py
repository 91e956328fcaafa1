"""Domain errors: plain exceptions with a stable code, mapped to HTTP once at the edge."""

from __future__ import annotations

from collections.abc import Mapping

from probandi.domain.text import fill


class DomainError(Exception):
    """Base of every error the domain and services raise on purpose."""

    code = "domain_error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        params: Mapping[str, object] | None = None,
        **details: object,
    ) -> None:
        """`message` is English with named placeholders (`%(state)s`) filled from the
        details and `params`; it is also the message id the edges translate it by.
        `details` are sent with the problem, `params` only fill the message. `code` narrows
        the class's stable code for a case clients tell apart."""
        self.template = message
        self.params: dict[str, object] = {**details, **(params or {})}
        self.message = fill(message, self.params)
        super().__init__(self.message)
        self.details = details
        if code is not None:
            self.code = code


class NotFound(DomainError):
    """The thing does not exist, or the caller may not know that it does."""

    code = "not_found"


class Forbidden(DomainError):
    """The caller is known but may not do this."""

    code = "forbidden"


class InvalidInput(DomainError):
    """The request is well formed but its content breaks a rule."""

    code = "invalid_input"


class InvalidTransition(DomainError):
    """The action is not allowed from the current state."""

    code = "invalid_transition"


class Conflict(DomainError):
    """Someone else changed the thing first (optimistic concurrency, leases)."""

    code = "conflict"


class PreconditionFailed(DomainError):
    """The request said which version it expects (If-Match), and the thing has moved on."""

    code = "precondition_failed"


class UnsupportedMedia(DomainError):
    """An uploaded file is not of an accepted type, or lies about its type."""

    code = "unsupported_media"


class PayloadTooLarge(DomainError):
    """An upload exceeds a size or pixel limit."""

    code = "payload_too_large"
