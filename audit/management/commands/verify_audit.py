from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from audit import texts
from audit.digests import digest_rows, legacy_boundary, sealed_digest
from audit.models import AuditEntry, Seal
from audit.sealing import verify


class Command(BaseCommand):
    help = (
        "Recompute the audit seal chain; exits 1 naming the first entry changed, removed, inserted or moved. "
        "With --seal and --root, also confirms the root printed on an export; --entry prints one entry's digest; "
        "--texts checks the typed text kept beside an entry against the digest the entry holds."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seal", type=int, help="A seal number printed on an export's cover.")
        parser.add_argument("--root", help="The chain root printed next to that seal.")
        parser.add_argument("--entry", type=int, help="Print this entry's SHA-256 digest, as its seal holds it.")
        parser.add_argument(
            "--texts", type=int, metavar="ENTRY", help="Check this entry's typed text (a search) against its digest."
        )
        parser.add_argument(
            "--without-witness",
            action="store_true",
            help="Verify the database alone, without the witness file (cut seals then go unnoticed).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["texts"] is not None:  # first, so that a text that does not match is shown before exiting
            self._check_texts(options["texts"])
        result = verify(witness=not options["without_witness"])
        if not result.ok:
            self.stderr.write(f"Audit log FAILED verification: {result.problem}.")
            sys.exit(1)
        self.stdout.write(
            f"Audit log verified: {result.entries} entries in {result.seals} seals; "
            f"{result.unsealed} newer entries not yet sealed."
        )
        if not result.witness_checked:
            self.stdout.write(
                "The witness file was NOT checked (--without-witness): seals cut from the end of the chain, "
                "or the whole chain, would not be noticed."
            )
        if options["seal"] is not None or options["root"]:
            self._check_printed_root(options["seal"], options["root"] or "")
        if options["entry"] is not None:
            self._print_entry(options["entry"])

    def _check_printed_root(self, seal_id: int | None, root: str) -> None:
        seal = Seal.objects.filter(pk=seal_id).first() if seal_id is not None else None
        if seal is None or seal.root != root.strip().lower():
            self.stderr.write(f"The printed root does not match seal {seal_id}: the printout is not from this log.")
            sys.exit(1)
        self.stdout.write(f"Seal {seal_id} has the printed root: the printout matches this log.")

    def _print_entry(self, entry_id: int) -> None:
        row = digest_rows(AuditEntry.objects.filter(pk=entry_id)).first()
        if row is None:
            self.stderr.write(f"There is no entry {entry_id}.")
            sys.exit(1)
        self.stdout.write(f"Entry {entry_id} digest: {sealed_digest(row, legacy_boundary())}")

    def _check_texts(self, entry_id: int) -> None:
        entry = AuditEntry.objects.filter(pk=entry_id).first()
        if entry is None:
            self.stderr.write(f"There is no entry {entry_id}.")
            sys.exit(1)
        checks = texts.check(entry)
        if not checks:
            self.stdout.write(f"Entry {entry_id} refers to no typed text.")
        for check in checks:
            shown = "" if check.text is None else f" {check.text!r}"
            self.stdout.write(f"Entry {entry_id} text {check.name}{shown}: {check.verdict}.")
        if any(check.matches is False for check in checks):
            self.stderr.write(f"A text of entry {entry_id} was changed after it was recorded.")
            sys.exit(1)
