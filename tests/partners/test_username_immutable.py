"""A username never changes once the account exists (audit entries name people by it): the database
refuses the UPDATE, whatever path it comes by."""

from __future__ import annotations

from django.db import DatabaseError, transaction

from partners.models import User
from tests.base import BaseTestCase


class UsernameImmutableTestCase(BaseTestCase):
    def test_the_database_refuses_a_rename(self) -> None:
        with self.assertRaises(DatabaseError), transaction.atomic():
            User.objects.filter(pk=self.harper.pk).update(username="harper-renamed")
        self.assertEqual(User.objects.get(pk=self.harper.pk).username, "harper")

    def test_other_fields_still_change(self) -> None:
        User.objects.filter(pk=self.harper.pk).update(last_name="Changed", username="harper")
        self.assertEqual(User.objects.get(pk=self.harper.pk).last_name, "Changed")
