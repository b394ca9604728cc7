"""Reading exports back, as an auditor's reader would: the text of each PDF page, and the CSV rows."""

from __future__ import annotations

import csv
import io

from django.test import override_settings
from pypdf import PdfReader

from audit import jobs
from audit.models import ExportFile, ExportJob


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages]


def file_of(job: ExportJob, fmt: str) -> bytes:
    return bytes(ExportFile.objects.get(job=job, format=fmt).content)


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def run_queued_exports() -> int:
    """Build the export jobs waiting for a worker, as the embedded default's background process does
    (`manage.py run_periodic`). With a broker configured that process builds nothing: the tests'
    in-process Celery has built them on commit already, as the pdf worker would."""
    return 0 if jobs.has_workers() else jobs.run_waiting()


# The broker path: jobs are sent to the pdf queue, which the tests' in-process Celery runs at once.
WITH_A_BROKER = override_settings(CELERY_BROKER_URL="redis://127.0.0.1:6379/0")
