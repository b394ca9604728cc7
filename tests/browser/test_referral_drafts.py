"""Issue 15 finding 1 as a coordinator lives it: a long referral typed slowly across the idle warning is
logged, with every keystroke in its field; a session that ends mid-form leaves the typed text on the page,
and signing in again brings the referral back as its draft, to be logged.

The server's limits are shortened (seconds instead of minutes) through settings, which the live server
reads on every request; the page reads them from the server too, so both clocks agree."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from cases.models import Case, ReferralDraft
from cases.services import drafts
from partners.models import AgencyKind, Role, User
from tests.browser.helpers import assert_accessible, fill_referral_details, sign_in
from tests.clients import next_code
from tests.factories import PASSWORD, make_agency, make_postcode_area, make_user

pytestmark = pytest.mark.django_db(transaction=True)

CONCERN = "Synthetic concern typed slowly over several minutes by a coordinator who is thinking"


def people() -> None:
    make_postcode_area(district="TE1", area="Testshire")
    council = make_agency(name="Testshire Council", code="tc", local_authority_area="Testshire")
    make_agency(kind=AgencyKind.POLICE, name="Testshire Police", code="tp", police_force_area="Testshire")
    make_user(agency=council, role=Role.PREVENT_COORDINATOR, username="casey", first_name="Casey")


def fill_all_but_the_concern(page: Page) -> None:
    fill_referral_details(
        page,
        first="Slow",
        last="Typist",
        born=(2, 3, 2009),
        address="4 Synthetic Close",
        postcode="TE1 4EF",
        contact="01234 222222",
    )


def focused_id(page: Page) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def test_a_referral_typed_slowly_across_the_idle_warning_is_logged(live_server, page: Page, settings) -> None:
    # 14 seconds idle, warned 10 seconds before; typing keeps the session alive every 2 seconds.
    settings.SESSION_IDLE_SECONDS = 14
    settings.SESSION_WARNING_SECONDS = 10
    settings.SESSION_KEEP_ALIVE_SECONDS = 2
    settings.REFERRAL_DRAFT_SAVE_SECONDS = 3
    people()
    # An earlier draft of hers is listed, to carry on with or discard.
    earlier = drafts.save_draft(author=User.objects.get(username="casey"), fields={"first_name": "Earlier"})
    sign_in(page, live_server.url, "casey", PASSWORD)
    page.goto(f"{live_server.url}/cases/new/")
    expect(page.locator("main")).to_contain_text("Your draft referrals")
    expect(page.get_by_role("link", name="Discard the draft for Earlier")).to_be_visible()
    assert_accessible(page)
    fill_all_but_the_concern(page)
    concern = page.get_by_label("Why are you concerned?")
    concern.click()

    # The coordinator stops to think: the warning appears, and her cursor stays in the field.
    warning = page.get_by_role("region", name="You are about to be signed out")
    expect(warning).to_be_visible(timeout=15_000)
    expect(concern).to_be_focused()
    expect(page.locator("[data-session-announce]")).to_contain_text("You are about to be signed out")
    assert_accessible(page)

    # She types on, a word at a time, for longer than the idle limit: every keystroke lands in the field,
    # typing keeps her signed in, and the warning goes away.
    for word in CONCERN.split():
        page.keyboard.type(f"{word} ", delay=60)
        page.wait_for_timeout(400)
        assert focused_id(page) == "id_concerns"
    expect(warning).to_be_hidden()
    expect(concern).to_have_value(f"{CONCERN} ")

    page.get_by_role("button", name="Log referral").click()
    expect(page.get_by_role("heading", name="Referral logged")).to_be_visible()
    expect(page.locator("main")).to_contain_text("What happens next")
    assert_accessible(page)
    case = Case.objects.get()
    assert case.referral.concerns == CONCERN
    # The draft the page kept while she typed went when the referral was logged; the earlier one stays.
    assert list(ReferralDraft.objects.values_list("pk", flat=True)) == [earlier.pk]
    page.get_by_role("link", name="Open the case").click()
    expect(page.locator("main")).to_contain_text("No: the referrer said there is no immediate risk of harm")
    page.goto(f"{live_server.url}/cases/drafts/{earlier.reference}/discard/")
    assert_accessible(page)
    page.get_by_role("button", name="Discard the draft").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The draft was discarded")
    assert not ReferralDraft.objects.exists()


def test_a_session_that_ends_mid_form_keeps_the_text_and_returns_as_a_draft(live_server, page: Page, settings) -> None:
    settings.SESSION_IDLE_SECONDS = 10
    settings.SESSION_WARNING_SECONDS = 6
    settings.SESSION_KEEP_ALIVE_SECONDS = 2
    settings.REFERRAL_DRAFT_SAVE_SECONDS = 2
    people()
    sign_in(page, live_server.url, "casey", PASSWORD)
    page.goto(f"{live_server.url}/cases/new/")
    fill_all_but_the_concern(page)
    concern = page.get_by_label("Why are you concerned?")
    concern.click()
    page.keyboard.type(CONCERN)
    expect(page.locator("[data-draft-status]")).to_contain_text("Your draft was saved at", timeout=10_000)
    expect(page).to_have_url(re.compile(r"/cases/new/\?draft="))

    # She is called away with the cursor in the field. The page never reloads: it says she was signed out
    # and leaves everything she typed where it was.
    ended = page.get_by_role("region", name="You have been signed out")
    expect(ended).to_be_visible(timeout=30_000)
    expect(ended).to_contain_text("Your referral was saved as a draft at")
    expect(concern).to_have_value(CONCERN)
    expect(concern).to_be_focused()
    expect(page.get_by_label("First name")).to_have_value("Slow")
    assert_accessible(page)
    # Sending the form now would only lose it on the way to sign-in: the page says so instead.
    page.get_by_role("button", name="Log referral").click()
    expect(ended).to_be_focused()
    expect(concern).to_have_value(CONCERN)
    assert not Case.objects.exists()

    # Signing in again (with the second factor) brings her back to the draft, told why she was signed out.
    settings.SESSION_IDLE_SECONDS = 900
    ended.get_by_role("link", name="Sign in again").click()
    expect(page.locator("main")).to_contain_text("had not used the service for 10 seconds")
    page.get_by_label("Username").fill("casey")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Security code").fill(next_code(User.objects.get(username="casey")))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/cases/new/\?draft="))
    expect(page.locator(".govuk-notification-banner").first).to_contain_text("You were signed out after")
    expect(page.locator("main")).to_contain_text("Your referral was saved as a draft")
    expect(page.get_by_label("Why are you concerned?")).to_have_value(CONCERN)
    expect(page.get_by_label("Last name")).to_have_value("Typist")
    expect(page.get_by_label("Year")).to_have_value("2009")
    assert_accessible(page)

    page.get_by_role("button", name="Log referral").click()
    expect(page.get_by_role("heading", name="Referral logged")).to_be_visible()
    assert Case.objects.get().referral.concerns == CONCERN
    assert not ReferralDraft.objects.exists()
