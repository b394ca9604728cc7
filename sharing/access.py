"""The one place that decides who may see and do what.

This module holds the whole policy: the role table below and, as the cases and sharing apps grow,
the case gate (`visible_cases`, `access_case`). Views ask here; templates receive booleans; every
refusal is recorded in the audit log before it is shown.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models

from audit import services as audit
from partners.models import Role


class Action(models.TextChoices):
    # Service-wide actions, not about one case.
    SEARCH_AUDIT = "search_audit", "Search the audit log"
    EXPORT_AUDIT = "export_audit", "Export the audit log"


# The whole role policy for service-wide actions, on one screen.
ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.PREVENT_COORDINATOR: frozenset(),
    Role.PANEL_CHAIR: frozenset(),
    Role.POLICE_PRACTITIONER: frozenset(),
    Role.PANEL_MEMBER: frozenset(),
    Role.INTERVENTION_PROVIDER: frozenset(),
    Role.AUDITOR: frozenset({Action.SEARCH_AUDIT, Action.EXPORT_AUDIT}),
    Role.ADMINISTRATOR: frozenset(),
}


def can_do(user: Any, action: Action) -> bool:
    """Whether the user's role allows a service-wide action. Inactive users may do nothing;
    the superuser flag adds nothing."""
    if not (user.is_authenticated and user.is_active):
        return False
    return action in ROLE_ACTIONS.get(user.role, frozenset())


def require(user: Any, action: Action) -> None:
    """Raise PermissionDenied (403) unless the role allows the action; a refusal is audited first."""
    if not can_do(user, action):
        audit.record_denied(actor=user, event=f"{action.value}.denied", reason=f"role may not {action.label.lower()}")
        raise PermissionDenied
