"""Every view reaches cases through sharing/access.py: no view looks a case up any other way."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = re.compile(r"Case\.objects\.(get|filter|all|exclude|select_related)|get_object_or_404\(\s*Case\b")


def test_no_view_looks_cases_up_directly() -> None:
    # views.py, and view modules beside it such as cases/meeting_views.py.
    views = [p for p in ROOT.glob("*/*views.py")] + list(ROOT.glob("*/views/*.py"))
    assert any(p.parent.name == "cases" for p in views), "the pattern no longer finds the case views"
    offenders = []
    for path in views:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if FORBIDDEN.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []
