"""The work queue (issue 17 part 6): what is due for whom, through the gate; the page each line opens lists
exactly what it counted; the police hear when a referral reaches screening; the daily digest goes to each
person with something due and names no one; the queue's query count does not grow with the cases."""

from __future__ import annotations

from datetime import time, timedelta

from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEntry
from cases.models import Action, Case, PanelMeeting, Review, ReviewKind, Stage, SupportElement
from cases.services import casework, stages, support
from partners.models import Agency, AgencyKind, Role, User
from partners.services import deactivate_user
from sharing import services as sharing_services
from sharing.models import LegalBasis, Level
from sharing.tasks import send_daily_digest
from sharing.todo import Task, things_to_do
from tests.base import BaseTestCase
from tests.cases.helpers import make_case, ref, set_stage
from tests.factories import make_agency, make_user

FIRST, LAST = "Wrenna", "Queuecase"


class QueueTestCase(BaseTestCase):
    provider_agency: Agency
    mentor: User

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.provider_agency = make_agency(kind=AgencyKind.INTERVENTION_PROVIDER, name="Testshire Mentors")
        cls.mentor = make_user(agency=cls.provider_agency, role=Role.INTERVENTION_PROVIDER, username="mentor")

    def setUp(self) -> None:
        self.today = timezone.localdate()
        self.case = make_case(owner=self.casey, first_name=FIRST, last_name=LAST)

    def texts(self, user: User) -> list[str]:
        return [task.text for task in things_to_do(user)]

    def task(self, user: User, starts: str) -> Task:
        found = [task for task in things_to_do(user) if task.text.startswith(starts) or starts in task.text]
        self.assertEqual(len(found), 1, [t.text for t in things_to_do(user)])
        return found[0]

    def action(self, *, case: Case | None = None, owner: User | None = None, days: int = 3) -> Action:
        return casework.add_action(
            case=case or self.case,
            actor=self.casey,
            description=f"Call {FIRST} {LAST}'s school",
            owner_agency=owner.agency if owner else self.council,
            owner_user=owner,
            due_on=self.today + timedelta(days=days),
        )

    def review(self, case: Case, kind: ReviewKind, days: int) -> Review:
        return Review.objects.create(case=case, kind=kind, due_on=self.today + timedelta(days=days))

    def share(self, case: Case, user: User, days: int) -> None:
        sharing_services.grant_access(
            case=case,
            actor=self.casey,
            level=Level.FULL,
            purpose="Synthetic purpose",
            legal_basis=LegalBasis.PUBLIC_TASK,
            ends_at=timezone.now() + timedelta(days=days),
            user=user,
        )

    def meeting(self, days: int) -> PanelMeeting:
        return PanelMeeting.objects.create(
            owning_agency=self.council,
            held_on=self.today + timedelta(days=days),
            starts_at=time(10),
            place="Committee Room 1",
            chair=self.charlie,
            created_by=self.casey,
        )

    def open_page(self, user: User, task: Task) -> list[str]:
        """The page the task links to, for `user`: it lists as many rows as the task counted."""
        self.client.force_login(user)
        response = self.client.get(task.href)
        self.assertEqual(response.status_code, 200)
        rows = response.context["rows"]
        self.assertEqual(len(rows), task.count)
        return [row.label for row in rows]


class PoliceScreeningTests(QueueTestCase):
    def test_the_police_of_the_area_are_told_when_a_referral_reaches_screening(self) -> None:
        other_police = make_user(
            agency=make_agency(kind=AgencyKind.POLICE, police_force_area="Otherton"), role=Role.POLICE_PRACTITIONER
        )
        with self.captureOnCommitCallbacks(execute=True):
            stages.move_case(case=self.case, actor=self.casey, to=Stage.POLICE_SCREENING, reason="Synthetic")
        self.assertEqual([m.to for m in mail.outbox], [[self.pat.email]])
        message = mail.outbox[0]
        self.assertIn(self.case.number, message.subject)
        self.assertIn(f"/cases/{self.case.reference}/", message.body)
        for text in (FIRST, LAST, "Testshire"):
            self.assertNotIn(text, f"{message.subject}\n{message.body}")
        self.assertNotIn(other_police.email, [m.to[0] for m in mail.outbox])

    def test_screening_is_the_polices_work_only(self) -> None:
        set_stage(self.case, Stage.POLICE_SCREENING)
        task = self.task(self.pat, "police screening")
        self.assertEqual(task.count, 1)
        self.assertEqual(task.numbers(), [self.case.number])
        for someone in (self.casey, self.charlie, self.mentor, self.harper):
            self.assertFalse(any("police screening" in t for t in self.texts(someone)), someone.username)


class ActionTests(QueueTestCase):
    def test_a_persons_own_actions_due_soon_and_overdue(self) -> None:
        self.action(owner=self.pat, days=3)
        self.action(owner=self.pat, days=-2)
        self.action(owner=self.pat, days=settings.QUEUE_DUE_SOON_DAYS + 5)  # not yet
        task = self.task(self.pat, "of your actions")
        self.assertEqual(task.text, "2 of your actions due: 1 overdue, 1 in the next 7 days")
        self.assertEqual((task.status, task.colour), ("Overdue", "red"))
        self.assertEqual(self.open_page(self.pat, task), [self.case.number, self.case.number])
        self.assertFalse(any("of your actions" in t for t in self.texts(self.casey)))

    def test_an_action_on_a_case_the_owner_cannot_see_is_not_counted(self) -> None:
        self.action(owner=self.harper, days=1)
        self.assertFalse(any("of your actions" in t for t in self.texts(self.harper)))
        self.share(self.case, self.harper, days=60)
        self.assertEqual(self.task(self.harper, "of your actions").text, "1 of your actions due in the next 7 days")

    def test_the_councils_coordinators_pick_up_actions_no_one_owns(self) -> None:
        self.action(days=-1)
        leaver = make_user(agency=self.council, role=Role.PREVENT_COORDINATOR)
        self.action(owner=leaver, days=4)
        leaver.is_active = False
        leaver.save()
        theirs = make_case(owner=self.olly, force_area="Otherton", postcode="OT1 1AA")
        casework.add_action(
            case=theirs,
            actor=self.olly,
            description="Synthetic",
            owner_agency=self.other_council,
            owner_user=None,
            due_on=self.today,
        )
        task = self.task(self.casey, "with no owner")
        self.assertEqual(task.text, "2 actions with no owner due: 1 overdue, 1 in the next 7 days")
        self.assertEqual(self.open_page(self.casey, task), [self.case.number, self.case.number])
        self.assertFalse(any("no owner" in t for t in self.texts(self.charlie)))
        self.assertEqual(self.task(self.olly, "with no owner").numbers(), [theirs.number])


class ReviewAndConsentTests(QueueTestCase):
    def test_reviews_and_reassessments_due_for_the_owners_coordinators(self) -> None:
        self.review(self.case, ReviewKind.IN_PROGRAMME, 10)
        self.review(self.case, ReviewKind.POST_EXIT_6, -3)
        self.review(self.case, ReviewKind.IN_PROGRAMME, 45)  # beyond REVIEW_DUE_DAYS
        self.review(self.case, ReviewKind.REASSESSMENT, 5)
        reviews = self.task(self.casey, "review")
        self.assertEqual(reviews.text, "2 reviews due: 1 overdue, 1 in the next 30 days")
        self.assertEqual(self.open_page(self.casey, reviews), [self.case.number] * 2)
        reassessments = self.task(self.casey, "re-assessment")
        self.assertEqual(reassessments.text, "1 re-assessment due in the next 30 days")
        self.assertEqual(self.open_page(self.casey, reassessments), [self.case.number])
        for someone in (self.charlie, self.pat, self.olly, self.mentor):
            self.assertFalse(any("review" in t or "re-assessment" in t for t in self.texts(someone)), someone)

    def test_stalled_support_per_element_for_the_owners_coordinators(self) -> None:
        set_stage(self.case, Stage.SUPPORT_ACTIVE)
        days = settings.STALLED_SUPPORT_DAYS

        def element(started_days_ago: int) -> SupportElement:
            return casework.add_support_element(
                case=self.case,
                actor=self.casey,
                support_type=ref("support_type", "ideological_mentoring"),
                provider=self.provider_agency,
                provider_user=self.mentor,
                how="Weekly sessions",
                when="Weekly",
                starts_on=self.today - timedelta(days=started_days_ago),
            )

        stalled = element(days + 10)
        recent = element(days + 10)
        support.record_session(element=recent, actor=self.mentor, held_on=self.today, attended=True, note="")
        element(2)  # too new to have stalled
        task = self.task(self.casey, "no session")
        self.assertEqual(task.text, f"1 support element with no session in the last {days} days")
        self.assertEqual(self.open_page(self.casey, task), [self.case.number])
        self.assertIn(f"no session since {stalled.starts_on:%-d %B %Y}", self.client.get(task.href).content.decode())
        for someone in (self.charlie, self.pat, self.olly, self.mentor):
            self.assertFalse(any("no session" in t for t in self.texts(someone)), someone)

    def test_consent_not_yet_sought(self) -> None:
        set_stage(self.case, Stage.ADOPTED)
        task = self.task(self.casey, "without consent")
        self.assertEqual(task.text, "1 adopted case without consent sought or recorded")
        self.assertEqual(self.open_page(self.casey, task), [self.case.number])
        self.assertIn("No plan yet for asking consent", self.client.get(task.href).content.decode())
        self.assertFalse(any("consent" in t for t in self.texts(self.olly)))
        self.assertFalse(any("consent" in t for t in self.texts(self.pat)))


class GrantAndMeetingTests(QueueTestCase):
    def test_grants_about_to_expire_for_holders_and_sharers(self) -> None:
        self.share(self.case, self.harper, days=3)
        later = make_case(owner=self.casey)
        self.share(later, self.harper, days=60)
        mine = self.task(self.harper, "Your access")
        self.assertEqual(mine.text, "Your access to 1 case ends in the next 7 days")
        self.assertEqual(self.open_page(self.harper, mine), [self.case.number])
        theirs = self.task(self.casey, "grant of access")
        self.assertEqual(theirs.text, "1 grant of access to cases you share ends in the next 7 days")
        self.assertEqual(self.open_page(self.casey, theirs), [self.case.number])
        self.assertFalse(any("grant" in t for t in self.texts(self.olly)))

    def test_meeting_preparation_for_the_chair_and_coordinators(self) -> None:
        self.meeting(5)
        self.meeting(settings.QUEUE_MEETING_DAYS + 10)  # not yet
        for organiser in (self.casey, self.charlie):
            task = self.task(organiser, "agenda not circulated")
            self.assertEqual(task.text, "1 panel meeting in the next 14 days with the agenda not circulated")
            self.assertEqual(len(self.open_page(organiser, task)), 1)
        for someone in (self.pat, self.olly, self.harper):
            self.assertFalse(any("not circulated" in t for t in self.texts(someone)), someone)


class QueuePageTests(QueueTestCase):
    def test_the_page_is_audited_refused_to_other_roles_and_unknown_lists_are_missing(self) -> None:
        self.review(self.case, ReviewKind.IN_PROGRAMME, 3)
        self.client.force_login(self.casey)
        self.assertEqual(self.client.get("/sharing/queue/reviews/").status_code, 200)
        entry = AuditEntry.objects.filter(event="sharing.queue_listed").latest("pk")
        self.assertEqual(entry.actor_id, self.casey.pk)
        self.client.force_login(self.pat)
        self.assertEqual(self.client.get("/sharing/queue/reviews/").status_code, 403)
        self.assertTrue(AuditEntry.objects.filter(actor=self.pat, event__endswith=".denied").exists())
        self.assertEqual(self.client.get("/sharing/queue/no-such-list/").status_code, 404)

    def test_the_home_page_shows_the_queue_as_a_task_list(self) -> None:
        self.action(owner=self.casey, days=-1)
        self.client.force_login(self.casey)
        page = self.client.get("/").content.decode()
        self.assertIn('class="govuk-task-list', page)
        self.assertIn("1 of your actions overdue", page)
        self.assertIn('<strong class="govuk-tag govuk-tag--red">Overdue</strong>', page)
        self.client.force_login(self.ada)
        self.assertIn("Nothing to do.", self.client.get("/").content.decode())


class DigestTests(QueueTestCase):
    def test_each_person_with_something_due_gets_one_email_naming_no_one(self) -> None:
        set_stage(self.case, Stage.POLICE_SCREENING)
        adopted = make_case(owner=self.casey, first_name="Thistle", last_name="Digestcase")
        set_stage(adopted, Stage.ADOPTED)
        self.action(case=adopted, owner=self.harper, days=-4)
        self.share(adopted, self.harper, days=2)
        self.meeting(3)
        sent = send_daily_digest()
        by_person = {m.to[0]: m for m in mail.outbox}
        self.assertEqual(len(mail.outbox), sent)
        self.assertEqual(len(by_person), sent, "one email each")
        self.assertEqual(set(by_person), {self.casey.email, self.charlie.email, self.pat.email, self.harper.email})
        self.assertIn(f"referral waiting for police screening: {self.case.number}", by_person[self.pat.email].body)
        self.assertIn(f"1 of your actions overdue: {adopted.number}", by_person[self.harper.email].body)
        self.assertIn(
            f"Your access to 1 case ends in the next 7 days: {adopted.number}", by_person[self.harper.email].body
        )
        self.assertIn("without consent sought or recorded", by_person[self.casey.email].body)
        self.assertIn("agenda not circulated", by_person[self.charlie.email].body)
        for message in mail.outbox:
            text = f"{message.subject}\n{message.body}"
            self.assertIn(f"{settings.SITE_URL}/", message.body)
            for name in (FIRST, LAST, "Thistle", "Digestcase", "school", "Harper", "Casey"):
                self.assertNotIn(name, text)

    def test_nothing_is_sent_to_those_with_nothing_due(self) -> None:
        self.assertTrue(self.texts(self.casey), "a new referral is waiting for the coordinator")
        set_stage(self.case, Stage.CLOSED)
        self.action(owner=self.pat, days=settings.QUEUE_DUE_SOON_DAYS + 1)
        self.assertEqual(send_daily_digest(), 0)
        self.assertEqual(mail.outbox, [])

    def test_the_digest_replaces_the_overdue_actions_email_on_beat_and_in_the_embedded_default(self) -> None:
        from prevent_panel.celery import app
        from prevent_panel.management.commands.run_periodic import jobs_from_beat_schedule

        tasks = {spec["task"] for spec in settings.CELERY_BEAT_SCHEDULE.values()}
        self.assertIn("sharing.send_daily_digest", tasks)
        self.assertNotIn("cases.notify_overdue_actions", tasks)
        jobs = {job.task.name for job in jobs_from_beat_schedule(app.now())}
        self.assertIn("sharing.send_daily_digest", jobs)


class DigestActionTests(QueueTestCase):
    """The digest replaced the overdue-actions email: what that email promised, it keeps."""

    def setUp(self) -> None:
        super().setUp()
        set_stage(self.case, Stage.CLOSED)  # nothing else waiting for the coordinator

    def sent(self) -> dict[str, str]:
        send_daily_digest()
        return {message.to[0]: str(message.body) for message in mail.outbox}

    def test_without_an_owner_the_councils_active_coordinators_with_an_email_hear(self) -> None:
        make_user(agency=self.council, role=Role.PREVENT_COORDINATOR, email="")
        deactivate_user(user=make_user(agency=self.council, role=Role.PREVENT_COORDINATOR))
        second = make_user(agency=self.council, role=Role.PREVENT_COORDINATOR)
        self.action(days=-3)
        sent = self.sent()
        # Not the chair, not another council's coordinator, not the inactive or email-less coordinator.
        self.assertEqual(set(sent), {self.casey.email, second.email})
        for body in sent.values():
            self.assertIn(f"1 action with no owner overdue: {self.case.number}", body)

    def test_a_deactivated_owners_actions_go_to_the_coordinators(self) -> None:
        leaver = make_user(agency=self.police_force, role=Role.POLICE_PRACTITIONER)
        self.action(owner=leaver, days=-3)
        deactivate_user(user=leaver)
        self.assertEqual(set(self.sent()), {self.casey.email})

    def test_done_actions_and_those_due_later_are_not_mentioned(self) -> None:
        done = self.action(owner=self.pat, days=-2)
        casework.complete_action(action=done, actor=self.pat)
        self.action(owner=self.pat, days=settings.QUEUE_DUE_SOON_DAYS + 1)
        self.assertEqual(self.sent(), {})


class QueryCountTests(QueueTestCase):
    def queries(self, user: User) -> int:
        with CaptureQueriesContext(connection) as captured:
            tasks = things_to_do(user)
        self.assertTrue(tasks)
        return len(captured)

    def add_work(self) -> None:
        case = make_case(owner=self.casey)
        self.action(case=case, days=-1)
        self.action(case=case, owner=self.pat, days=1)
        self.review(case, ReviewKind.IN_PROGRAMME, 4)
        self.share(case, self.harper, days=2)
        set_stage(case, Stage.POLICE_SCREENING)

    def test_the_queue_costs_the_same_however_many_cases(self) -> None:
        self.meeting(4)
        self.add_work()
        people = {"coordinator": self.casey, "chair": self.charlie, "police": self.pat}
        before = {name: self.queries(user) for name, user in people.items()}
        for _ in range(4):
            self.add_work()
        after = {name: self.queries(user) for name, user in people.items()}
        self.assertEqual(before, after)
        # Pinned: one count per line of the queue the role has (the next meeting two: the meeting, then its
        # agenda), whatever the number of cases. Coordinator: new referrals, own and unowned actions, cases
        # with overdue actions, reviews, re-assessments, stalled support, consent, requests, grants ending,
        # own access ending, meetings to prepare, the next meeting. Chair: own actions, overdue, requests,
        # grants, own access, meetings to prepare, the next meeting. Police: escalations, screening, own
        # actions, overdue, own access, the next meeting (none).
        self.assertEqual(after, {"coordinator": 14, "chair": 8, "police": 6})
