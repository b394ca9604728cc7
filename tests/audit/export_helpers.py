"""Reading exports back, as an auditor's reader would: the text of each PDF page, and the CSV rows."""

from __future__ import annotations

import csv
import io

from pypdf import PdfReader

from audit.models import ExportFile, ExportJob


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages]


def file_of(job: ExportJob, fmt: str) -> bytes:
    return bytes(ExportFile.objects.get(job=job, format=fmt).content)


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
