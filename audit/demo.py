"""A synthetic history for the demo: sign-ins, a failed sign-in and an auditor's searches, then sealed."""

from __future__ import annotations

from audit import services
from audit.digests import text_digest
from audit.models import AuditEntry
from audit.sealing import seal_pending
from partners.models import Role, User

DEMO_PURPOSE = "Demo history (synthetic)"


def seed_history(*, people: list[User]) -> None:
    if not AuditEntry.objects.filter(purpose=DEMO_PURPOSE).exists():
        for user in people:
            services.record(
                event="auth.signed_in", actor=user, obj=user, object_repr=user.username, purpose=DEMO_PURPOSE
            )
        services.record(
            event="auth.sign_in_failed",
            model=User,
            outcome=services.Outcome.DENIED,
            # An unknown username is recorded only as its keyed digest (audit.services.record_sign_in_failed).
            detail={"username_digest": text_digest("coordinatr"), "known_account": False},
            purpose=DEMO_PURPOSE,
        )
        for user in people:
            if user.role == Role.AUDITOR:
                services.record(
                    event="audit.searched",
                    actor=user,
                    model=AuditEntry,
                    detail={"shown": [], "count": 0, "filters": {}},
                    purpose=DEMO_PURPOSE,
                )
    seal_pending()
