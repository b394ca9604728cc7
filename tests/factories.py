"""Plain builder functions for test data. Synthetic names only."""

from __future__ import annotations

import itertools
from typing import Any

from partners import services
from partners.models import Agency, AgencyKind, Role, User

PASSWORD = "correct-horse-battery-staple-42"
_counter = itertools.count(1)


def make_agency(*, kind: AgencyKind = AgencyKind.LOCAL_AUTHORITY, **overrides: Any) -> Agency:
    n = next(_counter)
    fields: dict[str, Any] = {
        "name": f"Test Agency {n}",
        "code": f"test-{n}",
        "kind": kind,
        "local_authority_area": "Testshire" if kind == AgencyKind.LOCAL_AUTHORITY else "",
        "police_force_area": "Testshire" if kind == AgencyKind.POLICE else "",
    }
    fields.update(overrides)
    return services.save_agency(**fields)


def make_user(*, agency: Agency, role: Role = Role.PANEL_MEMBER, **overrides: Any) -> User:
    n = next(_counter)
    fields: dict[str, Any] = {
        "username": f"user-{n}",
        "first_name": "Test",
        "last_name": f"Person {n}",
        "email": f"user-{n}@example.org",
        "password": PASSWORD,
    }
    fields.update(overrides)
    return services.save_user(agency=agency, role=role, **fields)
