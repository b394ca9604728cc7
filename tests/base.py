"""Named personas shared by the tests. Every name is synthetic."""

from __future__ import annotations

from datetime import date

from django.test import TestCase, TransactionTestCase

from cases.models import PostcodeArea
from partners.models import Agency, AgencyKind, Role, User
from tests.clients import VerifiedClient
from tests.factories import make_agency, make_user


class BaseTestCase(TestCase):
    # force_login signs in with the second factor too (tests/clients.py).
    client_class = VerifiedClient
    client: VerifiedClient
    council: Agency
    police_force: Agency
    health: Agency
    other_council: Agency
    casey: User
    charlie: User
    pat: User
    harper: User
    olly: User
    audrey: User
    ada: User

    @classmethod
    def setUpTestData(cls) -> None:
        # People with a TE1 postcode live in Testshire, OT1 in Otherton (cases.services.areas).
        for district, area in (("TE1", "Testshire"), ("OT1", "Otherton")):
            PostcodeArea.objects.create(
                district=district, local_authority_area=area, police_force_area=area, effective_from=date(2015, 4, 1)
            )
        cls.council = make_agency(name="Testshire Council", code="tc", local_authority_area="Testshire")
        cls.police_force = make_agency(kind=AgencyKind.POLICE, name="Testshire Police", code="tp")
        cls.health = make_agency(kind=AgencyKind.HEALTH, name="Testshire Health", code="th")
        cls.other_council = make_agency(name="Otherton Council", code="oc", local_authority_area="Otherton")
        # Casey coordinates Prevent for Testshire Council and owns its cases.
        cls.casey = make_user(agency=cls.council, role=Role.PREVENT_COORDINATOR, username="casey", first_name="Casey")
        # Charlie chairs the Testshire panel.
        cls.charlie = make_user(agency=cls.council, role=Role.PANEL_CHAIR, username="charlie", first_name="Charlie")
        # Pat is a police practitioner for the Testshire force area.
        cls.pat = make_user(agency=cls.police_force, role=Role.POLICE_PRACTITIONER, username="pat", first_name="Pat")
        # Harper sits on the panel for health and sees only what is shared with her agency.
        cls.harper = make_user(agency=cls.health, role=Role.PANEL_MEMBER, username="harper", first_name="Harper")
        # Olly coordinates for another council and must never see Testshire's cases.
        cls.olly = make_user(agency=cls.other_council, role=Role.PREVENT_COORDINATOR, username="olly")
        # Audrey audits the log and never sees case content.
        cls.audrey = make_user(agency=cls.council, role=Role.AUDITOR, username="audrey", first_name="Audrey")
        # Ada administers reference data.
        cls.ada = make_user(agency=cls.council, role=Role.ADMINISTRATOR, username="ada", first_name="Ada")


class CommittingTestCase(TransactionTestCase):
    """For tests whose data must really commit (sealing on PostgreSQL seals only finished transactions).

    The append-only triggers stay armed during the test; only the flush that empties the database
    afterwards may purge the audit tables.
    """

    client_class = VerifiedClient
    client: VerifiedClient

    @classmethod
    def _fixture_setup(cls) -> None:
        from tests.conftest import restore_reference_data

        super()._fixture_setup()  # type: ignore[misc]
        restore_reference_data()

    def _fixture_teardown(self) -> None:
        from tests.conftest import _set_purge

        _set_purge(True)
        try:
            super()._fixture_teardown()  # type: ignore[misc]
        finally:
            _set_purge(False)
