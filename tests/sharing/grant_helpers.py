"""Builders and probes for the sharing tests. Synthetic names only."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.contrib.messages import get_messages
from django.db.models import Max
from django.http import HttpResponse
from django.utils import timezone

from audit.models import AuditEntry
from cases.models import Case
from partners.models import Agency, User
from sharing import services
from sharing.models import (
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    GrantKind,
    LegalBasis,
    Level,
    ShareGrant,
)

PURPOSE = "Synthetic purpose: health input to the panel"
CODENAME = {Level.SUMMARY: "view_case", Level.FULL: "view_case_full"}


def share(
    case: Case,
    *,
    actor: User,
    agency: Agency | None = None,
    user: User | None = None,
    level: Level = Level.FULL,
    days: int = 30,
    purpose: str = PURPOSE,
    legal_basis: LegalBasis = LegalBasis.PUBLIC_TASK,
    kind: GrantKind = GrantKind.SHARED,
) -> ShareGrant:
    """A grant in force from now for `days`, through the real service."""
    return services.grant_access(
        case=case,
        actor=actor,
        agency=agency,
        user=user,
        level=level,
        purpose=purpose,
        legal_basis=legal_basis,
        ends_at=timezone.now() + timedelta(days=days),
        kind=kind,
    )


def end_now(grant: ShareGrant, *, ago: timedelta = timedelta(minutes=1)) -> ShareGrant:
    """Move a grant's end into the past (and its start before that), as if time had passed. Setup only:
    nothing else changes, so its guardian permission is still there."""
    now = timezone.now()
    ShareGrant.objects.filter(pk=grant.pk).update(starts_at=now - timedelta(days=2), ends_at=now - ago)
    grant.refresh_from_db()
    return grant


def has_permission(grant: ShareGrant) -> bool:
    """Whether the guardian permission row backing this grant exists."""
    codename = CODENAME[Level(grant.level)]
    if grant.user_id is not None:
        return CaseUserObjectPermission.objects.filter(
            user_id=grant.user_id, content_object_id=grant.case_id, permission__codename=codename
        ).exists()
    assert grant.agency is not None
    return CaseGroupObjectPermission.objects.filter(
        group=grant.agency.group, content_object_id=grant.case_id, permission__codename=codename
    ).exists()


def date_fields(prefix: str, day: date) -> dict[str, str]:
    """A GOV.UK date field's three inputs."""
    return {f"{prefix}_0": str(day.day), f"{prefix}_1": str(day.month), f"{prefix}_2": str(day.year)}


def end_of_day(day: date) -> datetime:
    """What the sharing forms turn a date into: the end of that day, local time."""
    from sharing.forms import end_of

    return end_of(day)


def audit_mark() -> int:
    """The id of the newest audit entry, to find the entries written after it."""
    return AuditEntry.objects.aggregate(last=Max("id"))["last"] or 0


def entries_since(mark: int) -> list[AuditEntry]:
    """Audit entries written after `mark`, oldest first. Signing in (the tests' force_login) writes an
    auth.signed_in entry of its own, which no request under test wrote: it is left out."""
    return list(AuditEntry.objects.filter(id__gt=mark).exclude(event="auth.signed_in").order_by("id"))


def written_since(mark: int) -> list[tuple[str, str]]:
    """(event, outcome) of every audit entry written after `mark`, oldest first."""
    return [(e.event, e.outcome) for e in entries_since(mark)]


def flashed(response: HttpResponse) -> list[str]:
    """The messages a response queued for the next page."""
    return [str(m) for m in get_messages(response.wsgi_request)]  # type: ignore[attr-defined]
