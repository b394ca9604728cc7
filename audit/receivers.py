"""Sign-in, sign-out, failed sign-in and lockout are recorded from Django's auth signals; change entries written
by django-auditlog get their context columns stamped before they are inserted."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from audit import context, services
from audit.models import AuditEntry


@receiver(user_logged_in)
def on_signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    services.record_sign_in(user=user)


@receiver(user_logged_out)
def on_signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        services.record_sign_out(user=user)


@receiver(user_login_failed)
def on_sign_in_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    services.record_sign_in_failed(username=str(credentials.get("username", "")))


@receiver(user_locked_out)
def on_locked_out(sender: Any, request: Any = None, username: str | None = None, **kwargs: Any) -> None:
    services.record_locked_out(username=str(username or ""))


@receiver(post_save, sender=AuditEntry)
def on_entry_saved(sender: Any, instance: AuditEntry, created: bool = False, **kwargs: Any) -> None:
    if created:
        context.note_written(instance.outcome)


@receiver(pre_save, sender=AuditEntry)
def on_entry_saving(sender: Any, instance: AuditEntry, **kwargs: Any) -> None:
    if instance._state.adding:
        services.stamp_change_entry(instance)
