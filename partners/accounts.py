"""What an administrator does for someone's sign-in without ever knowing it: a set-up link, through which
the person sets their own password, and the reset of a lost second factor.

A set-up link is signed (django.core.signing with its own salt) and carries the account's id and a digest
of its sign-in state (password hash, last sign-in, email address, activation): setting the password
changes that state, so a link works once; it expires after ACCOUNT_SETUP_LINK_HOURS. The token travels in
the query string, which audit entries never record (they keep only the path).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django_otp import devices_for_user

from audit import services as audit
from partners import sessions
from partners.models import User

SETUP_SALT = "partners.accounts.setup-link"


def _sign_in_state(user: User) -> str:
    state = f"{user.pk}|{user.password}|{user.last_login}|{user.email}|{user.is_active}"
    return salted_hmac(SETUP_SALT, state).hexdigest()


def setup_link(user: User) -> str:
    """A new set-up link for the user (absolute, for an email)."""
    token = signing.dumps({"user": user.pk, "state": _sign_in_state(user)}, salt=SETUP_SALT, compress=True)
    return f"{settings.SITE_URL}{reverse('account_set_up')}?{urlencode({'token': token})}"


@transaction.atomic
def issue_setup_link(*, actor: User, user: User) -> str:
    """Email the user a link to set their own password (console email in development); returns the link.

    For administrators, from the admin (not for their own account: they change their own password on
    their account page), and after approving a new account. An account with no password yet gets a new
    unusable one first, so any earlier link stops working. Audited as auth.setup_link_issued.
    Raises ValidationError for the actor's own account, an inactive account, or one without an email."""
    if actor.pk == user.pk:
        raise ValidationError("Change your own password from your account page, not with a set-up link.")
    if not user.is_active:
        raise ValidationError(f"{user.username} is not active: a set-up link is sent once the account is active.")
    if not user.email:
        raise ValidationError(f"{user.username} has no email address to send a set-up link to.")
    if not user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password"])
    link = setup_link(user)
    hours = settings.ACCOUNT_SETUP_LINK_HOURS
    audit.record(
        event="auth.setup_link_issued",
        actor=actor,
        obj=user,
        action=audit.EntryKind.CREATE,
        object_repr=user.username,
        detail={"valid_for_hours": hours},
    )
    transaction.on_commit(
        lambda: send_mail(
            subject=f"Set up your {settings.SERVICE_NAME} account",
            message=(
                f"Your username is {user.username}.\n\n"
                f"Set your password with this link, which works once and for {hours} hours:\n\n{link}\n\n"
                "After that you sign in and set up an authenticator app as your second factor.\n"
                "If you did not expect this email, tell your administrator."
            ),
            from_email=None,
            recipient_list=[user.email],
        )
    )
    return link


def read_setup_link(token: str) -> User | None:
    """The account a set-up link is for, or None when it is expired, used, or not genuine (audited as
    auth.setup_link_refused with the reason; the token itself is never recorded)."""
    reason = "not genuine"
    user = None
    try:
        data = signing.loads(token, salt=SETUP_SALT, max_age=timedelta(hours=settings.ACCOUNT_SETUP_LINK_HOURS))
    except signing.SignatureExpired:
        reason = "expired"
    except signing.BadSignature:
        pass
    else:
        user = User.objects.filter(pk=data.get("user")).first() if isinstance(data, dict) else None
        if user is not None and user.is_active and data.get("state") == _sign_in_state(user):
            return user
        reason = "already used or replaced" if user is not None and user.is_active else "account not active"
    audit.record(
        event="auth.setup_link_refused",
        obj=user,
        model=User,
        outcome=audit.Outcome.DENIED,
        object_repr=user.username if user else "",
        detail={"reason": reason},
    )
    return None


@transaction.atomic
def use_setup_link(*, user: User, password: str) -> User:
    """The person sets their own password through a valid set-up link (checked by read_setup_link, and
    the password by the form's validators). The link stops working. Audited as auth.setup_link_used."""
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(
        event="auth.setup_link_used", actor=None, obj=user, action=audit.EntryKind.UPDATE, object_repr=user.username
    )
    return user


@transaction.atomic
def reset_second_factor(*, actor: User, user: User) -> dict[str, Any]:
    """An administrator removes every second-factor device of the user (authenticator app, recovery codes,
    and passkeys or any other django-otp device), and ends their sessions: they set up a new factor at
    their next sign-in. Not on the actor's own account (raises ValidationError). Audited and flagged as
    auth.mfa_reset."""
    if actor.pk == user.pk:
        raise ValidationError("You cannot reset your own second factor: ask another administrator.")
    removed = 0
    for device in devices_for_user(user, confirmed=None):
        device.delete()
        removed += 1
    ended = sessions.end_sessions_of([user.pk])
    detail = {"devices_removed": removed, "sessions_ended": ended}
    audit.record(
        event="auth.mfa_reset",
        actor=actor,
        obj=user,
        action=audit.EntryKind.DELETE,
        object_repr=user.username,
        detail=detail,
        is_flagged=True,
    )
    return detail
