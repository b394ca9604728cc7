"""The append-only access log (django-auditlog's swappable log entry) and the seals that chain it.

Entries are written only through audit.services (and auditlog's own change receivers). Nothing
updates or deletes them: the model and queryset refuse, the admin is read-only, and database
triggers (migration 0002_append_only_triggers) reject UPDATE, DELETE and TRUNCATE.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any, ClassVar, NoReturn

from auditlog.models import AbstractLogEntry, LogEntryManager
from django.db import models
from django.utils import timezone


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit entry or a seal."""


def _refuse(*_args: Any, **_kwargs: Any) -> NoReturn:
    raise AppendOnlyError("The audit log is append-only: entries and seals are never changed or deleted.")


class AppendOnlyQuerySet(models.QuerySet):
    update = _refuse
    delete = _refuse
    bulk_update = _refuse
    update_or_create = _refuse

    def _raw_delete(self, using: Any) -> NoReturn:  # used by cascades; refused as well
        _refuse()


class Outcome(models.TextChoices):
    ALLOWED = "allowed", "Allowed"
    DENIED = "denied", "Denied"
    FAILED = "failed", "Failed"


class AuditEntryQuerySet(AppendOnlyQuerySet):
    def matching(
        self,
        *,
        date_from: date | None = None,
        date_to: date | None = None,
        username: str = "",
        person: Any = None,
        agency: Any = None,
        case_reference: str = "",
        event: str = "",
        outcome: str = "",
    ) -> AuditEntryQuerySet:
        """Entries matching an auditor's search; dates are whole local days, both ends included."""
        entries = self
        if date_from:
            entries = entries.filter(timestamp__gte=_start_of(date_from))
        if date_to:
            entries = entries.filter(timestamp__lt=_start_of(date_to + timedelta(days=1)))
        if username:
            # The name the actor had then; entries from before names were recorded, by the current name.
            users = self.model._meta.get_field("actor").related_model._default_manager
            named_now = users.filter(username=username).values("pk")
            entries = entries.filter(
                models.Q(actor_username=username) | models.Q(actor_username="", actor_id__in=named_now)
            )
        if person:
            # The account, whatever it was called then.
            entries = entries.filter(actor=person)
        if agency:
            entries = entries.filter(actor_agency=agency)
        if case_reference:
            entries = entries.filter(case_reference=case_reference)
        if event:
            entries = entries.filter(event=event)
        if outcome:
            entries = entries.filter(outcome=outcome)
        return entries


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class AuditEntryManager(LogEntryManager.from_queryset(AuditEntryQuerySet)):  # type: ignore[misc]
    pass


class AuditEntry(AbstractLogEntry):
    """One thing someone did or saw. object_repr is a reference (e.g. a case reference), never a name."""

    event = models.CharField(max_length=60, db_index=True, help_text="What happened, e.g. case.viewed.")
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.ALLOWED)
    # The actor's username, agency and role at the time: users are renamed, move agencies and change roles.
    actor_username = models.CharField(max_length=150, blank=True, default="")
    actor_agency = models.ForeignKey(
        "partners.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_role = models.CharField(max_length=40, blank=True)
    method = models.CharField(max_length=10, blank=True)
    path = models.CharField(max_length=500, blank=True)
    request_id = models.CharField(max_length=64, blank=True, db_index=True)
    purpose = models.TextField(blank=True)
    case_reference = models.CharField(max_length=20, blank=True, db_index=True)
    is_flagged = models.BooleanField(default=False, help_text="Needs an auditor's review (break-glass).")

    objects: ClassVar[AuditEntryManager] = AuditEntryManager()

    class Meta(AbstractLogEntry.Meta):
        verbose_name = "audit entry"
        verbose_name_plural = "audit entries"
        ordering = ["-timestamp", "-id"]
        indexes = [
            models.Index(fields=["actor", "timestamp"], name="audit_actor_time"),
            models.Index(fields=["case_reference", "timestamp"], name="audit_case_time"),
            models.Index(fields=["actor_agency", "timestamp"], name="audit_agency_time"),
            models.Index(fields=["actor_username", "timestamp"], name="audit_username_time"),
        ]

    def __str__(self) -> str:
        return f"{self.event or self.get_action_display()} {self.object_repr}".strip()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse()

    @property
    def who(self) -> str:
        """The actor as recorded: the username they had then. Entries written before usernames were
        recorded show the account's current name, and say so."""
        if self.actor_username:
            return self.actor_username
        if self.actor_id is None:
            return ""
        return f"{self.actor.username} (name now; not recorded then)" if self.actor else ""

    @property
    def has_typed_text(self) -> bool:
        return isinstance(self.additional_data, dict) and isinstance(self.additional_data.get("texts"), dict)

    @property
    def typed(self) -> list[tuple[str, str | None]]:
        """The typed texts (searches) this entry holds digests of, by name: each text while it is kept
        beside the log (AuditText), None once erased."""
        if not self.has_typed_text:
            return []
        kept = {text.name: text.text for text in self.texts.all()}
        return [(name, kept.get(name)) for name in sorted(self.additional_data["texts"])]


class AuditTextQuerySet(models.QuerySet):
    update = _refuse
    delete = _refuse
    bulk_update = _refuse
    update_or_create = _refuse

    def erase_recorded_before(self, moment: datetime) -> int:
        """Erase the texts recorded before `moment`: the only way a text leaves (audit.texts.purge)."""
        deleted, _ = models.QuerySet.delete(self.filter(recorded_at__lt=moment))
        return deleted


class AuditText(models.Model):
    """Text someone typed that an entry refers to (a search), kept outside the sealed log so that it can
    be erased after AUDIT_FREE_TEXT_DAYS. The entry holds only its keyed digest (audit.digests), under
    `additional_data["texts"][name]`, so the text proves itself while it exists and erasing it breaks no
    seal. Written and erased only by audit.texts; never changed."""

    entry = models.ForeignKey(AuditEntry, on_delete=models.PROTECT, related_name="texts")
    name = models.CharField(max_length=40, help_text="Which value of the entry, e.g. q for a case search.")
    text = models.TextField()
    recorded_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AuditTextQuerySet.as_manager()

    class Meta:
        ordering = ["entry_id", "name"]
        constraints = [models.UniqueConstraint(fields=["entry", "name"], name="audit_text_once")]

    def __str__(self) -> str:
        return f"Text {self.name} of entry {self.entry_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse()


class SealQuerySet(AppendOnlyQuerySet):
    pass


class Seal(models.Model):
    """A run of finished entries, chained to the previous seal with an HMAC held outside the database.

    `digests` lists [entry id, entry digest] in seal order, so verification can name the first entry
    that was changed, removed, inserted or moved, while `root` proves the list itself is genuine.
    """

    first_entry_id = models.BigIntegerField()
    last_entry_id = models.BigIntegerField()
    # PostgreSQL: the transaction id of the last entry sealed (entries are sealed in (txid, id) order).
    last_txid = models.BigIntegerField(null=True, blank=True)
    entry_count = models.PositiveIntegerField()
    digests = models.JSONField()
    # Unique, so two sealers racing from the same head cannot fork the chain: the second insert fails.
    previous_root = models.CharField(max_length=64, unique=True)
    root = models.CharField(max_length=64)
    # Set by the sealer before the root is computed, because the root covers it.
    sealed_at = models.DateTimeField(default=timezone.now)
    # How `root` was computed. Empty for the first seals, whose root covered only the previous root and
    # the digests; from version 2 the root covers every field of the seal (audit/sealing.py).
    version = models.PositiveSmallIntegerField(null=True, blank=True)

    objects = SealQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["first_entry_id"], name="seal_first_entry_unique")]

    def __str__(self) -> str:
        return f"Seal {self.pk}: entries {self.first_entry_id} to {self.last_entry_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse()


class FlagReview(models.Model):
    """An auditor's review of a flagged entry (break-glass access). The entry itself never changes."""

    entry = models.OneToOneField(AuditEntry, on_delete=models.PROTECT, related_name="review")
    reviewer = models.ForeignKey("partners.User", on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(default=timezone.now)
    justified = models.BooleanField()
    note = models.TextField()

    class Meta:
        ordering = ["-reviewed_at"]

    def __str__(self) -> str:
        return f"Review of entry {self.entry_id}"


class ExportKind(models.TextChoices):
    LOG = "log", "Audit log"
    CASE = "case", "Case access report"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class ExportJobQuerySet(models.QuerySet):
    def stuck(self, *, now: datetime, queued_for: timedelta, silent_for: timedelta) -> ExportJobQuerySet:
        """Jobs to send again: queued and not handed to the broker for a while (it was down, or the message
        was lost), or running with no sign of life (the worker died); each is sent again and finishes once."""
        waiting = models.Q(status=ExportStatus.QUEUED) & (
            models.Q(sent_at__lt=now - queued_for) | models.Q(sent_at__isnull=True, created_at__lt=now - queued_for)
        )
        return self.filter(waiting | models.Q(status=ExportStatus.RUNNING, heartbeat_at__lt=now - silent_for))


class ExportJob(models.Model):
    """An auditor's (or a case owner's) request for a PDF and CSV of audit entries.

    Stored before its task is sent, so a broker outage or a dead worker loses nothing. The filters and
    the highest entry id at the time of the request fix exactly which entries the export holds.
    """

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=10, choices=ExportKind.choices, default=ExportKind.LOG)
    requested_by = models.ForeignKey("partners.User", on_delete=models.PROTECT, related_name="+")
    filters = models.JSONField(default=dict, help_text="The auditor's filters in plain text, as printed.")
    case_reference = models.CharField(max_length=20, blank=True)
    # A report the owning council asked for from the case shows in the case's access history; an
    # auditor's does not, so that looking into a council's handling of a case does not tip it off.
    in_case_history = models.BooleanField(default=False)
    upto_entry_id = models.BigIntegerField(help_text="Entries written after the request are not included.")
    status = models.CharField(max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    entry_count = models.PositiveIntegerField(default=0)
    done_count = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When the task was last handed to the broker.")
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="export_status_time")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} export {self.reference}"

    @property
    def history_reference(self) -> str:
        """The case reference its audit entries carry: only for reports that belong in the case's history."""
        return self.case_reference if self.in_case_history else ""

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        return int(100 * self.done_count / self.entry_count) if self.entry_count else 0

    def expired(self, now: datetime | None = None) -> bool:
        return self.expires_at is not None and (now or timezone.now()) >= self.expires_at


class ExportFile(models.Model):
    """A finished export's bytes, kept in the database so web and worker need no shared disk."""

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        CSV = "csv", "CSV"

    job = models.ForeignKey(ExportJob, on_delete=models.CASCADE, related_name="files")
    format = models.CharField(max_length=3, choices=Format.choices)
    content = models.BinaryField()
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "format"], name="export_file_once")]

    def __str__(self) -> str:
        return f"{self.format} of {self.job_id}"
