"""lib.csv: a cell a spreadsheet would run as a formula is written as text; everything else as it is."""

from __future__ import annotations

import csv
import io

from django.test import SimpleTestCase

from lib.csv import csv_bytes, safe_cell


def read(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


class SafeCsvTestCase(SimpleTestCase):
    def test_it_neutralises_every_formula_start(self) -> None:
        for value in ('=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1"):
            self.assertEqual(safe_cell(value), "'" + value, repr(value))

    def test_it_leaves_ordinary_values_unchanged(self) -> None:
        for value in ("casey", "PP-2026-00042", "GET /cases/", "a=b", "x-y", "user@example.test", "'quoted", ""):
            self.assertEqual(safe_cell(value), value, repr(value))

    def test_it_writes_none_as_empty_and_numbers_as_text(self) -> None:
        self.assertEqual(safe_cell(None), "")
        self.assertEqual(safe_cell(42), "42")
        self.assertEqual(safe_cell(-5), "'-5")  # a negative number starts with "-" like a formula

    def test_the_file_has_a_bom_a_header_and_neutralised_cells(self) -> None:
        content = csv_bytes(["name", "purpose"], [["casey", "=1+1"], ["pat", 'said "hello", then left']])
        self.assertTrue(content.startswith(b"\xef\xbb\xbf"))  # spreadsheets read the file as UTF-8
        self.assertEqual(read(content), [["name", "purpose"], ["casey", "'=1+1"], ["pat", 'said "hello", then left']])

    def test_a_separator_or_quote_cannot_start_a_cell_inside_another(self) -> None:
        content = csv_bytes(["purpose"], [["a,=1+1"], ['b"\n=1+1']])
        self.assertEqual(read(content), [["purpose"], ["a,=1+1"], ['b"\n=1+1']])
