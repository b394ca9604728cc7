"""One way to turn our own HTML into PDF: WeasyPrint with every resource fetch refused.

Exports print user-supplied text (names in the audit log, case notes in minutes). Templates escape it, and
this fetcher makes sure that nothing in a document, hostile or not, can make the renderer reach a URL, a
file on disk or a data: URI smuggled through CSS. Styles are inlined in the template, fonts come from
fontconfig, so a PDF never needs a fetch.
"""

from __future__ import annotations

from typing import Any

from weasyprint import HTML
from weasyprint.urls import URLFetcher


class RefusingFetcher(URLFetcher):
    """Refuses every URL and remembers what was asked for, so tests can prove nothing was fetched."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> Any:
        self.refused.append(url)
        raise ValueError(f"resource fetching is disabled in exports: {url[:80]}")


def render_pdf(html: str, *, fetcher: RefusingFetcher | None = None) -> bytes:
    """Render HTML to PDF bytes. Pass a fetcher to inspect what the document tried to load."""
    document = HTML(string=html, base_url=None, url_fetcher=fetcher or RefusingFetcher())
    return document.write_pdf()


def render_document(html: str, *, fetcher: RefusingFetcher | None = None) -> Any:
    """Lay out HTML without writing it, so callers can join several documents' pages into one PDF."""
    return HTML(string=html, base_url=None, url_fetcher=fetcher or RefusingFetcher()).render()
