"""Referral drafts: saving what a coordinator has typed into the referral form, opening it again,
discarding it, and deleting drafts nobody has touched for REFERRAL_DRAFT_DAYS.

Who may touch a draft is decided in sharing.drafts (its author only). Every save, open and discard is in
the audit log, by whom and which draft; what was typed never is (not even as a digest: a draft is
rewritten every minute while someone types, and its text reaches the log anyway if it becomes a case).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit import services as audit
from cases.models import ReferralDraft
from lib.forms import TEXT_MAX_LENGTH
from partners.models import User


def _bounded(fields: Mapping[str, str]) -> dict[str, str]:
    # The form bounds every text area at TEXT_MAX_LENGTH when the referral is logged; a draft is bounded the
    # same way, so a script cannot store megabytes in one.
    return {name: str(value)[:TEXT_MAX_LENGTH] for name, value in fields.items() if value}


@transaction.atomic
def save_draft(*, author: User, fields: Mapping[str, str], draft: ReferralDraft | None = None) -> ReferralDraft:
    """Start a draft, or save over the author's own (the caller passed it through sharing.drafts).
    `fields` are the form's values as typed, by field name; empty ones are not kept."""
    if draft is None:
        draft = ReferralDraft.objects.create(author=author, fields=_bounded(fields))
        kind = audit.EntryKind.CREATE
    else:
        draft.fields = _bounded(fields)
        draft.saved_at = timezone.now()
        draft.save(update_fields=["fields", "saved_at"])
        kind = audit.EntryKind.UPDATE
    audit.record(event="referral_draft.saved", actor=author, obj=draft, action=kind)
    return draft


@transaction.atomic
def discard_draft(*, author: User, draft: ReferralDraft) -> None:
    """The author no longer wants the draft."""
    audit.record(event="referral_draft.discarded", actor=author, obj=draft, action=audit.EntryKind.DELETE)
    draft.delete()


def delete_logged_draft(*, author: User, draft: ReferralDraft, case_number: str) -> None:
    """Called inside create_referral's transaction: the referral is a case now, so its draft goes with it."""
    audit.record(
        event="referral_draft.logged",
        actor=author,
        obj=draft,
        action=audit.EntryKind.DELETE,
        case_reference=case_number,
    )
    draft.delete()


def drafts_of(author: User) -> list[ReferralDraft]:
    return list(ReferralDraft.objects.filter(author=author))


def expires_on(draft: ReferralDraft) -> datetime:
    return draft.saved_at + timedelta(days=settings.REFERRAL_DRAFT_DAYS)


def expire_drafts(*, now: datetime | None = None) -> int:
    """Delete every draft not saved for REFERRAL_DRAFT_DAYS (the periodic task); each deletion is recorded,
    with no actor (the service did it). Returns how many went."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.REFERRAL_DRAFT_DAYS)
    expired = 0
    for draft in ReferralDraft.objects.filter(saved_at__lt=cutoff).select_related("author"):
        with transaction.atomic():
            audit.record(
                event="referral_draft.expired",
                obj=draft,
                action=audit.EntryKind.DELETE,
                detail={"days": settings.REFERRAL_DRAFT_DAYS, "author": draft.author.username},
            )
            draft.delete()
        expired += 1
    return expired
