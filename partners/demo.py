"""Demo agencies and personas. Every name here is synthetic."""

from __future__ import annotations

from dataclasses import dataclass

from partners import services
from partners.models import Agency, AgencyKind, Role, User

DEMO_AREA = "Northgate"

AGENCIES = [
    # code, name, kind, local authority area, police force area
    ("ncc", "Northgate City Council", AgencyKind.LOCAL_AUTHORITY, DEMO_AREA, ""),
    ("ngp", "Northgate Police", AgencyKind.POLICE, "", DEMO_AREA),
    ("nht", "Northgate Health Trust", AgencyKind.HEALTH, "", ""),
    ("nat", "Northgate Academies Trust", AgencyKind.EDUCATION, "", ""),
    ("ncs", "Northgate Children's Services", AgencyKind.CHILDRENS_SOCIAL_CARE, "", ""),
    ("bwm", "Bridgeway Mentoring", AgencyKind.INTERVENTION_PROVIDER, "", ""),
    ("smb", "Southmere Borough Council", AgencyKind.LOCAL_AUTHORITY, "Southmere", ""),
    ("smp", "Southmere Police", AgencyKind.POLICE, "", "Southmere"),
]


@dataclass(frozen=True)
class Persona:
    username: str
    first_name: str
    last_name: str
    agency_code: str
    role: Role


PERSONAS = [
    Persona("coordinator", "Casey", "Coordinator", "ncc", Role.PREVENT_COORDINATOR),
    Persona("chair", "Charlie", "Chair", "ncc", Role.PANEL_CHAIR),
    Persona("police", "Pat", "Constable", "ngp", Role.POLICE_PRACTITIONER),
    Persona("health", "Harper", "Healthworth", "nht", Role.PANEL_MEMBER),
    Persona("education", "Eden", "Schoolfield", "nat", Role.PANEL_MEMBER),
    Persona("social-care", "Sasha", "Carewell", "ncs", Role.PANEL_MEMBER),
    Persona("provider", "Ivy", "Mentorly", "bwm", Role.INTERVENTION_PROVIDER),
    Persona("auditor", "Audrey", "Ledger", "ncc", Role.AUDITOR),
    Persona("admin", "Ada", "Adminson", "ncc", Role.ADMINISTRATOR),
    Persona("southmere-coordinator", "Sol", "Southby", "smb", Role.PREVENT_COORDINATOR),
]


def seed_people(*, password: str) -> list[User]:
    """Create or refresh the demo agencies and personas; returns the personas in PERSONAS order."""
    agencies: dict[str, Agency] = {}
    for code, name, kind, la_area, force_area in AGENCIES:
        agencies[code] = services.save_agency(
            code=code, name=name, kind=kind, local_authority_area=la_area, police_force_area=force_area
        )
    return [
        services.save_user(
            username=p.username,
            agency=agencies[p.agency_code],
            role=p.role,
            first_name=p.first_name,
            last_name=p.last_name,
            email=f"{p.username}@{p.agency_code}.example.org",
            password=password,
        )
        for p in PERSONAS
    ]
