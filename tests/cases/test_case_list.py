from __future__ import annotations

from audit.digests import text_digest
from audit.models import AuditEntry
from cases.models import Case
from tests.base import BaseTestCase
from tests.factories import make_case


class CaseListTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.mine = make_case(owner=self.casey, first_name="Alder", last_name="Listcase")
        self.theirs = make_case(owner=self.olly, force_area="Otherton", first_name="Birch", last_name="Hidden")

    def test_the_coordinator_sees_own_councils_cases_only(self) -> None:
        self.client.force_login(self.casey)
        response = self.client.get("/cases/")
        self.assertEqual([c.number for c in response.context["cases"]], [self.mine.number])
        self.assertContains(response, "Alder Listcase")
        self.assertNotContains(response, "Birch")

    def test_police_see_cases_in_their_force_area(self) -> None:
        self.client.force_login(self.pat)
        self.assertEqual([c.number for c in self.client.get("/cases/").context["cases"]], [self.mine.number])

    def test_partners_without_grants_and_auditors_see_none(self) -> None:
        for user in (self.harper, self.audrey, self.ada):
            self.client.force_login(user)
            self.assertEqual(list(self.client.get("/cases/").context["cases"]), [], user.username)

    def test_search_by_reference_and_by_name(self) -> None:
        self.client.force_login(self.casey)
        self.assertEqual(len(self.client.get(f"/cases/?q={self.mine.number}").context["cases"]), 1)
        self.assertEqual(len(self.client.get("/cases/?q=alder").context["cases"]), 1)
        self.assertEqual(len(self.client.get("/cases/?q=birch").context["cases"]), 0)

    def test_stage_filter(self) -> None:
        self.client.force_login(self.casey)
        self.assertEqual(len(self.client.get("/cases/?stage=received").context["cases"]), 1)
        self.assertEqual(len(self.client.get("/cases/?stage=adopted").context["cases"]), 0)

    def test_the_list_records_what_it_showed_and_the_search_terms(self) -> None:
        self.client.force_login(self.casey)
        self.client.get("/cases/?q=alder&stage=received")
        entry = AuditEntry.objects.filter(event="case.listed").latest("id")
        self.assertEqual(entry.actor, self.casey)
        self.assertEqual(entry.additional_data["shown"], [self.mine.number])
        # The choice as it is; the typed search only as its digest, the text kept beside the log.
        self.assertEqual(entry.additional_data["filters"], {"stage": "received"})
        self.assertEqual(entry.additional_data["texts"], {"q": text_digest("alder")})
        self.assertEqual(entry.texts.get().text, "alder")
        self.assertNotIn("Alder", entry.object_repr)

    def test_query_count_is_pinned_and_does_not_grow(self) -> None:
        self.client.force_login(self.casey)
        self.client.get("/cases/")
        for total in (2, 30):
            while Case.objects.filter(owning_agency=self.council).count() < total:
                make_case(owner=self.casey)
            # 1 session, 2 user with agency, 3 count, 4 the page's 25 case ids joined to subject and concern,
            # 5-7 the audit entry in its savepoint, 8 concern types for the filter.
            with self.assertNumQueries(8):
                self.client.get("/cases/")
