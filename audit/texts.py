"""Typed text kept beside the sealed log, not in it (issue 14, finding 2).

What someone typed (a search for a subject's name or date of birth; later, other free text a caller
passes to audit.services.record) could be anyone's personal data, and a sealed, append-only log could
never erase it. So an entry holds only each text's keyed digest (audit.digests.text_digest) under
`additional_data["texts"]`, and the text itself goes to AuditText, outside the seals, for
AUDIT_FREE_TEXT_DAYS. While it exists an auditor sees it and can prove it is what was typed (`check`,
`manage.py verify_audit --texts ENTRY`); audit.services.purge_texts then erases it, and the seals still
verify because they never covered it. An AuditText row is never changed, and is deleted only by that purge.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from audit.digests import text_digest
from audit.models import AuditEntry, AuditText

KEY = "texts"  # where an entry's additional_data holds the digests


def digests_of(texts: Mapping[str, str]) -> dict[str, str]:
    """The keyed digest of each non-empty text, by name: what the sealed entry holds."""
    return {name: text_digest(text) for name, text in texts.items() if text}


def keep(entry: AuditEntry, texts: Mapping[str, str]) -> None:
    """Store an entry's texts beside it (called by audit.services.record, in the entry's transaction)."""
    AuditText.objects.bulk_create(
        [
            AuditText(entry=entry, name=name, text=text, recorded_at=entry.timestamp)
            for name, text in texts.items()
            if text
        ]
    )


def kept_until(entry: AuditEntry) -> datetime:
    return entry.timestamp + timedelta(days=settings.AUDIT_FREE_TEXT_DAYS)


@dataclass(frozen=True)
class TextCheck:
    name: str
    digest: str
    text: str | None  # None once erased
    matches: bool | None  # None once erased

    @property
    def verdict(self) -> str:
        if self.text is None:
            return f"erased after {settings.AUDIT_FREE_TEXT_DAYS} days; only its digest remains"
        return "matches the digest its entry holds" if self.matches else "does NOT match the digest its entry holds"


def recorded_digests(entry: AuditEntry) -> dict[str, str]:
    data = entry.additional_data if isinstance(entry.additional_data, dict) else {}
    digests = data.get(KEY)
    return {str(k): str(v) for k, v in digests.items()} if isinstance(digests, dict) else {}


def check(entry: AuditEntry) -> list[TextCheck]:
    """Each text an entry refers to: the text while it exists, and whether its keyed digest is the one the
    (sealed) entry holds. Anyone who may search the audit log may call it; it writes nothing."""
    stored = {text.name: text.text for text in AuditText.objects.filter(entry=entry)}
    checks = []
    for name, digest in sorted(recorded_digests(entry).items()):
        text = stored.get(name)
        matches = None if text is None else hmac.compare_digest(text_digest(text), digest)
        checks.append(TextCheck(name=name, digest=digest, text=text, matches=matches))
    return checks


def problems() -> str:
    """For audit.sealing.verify: every kept text must match its entry's digest (it was not changed), and
    every text of an entry still within AUDIT_FREE_TEXT_DAYS must still be there (it was not erased early,
    which only the purge may do, and only after that time). Returns the first problem, or ""."""
    for text in AuditText.objects.select_related("entry").order_by("id").iterator(chunk_size=500):
        digest = recorded_digests(text.entry).get(text.name)
        if digest is None or not hmac.compare_digest(text_digest(text.text), digest):
            return (
                f"the text kept for entry {text.entry_id} ({text.name}) does not match the digest the entry "
                f"holds: it was changed or added outside the app"
            )
    # A margin of an hour, so that a purge running while this verifies is not taken for tampering.
    recent = timezone.now() - timedelta(days=settings.AUDIT_FREE_TEXT_DAYS) + timedelta(hours=1)
    entries = AuditEntry.objects.filter(timestamp__gte=recent, additional_data__has_key=KEY)
    for entry in entries.order_by("id").prefetch_related("texts").iterator(chunk_size=500):
        missing = set(recorded_digests(entry)) - {text.name for text in entry.texts.all()}
        if missing:
            return (
                f"the text of entry {entry.pk} ({', '.join(sorted(missing))}) was erased before its "
                f"{settings.AUDIT_FREE_TEXT_DAYS} days: texts leave only through the purge"
            )
    return ""


def erase_old(*, now: datetime | None = None) -> tuple[int, datetime]:
    """Erase the texts recorded more than AUDIT_FREE_TEXT_DAYS before `now`: for
    audit.services.purge_texts, which audits it. Returns how many, and the moment before which."""
    moment = (now or timezone.now()) - timedelta(days=settings.AUDIT_FREE_TEXT_DAYS)
    return AuditText.objects.erase_recorded_before(moment), moment
