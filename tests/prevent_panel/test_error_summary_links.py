"""Every link in every error summary focuses a control (issue 15 finding 3).

Forms are found by crawling every URL pattern (tests/url_crawl.py) as each demo persona, so forms added
later are checked too. Each `<form method=post>` is sent empty (its csrf token and hidden inputs kept), and
each link in the page's GOV.UK error summary must name an element on that page that a person can type in or
choose: an `input`, `select` or `textarea`, never the `<div>` of a date or the fieldset of radios. A date's
link lands on its Day box (the first part), a group of radios or checkboxes on its first option.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.core.management import call_command
from django.test import TestCase

from cases.vaf import FACTORS
from partners.demo import PERSONAS
from partners.models import User
from tests.clients import VerifiedClient
from tests.prevent_panel.test_form_fuzz import UUID
from tests.url_crawl import routes

# Forms whose submission would end the crawl's session rather than show errors.
SKIP_ACTIONS = {"/sign-out/", "/admin/logout/"}
CONTROLS = {"input", "select", "textarea"}


@dataclass
class PostForm:
    action: str
    hidden: dict[str, str] = field(default_factory=dict)


class Page(HTMLParser):
    """What the check needs from a page: its POST forms, each element's tag by id, the controls of each date
    input in order, and the links of the error summary."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[PostForm] = []
        self.tags: dict[str, str] = {}
        self.date_parts: dict[str, list[str]] = {}  # date input id → its boxes' ids
        self.summary_links: list[tuple[str, str]] = []  # (href, text)
        self._form: PostForm | None = None
        self._divs: list[str] = []  # "date:<id>", "summary" or "" for each open <div>
        self._link: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        if attr.get("id"):
            self.tags[attr["id"]] = tag
        classes = attr.get("class", "").split()
        if tag == "div":
            if "govuk-date-input" in classes:
                self._divs.append(f"date:{attr.get('id', '')}")
                self.date_parts[attr.get("id", "")] = []
            elif "govuk-error-summary" in classes:
                self._divs.append("summary")
            else:
                self._divs.append("")
        elif tag == "form" and attr.get("method", "get").lower() == "post":
            self._form = PostForm(action=attr.get("action", ""))
        elif tag == "input":
            if self._form is not None and attr.get("type") == "hidden" and attr.get("name"):
                self._form.hidden[attr["name"]] = attr.get("value", "")
            dates = [d for d in self._divs if d.startswith("date:")]
            if dates and attr.get("id"):
                self.date_parts[dates[-1][5:]].append(attr["id"])
        elif tag == "a" and "summary" in self._divs:
            self._link = attr.get("href", "")
            self._text = ""

    def handle_data(self, data: str) -> None:
        if self._link is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self._divs:
            self._divs.pop()
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "a" and self._link is not None:
            self.summary_links.append((self._link, " ".join(self._text.split())))
            self._link = None


def parse(body: bytes) -> Page:
    page = Page()
    page.feed(body.decode(errors="replace"))
    return page


class ErrorSummaryLinksTestCase(TestCase):
    client_class = VerifiedClient
    client: VerifiedClient

    @classmethod
    def setUpTestData(cls) -> None:
        call_command("seed_demo", stdout=io.StringIO())

    def test_every_error_summary_link_on_every_form_focuses_its_control(self) -> None:
        urls = [url for route in routes() for url in route.urls[:2]]
        seen: set[tuple[str, tuple[str, ...]]] = set()
        checked: dict[str, str] = {}  # link id → where it was found
        problems: list[str] = []
        for persona in PERSONAS:
            self.client.logout()
            self.client.force_login(User.objects.get(username=persona.username))
            for url in urls:
                response = self.client.get(url)
                if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
                    continue
                for form in parse(response.content).forms:
                    action = urlsplit(urljoin(url, form.action or url)).path
                    key = (UUID.sub("<uuid>", action), tuple(sorted(form.hidden)))
                    if action in SKIP_ACTIONS or key in seen:
                        continue
                    seen.add(key)
                    answer = self.client.post(action, form.hidden)
                    if not answer.get("Content-Type", "").startswith("text/html"):
                        continue
                    page = parse(answer.content)
                    for href, text in page.summary_links:
                        where = f"{persona.username}: empty POST {action} → {text!r} ({href})"
                        target = href.removeprefix("#")
                        checked[target] = where
                        tag = page.tags.get(target)
                        if not href.startswith("#") or tag not in CONTROLS:
                            problems.append(f"{where} lands on {tag or 'nothing'}")
                        for parts in page.date_parts.values():
                            if target in parts and target != parts[0]:
                                problems.append(f"{where} lands on a date's {target}, not its Day box")
        self.assertEqual(problems, [])
        # The crawl must reach the links issue 15 found broken, or it is not testing anything.
        expected = {
            "id_gender_1",  # the referral's radios
            "id_immediate_risk_1",
            "id_date_of_birth_0",  # dates: the Day box
            "id_starts_on_0",
            "id_due_on_0",
            "id_until_0",
            "id_level_1",  # a share's level and legal basis
            "id_legal_basis_1",
            *(f"id_rating_{code}_1" for code, _, _ in FACTORS),  # every factor of the assessment
        }
        self.assertEqual(expected - set(checked), set(), f"checked: {sorted(checked)}")
