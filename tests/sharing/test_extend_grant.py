"""extend_grant and the extend page: a grant in force ends later; ended and revoked grants and an end
that is not later are refused; every extension is audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEntry, Outcome
from sharing import services
from sharing.access import visible_cases
from sharing.models import Level, ShareGrant
from tests.base import BaseTestCase
from tests.factories import make_case
from tests.sharing.grant_helpers import (
    audit_mark,
    date_fields,
    end_now,
    end_of_day,
    entries_since,
    share,
    written_since,
)


class ExtendGrantTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.case = make_case(owner=self.casey, first_name="Aspen", last_name="Extendcase")
        self.grant = share(self.case, actor=self.casey, agency=self.health, level=Level.FULL, days=7)
        self.first_end = self.grant.ends_at

    def url(self, path: str = "") -> str:
        return f"/cases/{self.case.reference}/{path}"

    def extend_url(self, grant: ShareGrant | None = None) -> str:
        return self.url(f"sharing/{(grant or self.grant).reference}/extend/")

    def post_extend(self, user: Any, days_from_today: int) -> Any:
        self.client.force_login(user)
        until = timezone.localdate() + timedelta(days=days_from_today)
        return self.client.post(self.extend_url(), date_fields("until", until))

    # --- the service ----------------------------------------------------------------------------

    def test_extending_moves_the_end_later_and_access_lasts_until_the_new_end(self) -> None:
        new_end = self.first_end + timedelta(days=30)

        grant = services.extend_grant(grant=self.grant, actor=self.casey, ends_at=new_end)

        self.assertEqual(grant.ends_at, new_end)
        self.assertEqual(ShareGrant.objects.get(pk=self.grant.pk).ends_at, new_end)
        with mock.patch("django.utils.timezone.now", return_value=self.first_end + timedelta(days=1)):
            self.assertIn(self.case, visible_cases(self.harper))
        with mock.patch("django.utils.timezone.now", return_value=new_end):
            self.assertNotIn(self.case, visible_cases(self.harper))

    def test_an_ended_grant_cannot_be_extended(self) -> None:
        ended = end_now(self.grant)
        with self.assertRaisesMessage(ValidationError, "Only sharing that is still in force can be extended"):
            services.extend_grant(grant=ended, actor=self.casey, ends_at=timezone.now() + timedelta(days=30))
        ended.refresh_from_db()
        self.assertLess(ended.ends_at, timezone.now())
        self.assertNotIn(self.case, visible_cases(self.harper))

    def test_a_revoked_grant_cannot_be_extended(self) -> None:
        services.revoke_grant(grant=self.grant, actor=self.casey)
        with self.assertRaisesMessage(ValidationError, "Only sharing that is still in force can be extended"):
            services.extend_grant(grant=self.grant, actor=self.casey, ends_at=self.first_end + timedelta(days=30))
        self.assertEqual(ShareGrant.objects.get(pk=self.grant.pk).ends_at, self.first_end)
        self.assertNotIn(self.case, visible_cases(self.harper))

    def test_a_new_end_that_is_not_later_is_refused(self) -> None:
        for new_end in (self.first_end, self.first_end - timedelta(days=1)):
            with self.assertRaisesMessage(ValidationError, "The new end must be later than the current one."):
                services.extend_grant(grant=self.grant, actor=self.casey, ends_at=new_end)
        self.assertEqual(ShareGrant.objects.get(pk=self.grant.pk).ends_at, self.first_end)
        self.assertFalse(AuditEntry.objects.filter(event="sharing.extended").exists())

    def test_an_extension_is_audited_with_the_old_and_the_new_end(self) -> None:
        new_end = self.first_end + timedelta(days=30)
        mark = audit_mark()

        services.extend_grant(grant=self.grant, actor=self.charlie, ends_at=new_end)

        (entry,) = entries_since(mark)
        self.assertEqual((entry.event, entry.outcome), ("sharing.extended", Outcome.ALLOWED))
        self.assertEqual(entry.actor, self.charlie)
        self.assertEqual(entry.case_reference, self.case.number)
        self.assertEqual(
            entry.additional_data,
            {"grant": str(self.grant.reference), "from": self.first_end.isoformat(), "until": new_end.isoformat()},
        )

    # --- the extend page ------------------------------------------------------------------------

    def test_the_owner_extends_through_the_page(self) -> None:
        self.client.force_login(self.casey)
        form = self.client.get(self.extend_url())
        self.assertContains(form, "Extend the sharing")
        self.assertContains(form, 'name="until_0"')
        mark = audit_mark()

        response = self.post_extend(self.casey, 40)

        self.assertRedirects(response, self.url("sharing/"), fetch_redirect_response=False)
        self.grant.refresh_from_db()
        self.assertEqual(self.grant.ends_at, end_of_day(timezone.localdate() + timedelta(days=40)))
        self.assertEqual(written_since(mark), [("case.share", Outcome.ALLOWED), ("sharing.extended", Outcome.ALLOWED)])
        extended = AuditEntry.objects.get(event="sharing.extended")
        self.assertEqual((extended.method, extended.path), ("POST", self.extend_url()))

    def test_the_page_refuses_an_end_that_is_not_later(self) -> None:
        mark = audit_mark()
        response = self.post_extend(self.casey, 2)
        self.assertContains(response, "The new end must be later than the current one.", status_code=400)
        self.assertEqual(ShareGrant.objects.get(pk=self.grant.pk).ends_at, self.first_end)
        self.assertEqual(written_since(mark), [("case.share", Outcome.ALLOWED)])

    def test_the_page_refuses_a_revoked_grant(self) -> None:
        services.revoke_grant(grant=self.grant, actor=self.casey)
        response = self.post_extend(self.casey, 40)
        self.assertContains(response, "Only sharing that is still in force can be extended", status_code=400)
        self.assertEqual(ShareGrant.objects.get(pk=self.grant.pk).ends_at, self.first_end)

    def test_the_page_refuses_a_missing_date(self) -> None:
        self.client.force_login(self.casey)
        response = self.client.post(self.extend_url(), {"until_0": "", "until_1": "", "until_2": ""})
        self.assertContains(response, "govuk-error-summary", status_code=400)
        self.assertEqual(ShareGrant.objects.get(pk=self.grant.pk).ends_at, self.first_end)

    def test_only_the_owner_may_extend(self) -> None:
        for user, status in ((self.pat, 403), (self.harper, 403), (self.olly, 404), (self.ada, 404)):
            mark = audit_mark()
            response = self.post_extend(user, 40)
            self.assertEqual(response.status_code, status, user.username)
            self.assertEqual(written_since(mark), [("case.share", Outcome.DENIED)], user.username)
        self.assertEqual(ShareGrant.objects.get(pk=self.grant.pk).ends_at, self.first_end)
