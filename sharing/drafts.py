"""The gate for referral drafts: a draft is its author's alone.

A draft holds what a coordinator typed before logging a referral, so nobody else (not a colleague in
the same council, not an administrator through the service) reads, saves over or discards it. Another
person's draft and a missing one are answered alike (404), and the attempt is recorded; the author must
also still be allowed to log referrals (a changed role closes their drafts until they expire).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import Http404

from audit import services as audit
from cases.models import ReferralDraft
from sharing.access import can_do
from sharing.policy import Capability


def _find(reference: UUID | str | None) -> ReferralDraft | None:
    try:
        return ReferralDraft.objects.filter(reference=UUID(str(reference))).first() if reference else None
    except ValueError:
        return None


def _is_authors(user: Any, draft: ReferralDraft | None) -> bool:
    return draft is not None and draft.author_id == user.pk and can_do(user, Capability.CREATE_REFERRAL)


def own_referral_draft(user: Any, reference: UUID | str | None) -> ReferralDraft | None:
    """The user's own draft by reference, or None (missing, malformed or someone else's). Records nothing:
    for logging a referral, which must not fail because its draft has gone."""
    draft = _find(reference)
    return draft if _is_authors(user, draft) else None


def access_referral_draft(
    user: Any, reference: UUID | str, *, event: str, record_allowed: bool = True
) -> ReferralDraft:
    """The gate for one draft: 404 unless it is the user's own; the access (allowed or denied) is recorded
    under `event`. `record_allowed=False` is for a caller whose service records the change itself."""
    draft = _find(reference)
    if draft is None or not _is_authors(user, draft):
        audit.record_denied(
            actor=user,
            event=event,
            obj=draft,
            model=ReferralDraft,
            object_repr=str(draft) if draft is not None else "",
            reason="not the author" if draft is not None else "no such draft",
        )
        raise Http404("No such draft")
    if record_allowed:
        audit.record(event=event, actor=user, obj=draft)
    return draft
