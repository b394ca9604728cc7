"""One way to turn our own HTML into PDF: WeasyPrint with every resource fetch refused.

Exports print user-supplied text (names in the audit log, case notes in minutes). Templates escape it, and
this fetcher makes sure that nothing in a document, hostile or not, can make the renderer reach a URL, a
file on disk or a data: URI smuggled through CSS. Styles are inlined in the template, fonts come from
fontconfig, so a PDF never needs a fetch.
"""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any, cast

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject
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


def render_many(
    documents: Sequence[str], *, processes: int = 0, on_done: Callable[[int], None] | None = None
) -> list[bytes]:
    """Render several HTML documents to PDF, in parallel worker processes when there is more than one.

    WeasyPrint is CPU-bound and holds the GIL, so parallel means processes. They are plain child
    processes running this module (`python -m lib.pdf`), not multiprocessing workers: a Celery
    prefork worker is a daemonic process, and multiprocessing refuses to start children from one. Each
    worker renders documents one at a time, so memory stays flat. `on_done(i)` is called in this process
    as document i finishes, for progress reports.
    """
    workers = min(len(documents), processes or os.cpu_count() or 1)
    if workers <= 1:
        results = []
        for index, html in enumerate(documents):
            results.append(render_pdf(html))
            if on_done:
                on_done(index)
        return results
    rendered: dict[int, bytes] = {}
    pending = iter(enumerate(documents))
    lock = threading.Lock()
    errors: list[BaseException] = []

    def feed() -> None:
        # One thread per worker process: hand it the next document, wait for its PDF, repeat.
        with _Worker() as worker:
            while not errors:
                with lock:
                    item = next(pending, None)
                if item is None:
                    return
                index, html = item
                result = worker.render(html)
                with lock:
                    rendered[index] = result
                    if on_done:
                        on_done(index)

    def guarded() -> None:
        try:
            feed()
        except BaseException as error:  # reported to the caller below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=guarded, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return [rendered[index] for index in range(len(documents))]


class _Worker:
    """A child process rendering length-prefixed HTML documents from stdin to PDFs on stdout."""

    def __enter__(self) -> _Worker:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "lib.pdf"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=Path(__file__).resolve().parent.parent,
        )
        return self

    def render(self, html: str) -> bytes:
        _write_frame(cast(IO[bytes], self.process.stdin), html.encode())
        result = _read_frame(cast(IO[bytes], self.process.stdout))
        if result is None:
            raise RuntimeError(f"PDF worker stopped (exit code {self.process.wait()})")
        return result

    def __exit__(self, *exc: object) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _write_frame(stream: IO[bytes], payload: bytes) -> None:
    stream.write(struct.pack(">Q", len(payload)))
    stream.write(payload)
    stream.flush()


def _read_frame(stream: IO[bytes]) -> bytes | None:
    header = stream.read(8)
    if len(header) < 8:
        return None
    (length,) = struct.unpack(">Q", header)
    return stream.read(length)


def _serve() -> None:
    """The worker's loop: documents in, PDFs out, until the parent closes stdin."""
    while (payload := _read_frame(sys.stdin.buffer)) is not None:
        _write_frame(sys.stdout.buffer, render_pdf(payload.decode()))


def join_and_number(parts: Sequence[bytes], *, label: str = "Page {page} of {pages}") -> bytes:
    """Join PDFs into one and write "Page x of y" at the foot of every page.

    Documents rendered separately count their pages from 1, so the numbers are stamped after joining:
    a short text drawn in a standard PDF font (nothing embedded, nothing fetched) in the bottom margin.
    """
    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    pages = len(writer.pages)
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
    )
    for number, page in enumerate(writer.pages, start=1):
        resources = page.setdefault(NameObject("/Resources"), DictionaryObject()).get_object()
        fonts = resources.setdefault(NameObject("/Font"), DictionaryObject()).get_object()
        fonts[NameObject("/PPFolio")] = font
        text = label.format(page=number, pages=pages).encode("latin-1")
        width = float(page.mediabox.width)
        # Helvetica digits and letters average about half the font size; right-align in the margin.
        x = width - 34 - len(text) * 4.4
        before = DecodedStreamObject()
        before.set_data(b"q\n")
        after = DecodedStreamObject()
        after.set_data(b"\nQ\nq BT /PPFolio 9 Tf %.1f 22 Td (%s) Tj ET Q\n" % (x, text))
        existing = page.get(NameObject("/Contents"))
        contents = ArrayObject([writer._add_object(before)])
        if existing is not None:
            resolved = existing.get_object()
            # Wrapped in q/Q so that whatever graphics state the page leaves does not move the folio.
            if isinstance(resolved, ArrayObject):
                contents.extend(resolved)
            else:
                contents.append(existing)
        contents.append(writer._add_object(after))
        page[NameObject("/Contents")] = contents
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


if __name__ == "__main__":
    _serve()
