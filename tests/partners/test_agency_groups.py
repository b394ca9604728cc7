from __future__ import annotations

from django.contrib.auth.models import Group

from partners import services
from partners.models import Role
from tests.base import BaseTestCase


class AgencyGroupsTestCase(BaseTestCase):
    def test_each_agency_has_its_own_group_with_its_users(self) -> None:
        council_group = Group.objects.get(agency=self.council)
        self.assertEqual(council_group.name, "agency:tc")
        self.assertEqual(
            set(council_group.user_set.values_list("username", flat=True)),
            {"casey", "charlie", "audrey", "ada"},
        )
        self.assertEqual(list(Group.objects.get(agency=self.health).user_set.all()), [self.harper])

    def test_moving_a_user_moves_their_group(self) -> None:
        services.save_user(
            username="harper",
            agency=self.council,
            role=Role.PANEL_MEMBER,
            first_name="Harper",
            last_name="Moved",
            email="harper@example.org",
        )
        self.harper.refresh_from_db()
        self.assertEqual(
            list(self.harper.groups.filter(name__startswith="agency:").values_list("name", flat=True)),
            ["agency:tc"],
        )
        self.assertFalse(Group.objects.get(agency=self.health).user_set.exists())

    def test_renaming_an_agency_code_renames_its_group(self) -> None:
        group_pk = Group.objects.get(agency=self.health).pk
        agency = services.save_agency(name="Testshire Health", code="th", kind=self.health.kind)
        agency.code = "th2"
        agency.save()
        services.sync_agency_group(agency=agency)
        self.assertEqual(Group.objects.get(pk=group_pk).name, "agency:th2")

    def test_only_administrators_are_staff(self) -> None:
        self.assertTrue(self.ada.is_staff)
        self.assertTrue(self.ada.has_perm("partners.change_agency"))
        self.assertFalse(self.casey.is_staff)
        self.assertFalse(self.casey.has_perm("partners.change_agency"))
        self.assertFalse(self.ada.has_perm("auth.change_group"))
