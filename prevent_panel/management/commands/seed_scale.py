"""manage.py seed_scale: national-scale synthetic data for the benchmarks (PostgreSQL only).

Refuses a database that already holds scale data: `make bench` checks the counts first and seeds only
a fresh database.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from bench.scale import ScaleSeeder, Sizes


class Command(BaseCommand):
    help = "Seed agencies, users, cases in every stage with their casework, and a sealed audit log, by COPY."

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = Sizes()
        parser.add_argument("--agencies", type=int, default=defaults.agencies)
        parser.add_argument("--users", type=int, default=defaults.users)
        parser.add_argument("--cases", type=int, default=defaults.cases)
        parser.add_argument("--audit-entries", type=int, default=defaults.audit_entries)
        parser.add_argument("--seed", type=int, default=2026, help="Random seed: the same seed gives the same data.")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("seed_scale writes with PostgreSQL's COPY: set DATABASE_URL to a PostgreSQL database.")
        sizes = Sizes(
            agencies=options["agencies"],
            users=options["users"],
            cases=options["cases"],
            audit_entries=options["audit_entries"],
        )
        if min(sizes.agencies, sizes.cases, sizes.audit_entries) < 1 or sizes.agencies < 8:
            raise CommandError("Give at least 8 agencies, one case and one audit entry.")
        started = time.monotonic()
        try:
            ScaleSeeder(sizes, seed=options["seed"], report=lambda line: self.stdout.write(f"  {line}")).run()
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Seeded {sizes} in {time.monotonic() - started:.0f} s.")
