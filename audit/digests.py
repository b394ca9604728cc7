"""What a sealed entry's digest covers, by seal version, and the keyed digest of typed text.

An entry's digest is SHA-256 over a fixed list of its columns. The first seals (version None) cover
DIGEST_FIELDS_V1; version 2 seals also cover the username the actor had when the entry was written, so
a later rename (in the admin or the database) cannot move history to another name unseen.

Text someone typed (a search, an unknown username at sign-in) is never written into an entry: the entry
holds HMAC(text key, text) instead. The text key is derived from AUDIT_SEAL_KEY with its own label, so it
lives where the seal key lives (outside the database: without it a copy of the database cannot be used
to test guessed names against the digests), needs no second secret that could be lost or drift from the
first, and is never the seal key itself (a text digest can never stand in for a seal's MAC).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from audit.models import Seal

# The columns of an entry's digest, in a fixed order: version 1 (seals whose version is empty).
DIGEST_FIELDS_V1 = (
    "id", "timestamp", "action", "event", "outcome", "content_type_id", "object_pk", "object_id",
    "object_repr", "actor_id", "actor_email", "actor_agency_id", "actor_role", "method", "path",
    "request_id", "purpose", "case_reference", "is_flagged", "remote_addr", "remote_port", "cid",
    "changes", "changes_text", "additional_data", "serialized_data",
)  # fmt: skip
# Version 2: also the actor's username as it was.
DIGEST_FIELDS = (*DIGEST_FIELDS_V1, "actor_username")
CURRENT_VERSION = 2

TEXT_KEY_LABEL = b"prevent-panel audit: keyed digest of typed text, v1"


def fields_for(version: int | None) -> tuple[str, ...]:
    """The columns an entry's digest covers under a seal of this version (None: the first seals)."""
    return DIGEST_FIELDS_V1 if version is None else DIGEST_FIELDS


def entry_digest(row: dict[str, Any], version: int | None = CURRENT_VERSION) -> str:
    """SHA-256 of an entry's canonical form under a seal of `version`: fixed field order, UTC ISO
    timestamps, sorted JSON keys. Entries not yet sealed will be sealed at the current version."""
    values = [
        row[name].astimezone(UTC).isoformat(timespec="microseconds") if name == "timestamp" else row[name]
        for name in fields_for(version)
    ]
    payload = json.dumps(values, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def legacy_boundary() -> tuple[int, int] | None:
    """Where the first version's seals end, in seal order: (commit position, entry id) of the last entry
    of the newest such seal; None if there are none. Every later seal is of the current version."""
    seal = Seal.objects.filter(version__isnull=True).order_by("-id").first()
    return None if seal is None else (seal.last_txid or 0, seal.last_entry_id)


def digest_rows(entries: QuerySet[Any], *extra: str) -> QuerySet[Any]:
    """The entries as the rows entry_digest reads, with their commit position on PostgreSQL."""
    if connection.vendor == "postgresql":
        return entries.annotate(_txid=RawSQL("txid::text::bigint", ())).values(*DIGEST_FIELDS, *extra, "_txid")
    return entries.values(*DIGEST_FIELDS, *extra)


def sealed_digest(row: dict[str, Any], boundary: tuple[int, int] | None) -> str:
    """An entry's digest as its seal holds it (or will: entries not yet sealed get the current version).
    `row` from digest_rows, `boundary` from legacy_boundary."""
    legacy = boundary is not None and (row.get("_txid") or 0, row["id"]) <= boundary
    return entry_digest(row, None if legacy else CURRENT_VERSION)


def text_key() -> bytes:
    return hmac.new(settings.AUDIT_SEAL_KEY.encode(), TEXT_KEY_LABEL, hashlib.sha256).digest()


def text_digest(text: str) -> str:
    """HMAC-SHA256 of typed text under the text key: the same text always gives the same digest (so an
    auditor can tell two attempts with one unknown username apart from two with different ones), and
    without the key the digest says nothing about the text."""
    return hmac.new(text_key(), text.encode(), hashlib.sha256).hexdigest()
