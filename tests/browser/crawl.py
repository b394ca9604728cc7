"""The crawler behind tests/browser/test_crawl.py: every page a signed-in person reaches by following links.

One visit per page gives the three checks of issue 15's "Done when": axe-core (WCAG 2.2 A/AA) at desktop
width, no sideways scroll of the whole page at desktop width and at 320 px, and the raw HTML kept for one
batch run of the W3C Nu HTML checker. Each POST form whose empty submission must be refused (it has a
visible required field) is submitted empty and the answer is checked the same way.
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, Response, ViewportSize

from tests.browser.helpers import axe_violations

VNU = Path(__file__).resolve().parents[2] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
NARROW: ViewportSize = {"width": 320, "height": 800}
# Pages per persona, and instances of one URL pattern per persona: the second case page says nothing the
# first did not, and the whole crawl must stay within a few minutes.
MAX_PAGES = 60
PER_PATTERN = 1
# Never followed: signing out ends the crawl's session; files are not pages; the passkey endpoints are
# JSON for the browser's WebAuthn calls; Django's admin answers its own forms with 200, not 400.
SKIP_PREFIXES = ("/sign-out/", "/static/", "/admin/logout/", "/account/passkeys/webauthn/")
SKIP_SUFFIXES = (".pdf", ".csv", ".svg", ".ico", ".png", ".js", ".css")
NO_EMPTY_SUBMIT_PREFIXES = ("/admin/",)

# The forms on the page whose empty submission must be refused: POST, with a required field a person sees.
REFUSABLE_FORMS = """() => Array.from(document.forms).flatMap((form, index) =>
  form.method === "post" && Array.from(form.elements).some(
    e => e.required && e.type !== "hidden" && e.getClientRects().length > 0) ? [index] : [])"""
# Empties every field a person could fill (the CSRF token and other hidden fields stay) and submits with the
# form's first submit button, past the browser's own validation as a person with novalidate forms would.
SUBMIT_EMPTY = """index => {
  const form = document.forms[index];
  for (const e of form.elements) {
    if (["hidden", "submit", "button", "reset"].includes(e.type)) continue;
    if (e.type === "checkbox" || e.type === "radio") e.checked = false;
    else if (e.tagName === "SELECT") e.selectedIndex = Array.from(e.options).findIndex(o => o.value === "");
    else e.value = "";
  }
  form.noValidate = true;
  form.requestSubmit(form.querySelector("button[type=submit], button:not([type]), input[type=submit]"));
}"""
SCROLLS_SIDEWAYS = "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
# The outermost elements that stick out past the viewport (outside any box that scrolls or clips them).
TOO_WIDE = """() => {
  const width = document.documentElement.clientWidth + 1;
  const clipped = e => { for (let a = e.parentElement; a && a !== document.body; a = a.parentElement)
    if (getComputedStyle(a).overflowX !== "visible") return true; return false; };
  const name = e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
    Array.from(e.classList).map(c => "." + c).join("");
  const right = e => e.getBoundingClientRect().right;
  const wide = Array.from(document.querySelectorAll("body *")).filter(e => right(e) > width);
  const out = wide.filter(e => !clipped(e) && !(e.parentElement && right(e.parentElement) > width));
  // Nothing outside a scrolling box: something positioned inside one escapes it (its containing block is
  // outside), so name the furthest right.
  const culprits = out.length ? out : wide.sort((a, b) => right(b) - right(a));
  return culprits.slice(0, 3).map(name).join(", ");
}"""


def pattern_of(path: str) -> str:
    """The resolver pattern a path matched (`cases/<uuid:reference>/`), or the path when nothing matched."""
    try:
        match = resolve(path)
    except Resolver404:
        return path
    return match.route


@dataclass
class Findings:
    """What the crawl found, each line naming the persona, the page and its URL pattern."""

    axe: list[str] = field(default_factory=list)
    sideways: list[str] = field(default_factory=list)
    not_refused: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)
    pages: dict[Path, tuple[str, str]] = field(default_factory=dict)  # saved HTML → (the page, its pattern)
    visited: int = 0


@dataclass
class Crawler:
    base_url: str
    html_dir: Path
    findings: Findings = field(default_factory=Findings)
    # A form is submitted empty once, by the first persona to meet it: the refusal is the same for all.
    submitted: set[tuple[str, int]] = field(default_factory=set)

    def check(self, page: Page, label: str, response: Response | None, *, error_page: bool = False) -> None:
        """axe at desktop width, no sideways scroll at desktop width and at 320 px, and the raw HTML kept."""
        self.findings.visited += 1
        path = urlsplit(page.url).path
        pattern = pattern_of(path)
        where = f"{label} {page.url.removeprefix(self.base_url)} [{pattern}]"
        if response is not None and response.status >= 500 and not error_page:
            self.findings.broken.append(f"{where}: HTTP {response.status}")
        page.set_viewport_size(DESKTOP)
        self.findings.axe.extend(f"{where}: {violation}" for violation in axe_violations(page))
        for size in (DESKTOP, NARROW):
            page.set_viewport_size(size)
            if page.evaluate(SCROLLS_SIDEWAYS):
                width = page.evaluate("document.documentElement.scrollWidth")
                self.findings.sideways.append(
                    f"{where}: {width} px wide at a {size['width']} px viewport ({page.evaluate(TOO_WIDE)})"
                )
        page.set_viewport_size(DESKTOP)
        body = response.text() if response is not None else page.content()
        saved = self.html_dir / f"{len(self.findings.pages):04d}.html"
        saved.write_text(body)
        self.findings.pages[saved] = (where, pattern)

    def visit(self, page: Page, url: str) -> Response | None:
        try:
            return page.goto(url)
        except PlaywrightError as error:  # a download ("Download is starting") is not a page
            if "Download" not in str(error):
                self.findings.broken.append(f"{url}: {error}")
            return None

    def crawl(self, page: Page, label: str, extra: tuple[str, ...] = ()) -> None:
        """Breadth-first from home through same-origin links, one or so page per URL pattern."""
        queue = deque([f"{self.base_url}/", *(f"{self.base_url}{path}" for path in extra)])
        seen: set[str] = set()
        per_pattern: Counter[str] = Counter()
        pages = 0
        while queue and pages < MAX_PAGES:
            url = queue.popleft()
            key = self.key(url)
            if url in seen or key is None or per_pattern[key] >= PER_PATTERN:
                continue
            seen.add(url)
            per_pattern[key] += 1
            response = self.visit(page, url)
            if response is None or "text/html" not in (response.header_value("content-type") or ""):
                continue
            pages += 1
            self.check(page, label, response)
            links: list[str] = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
            queue.extend(link.split("#")[0] for link in links)
            if not urlsplit(url).path.startswith(NO_EMPTY_SUBMIT_PREFIXES):
                self.submit_forms_empty(page, label, url)
        # Stopping at MAX_PAGES must not pass in silence: a kind of page still waiting is one never checked.
        left = sorted({key for url in queue if (key := self.key(url)) is not None and not per_pattern[key]})
        self.findings.broken.extend(f"{label}: stopped at {MAX_PAGES} pages before reaching {key}" for key in left)

    def submit_forms_empty(self, page: Page, label: str, url: str) -> None:
        pattern = pattern_of(urlsplit(url).path)
        forms = [i for i in page.evaluate(REFUSABLE_FORMS) if (pattern, i) not in self.submitted]
        for n, index in enumerate(forms):
            self.submitted.add((pattern, index))
            if n:  # the first form is on the page already; the others need it afresh
                self.visit(page, url)
            with page.expect_navigation() as navigation:
                page.evaluate(SUBMIT_EMPTY, index)
            response = navigation.value
            refused = response.status == 400 or page.locator(".govuk-error-summary").count() > 0
            if not refused:
                self.findings.not_refused.append(
                    f"{label} {url.removeprefix(self.base_url)} form {index + 1}: empty submission answered "
                    f"{response.status} at {page.url.removeprefix(self.base_url)}"
                )
                continue
            self.check(page, f"{label} (form {index + 1} submitted empty)", response)

    def key(self, url: str) -> str | None:
        """The dedupe key of a URL worth visiting (its pattern and query keys), or None for one never followed."""
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != self.base_url:
            return None
        if parts.path.startswith(SKIP_PREFIXES) or parts.path.endswith(SKIP_SUFFIXES) or "download" in parts.path:
            return None
        # One page per pattern: a filtered list or a second case is the same template with other rows.
        return pattern_of(parts.path)


def nu_errors(findings: Findings) -> list[str]:
    """One batch run of the W3C Nu HTML checker over every saved page: its errors, by page."""
    if not findings.pages:
        return []
    result = subprocess.run(  # noqa: S603 - a fixed command over files this test wrote
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, findings.pages)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    output = result.stderr or result.stdout
    if result.returncode and not output.lstrip().startswith("{"):
        return [f"the Nu checker failed (exit {result.returncode}): {output.strip()[:500]}"]
    messages = json.loads(output)["messages"]
    by_name = {path.name: page for path, page in findings.pages.items()}
    errors = []
    for m in messages:
        where, _ = by_name.get(str(m.get("url", "")).rsplit("/", 1)[-1], (str(m.get("url")), ""))
        # Errors and the checker's own failures ("non-document-error": a page it could not read) both count.
        if m.get("type") == "info":
            continue
        errors.append(f"{where} line {m.get('lastLine')}: {m['message']} ({m.get('extract', '').strip()[:120]})")
    return errors
