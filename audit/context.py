"""Who is doing what in this request, for every audit entry written while it runs."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RequestContext:
    request_id: str
    method: str
    path: str
    remote_addr: str | None
    # The outcome of each entry written for this request, in order: the safety net in audit.middleware
    # reads the last one to decide whether the response still needs its own entry.
    outcomes: list[str] = field(default_factory=list)
    # Set when an entry declared itself the closing one (audit.services.record(closes_request=True)).
    closed: bool = False


_current: ContextVar[RequestContext | None] = ContextVar("audit_request_context", default=None)


def current() -> RequestContext | None:
    return _current.get()


def activate(context: RequestContext | None) -> Any:
    return _current.set(context)


def deactivate(token: Any) -> None:
    _current.reset(token)


def note_written(outcome: str) -> None:
    """An entry was written while this request ran (called for every AuditEntry insert)."""
    context = _current.get()
    if context is not None:
        context.outcomes.append(outcome)


def mark_closed() -> None:
    context = _current.get()
    if context is not None:
        context.closed = True


def current_request_id(*_args: Any) -> str | None:
    """AUDITLOG_CID_GETTER: change entries carry the server-made request id, not a client header."""
    context = _current.get()
    return context.request_id if context else None


def mask_value(_value: Any) -> str:
    """AUDITLOG_MASK_CALLABLE: masked fields keep no part of their value (auditlog's default keeps half)."""
    return "[redacted]"
