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


def make_case(
    *,
    owner: User,
    force_area: str = "Testshire",
    age: int = 25,
    first_name: str = "Test",
    last_name: str = "Subject",
    immediate_risk: bool = False,
    **overrides: Any,
) -> Any:
    """A case at stage 'received', referred by `owner` (a council coordinator) through the real service."""
    from datetime import date

    from cases.models import ReferenceValue
    from cases.services import areas, referrals

    today = date.today()
    subject = {
        "first_name": first_name,
        "last_name": last_name,
        "other_names": "",
        "date_of_birth": date(today.year - age, 1, 15),
        "gender": "not_specified",
        "address": "1 Test Street, Testtown",
        "postcode": "TE1 1ST",
    }
    subject.update(overrides.pop("subject", {}))
    # A referral's areas come from the postcode; the test chooses them, as a coordinator may with a reason.
    override = areas.AreaOverride(
        str(subject.pop("local_authority_area", owner.agency.local_authority_area)),
        str(subject.pop("police_force_area", force_area)),
        "Set by the test",
    )
    referral = {
        "source_sector": ReferenceValue.objects.get(list_name="source_sector", code="education"),
        "concern_type": ReferenceValue.objects.get(list_name="concern_type", code="extreme_right_wing"),
        "referrer_name": "A Referrer",
        "referrer_organisation": "Test School",
        "referrer_contact": "01234 567890",
        "concerns": "Synthetic concern text.",
        "immediate_risk": immediate_risk,
    }
    referral.update(overrides)
    return referrals.create_referral(
        actor=owner,
        owning_agency=owner.agency,
        subject_fields=subject,
        referral_fields=referral,
        area_override=override,
    )


def make_postcode_area(*, district: str = "TE1", area: str = "Testshire") -> Any:
    """A postcode district whose people live in `area` (council and police force area alike), in force
    since 2015: referrals take their areas from the postcode (cases.services.areas)."""
    from datetime import date

    from cases.models import PostcodeArea

    return PostcodeArea.objects.create(
        district=district, local_authority_area=area, police_force_area=area, effective_from=date(2015, 4, 1)
    )
