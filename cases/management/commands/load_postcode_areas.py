"""manage.py load_postcode_areas EXTRACT.csv --names NAMES.csv [--names ...] [--effective-from YYYY-MM-DD]

Loads postcode districts and their council and police force areas from an ONS Postcode Directory
extract (cases/services/postcode_directory.py says which columns, and how names and dates are used).
Run it again with a newer directory: unchanged districts are left alone, changed ones end-dated.
The demo's synthetic extract: cases/fixtures/postcode_extract.csv with cases/fixtures/postcode_area_names.csv.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cases.services import postcode_directory


class Command(BaseCommand):
    help = "Load postcode districts and their council and police force areas from an ONS Postcode Directory CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("extract", type=Path, help="The ONSPD CSV (or an extract with its columns).")
        parser.add_argument(
            "--names", type=Path, action="append", required=True, help="A names-and-codes CSV (repeat for more)."
        )
        parser.add_argument(
            "--effective-from", type=date.fromisoformat, default=None, help="First day in force (default today)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        paths = [options["extract"], *options["names"]]
        missing = [str(path) for path in paths if not path.is_file()]
        if missing:
            raise CommandError(f"No such file: {', '.join(missing)}")
        try:
            result = postcode_directory.load_postcode_areas(
                extract=options["extract"],
                names=postcode_directory.read_names(options["names"]),
                effective_from=options["effective_from"] or timezone.localdate(),
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            f"Postcode districts: {result.added} added, {result.changed} changed (the old row end-dated), "
            f"{result.unchanged} unchanged; {result.straddling} straddled a boundary (most postcodes decided); "
            f"{result.terminated} terminated postcodes left out."
        )
