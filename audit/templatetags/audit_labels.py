"""Template filters for the audit log's words (audit.labels): `{% load audit_labels %}`, then
`entry.event|event_label`, `entry.outcome|outcome_label`, `entry.actor_role|role_label`, `entry|record_label`,
`entry|path_label`."""

from __future__ import annotations

from typing import Any

from django import template

from audit import labels

register = template.Library()


@register.filter
def event_label(code: str) -> str:
    return labels.event_label(str(code))


@register.filter
def outcome_label(code: str) -> str:
    return labels.outcome_label(str(code))


@register.filter
def role_label(code: str) -> str:
    return labels.role_label(str(code))


@register.filter
def record_label(entry: Any) -> str:
    """The case reference an entry is about, or its record in words (an AuditEntry)."""
    return labels.record_label(case_reference=entry.case_reference, object_repr=entry.object_repr)


@register.filter
def path_label(entry: Any) -> str:
    """The request's path with the case reference in place of the case's identifier (an AuditEntry)."""
    return labels.path_label(str(entry.path), case_reference=entry.case_reference)
