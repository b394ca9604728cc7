"""Every view reaches cases through sharing/access.py: no view looks a case up any other way."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = re.compile(r"\bCase\.objects\b|get_object_or_404\(\s*Case\b")


def view_modules() -> list[Path]:
    """Each app's views.py, view modules beside it (name ending in views.py), and every module of a
    views package (cases/views/*.py)."""
    return sorted({*ROOT.glob("*/*views.py"), *ROOT.glob("*/views/**/*.py")})


def test_no_view_looks_cases_up_directly() -> None:
    views = view_modules()
    assert any(p.parent.name == "views" and p.parent.parent.name == "cases" for p in views), (
        "the pattern no longer finds the case views"
    )
    offenders = []
    for path in views:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if FORBIDDEN.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []
