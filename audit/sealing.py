"""Sealing and verification of the audit log.

Inserts stay cheap: nothing is hashed when an entry is written. A single sealer (Celery beat every
minute, or `manage.py seal_audit`) takes finished entries in commit order, hashes each one, and writes
an append-only Seal whose root is HMAC(AUDIT_SEAL_KEY, previous root, entry digests). The key lives
outside the database, and every root is also appended to a witness file outside it, so someone who
can write to the database can neither re-seal altered entries nor quietly cut off the latest seals.

Every field of a seal is covered (version 2): its number, entry range, count, commit position, time and
previous root go into the HMAC with the digests, so raising a seal's `last_entry_id` to stop later
sealing, or changing its count or date, breaks its root. Verification also checks that each seal's
fields agree with the digests it holds, that each seal starts with the entry after the previous one
ended, and that the witness outside the database holds every seal (a missing or short witness fails).
Version 2 seals' entry digests also cover the actor's username as it was (audit.digests).

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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone

from audit import texts
from audit.digests import CURRENT_VERSION, DIGEST_FIELDS, entry_digest
from audit.models import AuditEntry, FlagReview, Seal

__all__ = ["DIGEST_FIELDS", "entry_digest", "seal_pending", "verify"]

logger = logging.getLogger(__name__)

GENESIS = "0" * 64
SEAL_SIZE = 5000
SEAL_VERSION = CURRENT_VERSION  # 2: its entries' digests also cover the actor's username as it was
# A seal's witness line is appended just after its transaction commits: a verification running in that
# instant may find the newest seal not yet witnessed.
WITNESS_GRACE = timedelta(minutes=1)
LOCK_KEY = 7_261_334  # pg advisory lock: one sealer at a time


def chain_root(previous_root: str, digests: list[list[Any]], header: dict[str, Any] | None = None) -> str:
    """HMAC(AUDIT_SEAL_KEY) over the seal's header (version 2: every other field of the seal), the previous
    root and the digests. Without a header, the version 1 root of the first seals."""
    mac = hmac.new(settings.AUDIT_SEAL_KEY.encode(), digestmod=hashlib.sha256)
    if header is not None:
        mac.update(json.dumps(header, sort_keys=True, separators=(",", ":")).encode())
    mac.update(previous_root.encode())
    for entry_id, digest in digests:
        mac.update(f"{entry_id}:{digest};".encode())
    return mac.hexdigest()


def seal_header(
    *,
    seal_id: int,
    first_entry_id: int,
    last_entry_id: int,
    last_txid: int | None,
    entry_count: int,
    sealed_at: datetime,
) -> dict[str, Any]:
    """The fields of a version 2 seal that its root covers besides the previous root and digests."""
    return {
        "version": SEAL_VERSION,
        "seal": seal_id,
        "first_entry_id": first_entry_id,
        "last_entry_id": last_entry_id,
        "last_txid": last_txid,
        "entry_count": entry_count,
        "sealed_at": sealed_at.astimezone(UTC).isoformat(timespec="microseconds"),
    }


def expected_root(seal: Seal) -> str:
    """The root a seal must have, from what it holds."""
    if seal.version is None:
        return chain_root(seal.previous_root, seal.digests)
    header = seal_header(
        seal_id=seal.pk,
        first_entry_id=seal.first_entry_id,
        last_entry_id=seal.last_entry_id,
        last_txid=seal.last_txid,
        entry_count=seal.entry_count,
        sealed_at=seal.sealed_at,
    )
    header["version"] = seal.version
    return chain_root(seal.previous_root, seal.digests, header)


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


class BrokenChain(Exception):
    """The newest seal is not what it should be: sealing on top of it would hide the damage."""


def _check_head(last: Seal) -> None:
    problem = _inconsistent(last)
    if not problem and not hmac.compare_digest(expected_root(last), last.root):
        problem = f"seal {last.pk} has been altered: its root does not match what it seals"
    if problem:
        raise BrokenChain(f"Sealing stopped: {problem}. Run manage.py verify_audit and investigate.")


def seal_pending(*, seal_size: int = SEAL_SIZE) -> int:
    """Seal every finished entry not yet sealed. Returns how many entries were sealed.

    Safe to run from several processes: on PostgreSQL an advisory lock lets one sealer work at a time,
    and on any engine the unique previous_root makes a racing second seal fail instead of forking.
    Raises BrokenChain, sealing nothing, when the newest seal has been tampered with.
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
            if last is not None:
                _check_head(last)
            fields = (*DIGEST_FIELDS, "_txid") if _is_postgres() else DIGEST_FIELDS
            rows = list(_pending(last).values(*fields)[:seal_size])
            if not rows:
                return sealed
            digests = [[row["id"], entry_digest(row, SEAL_VERSION)] for row in rows]
            previous_root = last.root if last else GENESIS
            # The seal's number is chosen here, not by the database, because its root covers it; the
            # unique previous_root still stops a racing second sealer.
            header = seal_header(
                seal_id=(last.pk if last else 0) + 1,
                first_entry_id=rows[0]["id"],
                last_entry_id=rows[-1]["id"],
                last_txid=rows[-1].get("_txid"),
                entry_count=len(rows),
                sealed_at=timezone.now(),
            )
            seal = Seal.objects.create(
                id=header["seal"],
                first_entry_id=header["first_entry_id"],
                last_entry_id=header["last_entry_id"],
                last_txid=header["last_txid"],
                entry_count=header["entry_count"],
                sealed_at=datetime.fromisoformat(header["sealed_at"]),
                version=SEAL_VERSION,
                digests=digests,
                previous_root=previous_root,
                root=chain_root(previous_root, digests, header),
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
    witness_checked: bool = False

    @property
    def ok(self) -> bool:
        return not self.problem


def _stream() -> Iterator[dict[str, Any]]:
    fields = (*DIGEST_FIELDS, "_txid") if _is_postgres() else DIGEST_FIELDS
    return ordered_entries().values(*fields).iterator(chunk_size=2000)


def _inconsistent(seal: Seal) -> str:
    """A seal's range and count must be those of the digests it holds (which its root covers): a raised
    last_entry_id would otherwise stop all later sealing while the chain still verified."""
    digests = seal.digests
    if not digests:
        return f"seal {seal.pk} holds no entries"
    if (seal.first_entry_id, seal.last_entry_id, seal.entry_count) != (digests[0][0], digests[-1][0], len(digests)):
        return (
            f"seal {seal.pk} has been altered: it claims entries {seal.first_entry_id} to {seal.last_entry_id} "
            f"({seal.entry_count}) but holds {digests[0][0]} to {digests[-1][0]} ({len(digests)})"
        )
    return ""


def verify(*, witness: bool = True) -> Verification:
    """Recompute every seal from the entries, streaming; stop at the first problem and name the entry.

    Each seal must follow the previous one, have the root its fields and digests give, claim the range
    and count its digests hold, and hold exactly the next entries in seal order (so no entry is missing
    from, added to or moved within a sealed range, and no gap lies between seals). Then the witness
    outside the database must hold every seal; `witness=False` skips that, and the result says so.
    """
    result = Verification()
    stream = _stream()
    previous_root = GENESIS
    seals: dict[int, tuple[str, datetime]] = {}
    for seal in Seal.objects.order_by("id").iterator(chunk_size=50):
        if seal.previous_root != previous_root:
            result.problem = f"seal {seal.pk} does not follow the seal before it: a seal was removed or inserted"
            return result
        if not hmac.compare_digest(expected_root(seal), seal.root):
            result.problem = f"seal {seal.pk} has been altered: its root does not match what it seals"
            return result
        if problem := _inconsistent(seal):
            result.problem = problem
            return result
        in_seal = {entry_id for entry_id, _ in seal.digests}
        row: dict[str, Any] | None = None
        for entry_id, digest in seal.digests:
            row = next(stream, None)
            if row is not None and row["id"] == entry_id:
                result.entries += 1
                if entry_digest(row, seal.version) != digest:
                    return _fail(result, entry_id, f"entry {entry_id} was changed after it was sealed (seal {seal.pk})")
                continue
            return _explain_mismatch(result, seal, entry_id, digest, row, in_seal)
        if row is not None and "_txid" in row and seal.last_txid != row["_txid"]:
            result.problem = f"seal {seal.pk} has been altered: its commit position is not its last entry's"
            return result
        previous_root = seal.root
        seals[seal.pk] = (seal.root, seal.sealed_at)
        result.seals += 1
    result.unsealed = sum(1 for _ in stream)
    if witness:
        result.witness_checked = True
        result.problem = _check_witness(seals, entries_exist=bool(result.entries or result.unsealed))
    # Neither the review table nor the typed texts are sealed: each is checked against the sealed entries.
    result.problem = result.problem or check_reviews() or texts.problems()
    return result


def check_reviews() -> str:
    """Each break-glass review must agree with the audit entry that recorded it (who reviewed which
    entry, and the verdict): the review table is not sealed, its entries are."""
    recorded: dict[int, tuple[int | None, bool]] = {}
    for actor_id, data in AuditEntry.objects.filter(event="audit.flag_reviewed").values_list(
        "actor_id", "additional_data"
    ):
        if isinstance(data, dict) and "entry" in data:
            recorded[int(data["entry"])] = (actor_id, bool(data.get("justified")))
    for review in FlagReview.objects.order_by("id").values("entry_id", "reviewer_id", "justified"):
        verdict = "justified" if review["justified"] else "not justified"
        if recorded.get(review["entry_id"]) != (review["reviewer_id"], review["justified"]):
            return (
                f"the review of entry {review['entry_id']} ({verdict}) does not match the audit entry that "
                f"recorded it: the review was changed or added outside the app"
            )
    return ""


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
    if entry_digest(sealed_row, seal.version) != digest:
        return _fail(result, entry_id, f"entry {entry_id} was changed after it was sealed (seal {seal.pk})")
    if row is not None and row["id"] not in in_seal:
        return _fail(result, row["id"], f"entry {row['id']} was inserted into a sealed range (seal {seal.pk})")
    return _fail(result, entry_id, f"entry {entry_id} was moved out of its sealed order (seal {seal.pk})")


def _fail(result: Verification, entry_id: int, problem: str) -> Verification:
    result.problem = problem
    result.bad_entry_id = entry_id
    return result


def _check_witness(seals: dict[int, tuple[str, datetime]], *, entries_exist: bool) -> str:
    """The witness outside the database must hold every seal in it, with the same root, and nothing
    the database no longer has: a missing or short witness would let the newest seals be cut unseen."""
    path = Path(settings.AUDIT_WITNESS_PATH)
    if not path.exists():
        if not seals and not entries_exist:
            return ""  # a new, empty log: nothing to witness yet
        return (
            f"the witness file {path} is missing, so cut or rewritten seals cannot be detected; restore it, "
            f"or run with --without-witness to verify the database alone"
        )
    witnessed: set[int] = set()
    with path.open() as lines:
        for line in lines:
            if not line.strip():
                continue
            record = json.loads(line)
            if seals.get(record["seal"], ("", None))[0] != record["root"]:
                return (
                    f"seal {record['seal']} (entries up to {record['last_entry_id']}) is recorded in the witness "
                    f"file but is missing or different in the database: the log was cut or rewritten"
                )
            witnessed.add(record["seal"])
    recent = timezone.now() - WITNESS_GRACE
    for seal_id, (_, sealed_at) in seals.items():
        if seal_id not in witnessed and sealed_at < recent:
            return (
                f"seal {seal_id} is in the database but not in the witness file {path}: the witness is short, "
                f"so it cannot show whether later seals were cut"
            )
    return ""
