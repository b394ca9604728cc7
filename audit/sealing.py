"""Sealing and verification of the audit log.

Inserts stay cheap: nothing is hashed when an entry is written. A single sealer (Celery beat every
minute, or `manage.py seal_audit`) takes finished entries in commit order, hashes each one, and writes
an append-only Seal whose root is HMAC(AUDIT_SEAL_KEY, previous root, entry digests). The key lives
outside the database, and every root is also appended to a witness file outside it, so someone who
can write to the database can neither re-seal altered entries nor quietly cut off the latest seals.

Commit order: on PostgreSQL each entry stores the id of the transaction that wrote it (`txid`, added by
migration 0004). Entries are sealed in (txid, id) order, and only those whose transaction is older than
every transaction still running (`pg_snapshot_xmin`), so no entry can later commit into a sealed range.
SQLite has one writer at a time, so there id order is commit order.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models.expressions import RawSQL

from audit.models import AuditEntry, Seal

logger = logging.getLogger(__name__)

GENESIS = "0" * 64
SEAL_SIZE = 5000
LOCK_KEY = 7_261_334  # pg advisory lock: one sealer at a time

# The columns that make up an entry's digest, in a fixed order.
DIGEST_FIELDS = (
    "id", "timestamp", "action", "event", "outcome", "content_type_id", "object_pk", "object_id",
    "object_repr", "actor_id", "actor_email", "actor_agency_id", "actor_role", "method", "path",
    "request_id", "purpose", "case_reference", "is_flagged", "remote_addr", "remote_port", "cid",
    "changes", "changes_text", "additional_data", "serialized_data",
)  # fmt: skip


def entry_digest(row: dict[str, Any]) -> str:
    """SHA-256 of an entry's canonical form: fixed field order, UTC ISO timestamps, sorted JSON keys."""
    values = [
        row[name].astimezone(UTC).isoformat(timespec="microseconds") if name == "timestamp" else row[name]
        for name in DIGEST_FIELDS
    ]
    payload = json.dumps(values, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def chain_root(previous_root: str, digests: list[list[Any]]) -> str:
    mac = hmac.new(settings.AUDIT_SEAL_KEY.encode(), digestmod=hashlib.sha256)
    mac.update(previous_root.encode())
    for entry_id, digest in digests:
        mac.update(f"{entry_id}:{digest};".encode())
    return mac.hexdigest()


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def ordered_entries() -> models.QuerySet[AuditEntry]:
    """Every entry in seal order."""
    if _is_postgres():
        return AuditEntry.objects.annotate(_txid=RawSQL("txid::text::bigint", ())).order_by(
            RawSQL("txid", ()).asc(), "id"
        )
    return AuditEntry.objects.order_by("id")


def _pending(last: Seal | None) -> models.QuerySet[AuditEntry]:
    entries = ordered_entries()
    if _is_postgres():
        finished = RawSQL(
            "(txid, id) > (%s::text::xid8, %s) AND txid < pg_snapshot_xmin(pg_current_snapshot())",
            (str(last.last_txid if last else 0), last.last_entry_id if last else 0),
            output_field=models.BooleanField(),
        )
        return entries.filter(finished)
    return entries.filter(id__gt=last.last_entry_id if last else 0)


def unsealed_entries() -> models.QuerySet[AuditEntry]:
    """Entries after the last seal in seal order: not yet covered by the chain."""
    last = Seal.objects.order_by("-id").first()
    if last is None:
        return AuditEntry.objects.all()
    if _is_postgres():
        after = RawSQL(
            "(txid, id) > (%s::text::xid8, %s)",
            (str(last.last_txid or 0), last.last_entry_id),
            output_field=models.BooleanField(),
        )
        return AuditEntry.objects.filter(after)
    return AuditEntry.objects.filter(id__gt=last.last_entry_id)


def _write_witness(seal: Seal) -> None:
    path = Path(settings.AUDIT_WITNESS_PATH)
    record = {
        "seal": seal.pk,
        "root": seal.root,
        "last_entry_id": seal.last_entry_id,
        "entries": seal.entry_count,
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a") as witness:
            witness.write(json.dumps(record) + "\n")
    except OSError:
        logger.exception("Seal %s could not be written to the witness file %s", seal.pk, path)


def seal_pending(*, seal_size: int = SEAL_SIZE) -> int:
    """Seal every finished entry not yet sealed. Returns how many entries were sealed.

    Safe to run from several processes: on PostgreSQL an advisory lock lets one sealer work at a time,
    and on any engine the unique previous_root makes a racing second seal fail instead of forking.
    """
    sealed = 0
    while True:
        with transaction.atomic():
            if _is_postgres():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
                    if not cursor.fetchone()[0]:
                        return sealed
            last = Seal.objects.order_by("-id").first()
            fields = (*DIGEST_FIELDS, "_txid") if _is_postgres() else DIGEST_FIELDS
            rows = list(_pending(last).values(*fields)[:seal_size])
            if not rows:
                return sealed
            digests = [[row["id"], entry_digest(row)] for row in rows]
            previous_root = last.root if last else GENESIS
            seal = Seal.objects.create(
                first_entry_id=rows[0]["id"],
                last_entry_id=rows[-1]["id"],
                last_txid=rows[-1].get("_txid"),
                entry_count=len(rows),
                digests=digests,
                previous_root=previous_root,
                root=chain_root(previous_root, digests),
            )
            transaction.on_commit(lambda seal=seal: _write_witness(seal))  # type: ignore[misc]
        sealed += len(rows)
        if len(rows) < seal_size:
            return sealed


@dataclass
class Verification:
    entries: int = 0
    seals: int = 0
    unsealed: int = 0
    problem: str = ""
    bad_entry_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problem


def _stream() -> Iterator[dict[str, Any]]:
    return ordered_entries().values(*DIGEST_FIELDS).iterator(chunk_size=2000)


def verify() -> Verification:
    """Recompute every seal from the entries, streaming; stop at the first problem and name the entry."""
    result = Verification()
    stream = _stream()
    previous_root = GENESIS
    roots: dict[int, str] = {}
    for seal in Seal.objects.order_by("id").iterator(chunk_size=50):
        if seal.previous_root != previous_root:
            result.problem = f"seal {seal.pk} does not follow the seal before it: a seal was removed or inserted"
            return result
        if not hmac.compare_digest(chain_root(previous_root, seal.digests), seal.root):
            result.problem = f"seal {seal.pk} has been altered: its root does not match what it seals"
            return result
        in_seal = {entry_id for entry_id, _ in seal.digests}
        for entry_id, digest in seal.digests:
            row = next(stream, None)
            if row is not None and row["id"] == entry_id:
                result.entries += 1
                if entry_digest(row) != digest:
                    return _fail(result, entry_id, f"entry {entry_id} was changed after it was sealed (seal {seal.pk})")
                continue
            return _explain_mismatch(result, seal, entry_id, digest, row, in_seal)
        previous_root = seal.root
        roots[seal.pk] = seal.root
        result.seals += 1
    result.unsealed = sum(1 for _ in stream)
    result.problem = _check_witness(roots)
    return result


def _explain_mismatch(
    result: Verification,
    seal: Seal,
    entry_id: int,
    digest: str,
    row: dict[str, Any] | None,
    in_seal: set[int],
) -> Verification:
    """The stream does not hold the sealed entry where the seal says: work out what happened to it."""
    sealed_row = ordered_entries().filter(id=entry_id).values(*DIGEST_FIELDS).first()
    if sealed_row is None:
        return _fail(result, entry_id, f"entry {entry_id} was removed after it was sealed (seal {seal.pk})")
    if entry_digest(sealed_row) != digest:
        return _fail(result, entry_id, f"entry {entry_id} was changed after it was sealed (seal {seal.pk})")
    if row is not None and row["id"] not in in_seal:
        return _fail(result, row["id"], f"entry {row['id']} was inserted into a sealed range (seal {seal.pk})")
    return _fail(result, entry_id, f"entry {entry_id} was moved out of its sealed order (seal {seal.pk})")


def _fail(result: Verification, entry_id: int, problem: str) -> Verification:
    result.problem = problem
    result.bad_entry_id = entry_id
    return result


def _check_witness(roots: dict[int, str]) -> str:
    """Every seal recorded outside the database must still be in it, unchanged."""
    path = Path(settings.AUDIT_WITNESS_PATH)
    if not path.exists():
        return ""
    with path.open() as witness:
        for line in witness:
            if not line.strip():
                continue
            record = json.loads(line)
            if roots.get(record["seal"]) != record["root"]:
                return (
                    f"seal {record['seal']} (entries up to {record['last_entry_id']}) is recorded in the witness "
                    f"file but is missing or different in the database: the log was cut or rewritten"
                )
    return ""
