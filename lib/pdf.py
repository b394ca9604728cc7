"""One way to turn our own HTML into PDF: WeasyPrint with every resource fetch refused, tagged (PDF/UA-1).

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
from pypdf.generic import ArrayObject, BooleanObject, DictionaryObject, IndirectObject, NameObject, NumberObject
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


# Every PDF the app makes is tagged for assistive technology (PDF/UA-1): a structure tree, the document's
# language and title, and marked content. A template's <html lang> and <title> become /Lang and the title.
PDF_VARIANT = "pdf/ua-1"


def render_pdf(html: str, *, fetcher: RefusingFetcher | None = None) -> bytes:
    """Render HTML to a tagged PDF (PDF/UA-1). Pass a fetcher to inspect what the document tried to load."""
    document = HTML(string=html, base_url=None, url_fetcher=fetcher or RefusingFetcher())
    return document.write_pdf(pdf_variant=PDF_VARIANT)


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


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def join(parts: Sequence[bytes]) -> bytes:
    """Join tagged PDFs (render_pdf's) into one tagged PDF: the pages, and their structure trees as one.

    pypdf copies pages but not the structure tree, which would leave an untagged document with content
    marked for tags that no longer exist. So each part's tree is copied too: the elements under each
    part's Document go, in order, under one Document; each part's parent tree (content on a page → its
    elements) is renumbered after the previous part's, with the pages' /StructParents moved to match.
    The first part gives the language, title and metadata (PDF/UA identification). Page numbers are the
    documents' own: each part is rendered knowing where it starts (audit.exports).
    """
    writer = PdfWriter()
    tree = DictionaryObject({NameObject("/Type"): NameObject("/StructTreeRoot")})
    tree_ref = writer._add_object(tree)
    document = DictionaryObject(
        {NameObject("/Type"): NameObject("/StructElem"), NameObject("/S"): NameObject("/Document")}
    )
    document[NameObject("/P")] = tree_ref
    document_ref = writer._add_object(document)
    kids = ArrayObject()
    nums = ArrayObject()
    offset = 0
    first: PdfReader | None = None
    for part in parts:
        reader = PdfReader(io.BytesIO(part))
        first = first or reader
        before = len(writer.pages)
        writer.append(reader)
        catalog_of_part: Any = reader.trailer["/Root"]
        if "/StructTreeRoot" not in catalog_of_part:
            continue
        source: Any = catalog_of_part["/StructTreeRoot"].get_object()
        # Cloned after the pages, so the elements' /Pg point at the pages just copied (pypdf keeps one
        # translation of each reader's objects).
        for key, elements in _number_tree(source["/ParentTree"].get_object()):
            nums.extend([NumberObject(key + offset), elements.clone(writer)])
        for top in _kids(source.get("/K")):
            for kid in _kids(top.get_object().get("/K")) if top.get_object().get("/S") == "/Document" else [top]:
                element = kid.clone(writer)
                if isinstance(element.get_object(), DictionaryObject):
                    element.get_object()[NameObject("/P")] = document_ref
                kids.append(element if isinstance(element, IndirectObject) else writer._add_object(element))
        # pypdf leaves out a page's key into the parent tree (and its tab order) when it copies the page.
        original: Any
        for page, original in zip(writer.pages[before:], reader.pages, strict=True):
            if "/StructParents" in original:
                page[NameObject("/StructParents")] = NumberObject(original["/StructParents"] + offset)
            if "/Tabs" in original:
                page[NameObject("/Tabs")] = NameObject(original["/Tabs"])
            for link in page.get("/Annots", []):
                annotation: Any = link.get_object()
                if "/StructParent" in annotation:
                    annotation[NameObject("/StructParent")] = NumberObject(annotation["/StructParent"] + offset)
        offset += int(source.get("/ParentTreeNextKey", _next_key(source["/ParentTree"].get_object())))
    document[NameObject("/K")] = kids
    tree[NameObject("/K")] = ArrayObject([document_ref])
    tree[NameObject("/ParentTree")] = writer._add_object(DictionaryObject({NameObject("/Nums"): nums}))
    tree[NameObject("/ParentTreeNextKey")] = NumberObject(offset)
    catalog = writer._root_object
    catalog[NameObject("/StructTreeRoot")] = tree_ref
    catalog[NameObject("/MarkInfo")] = DictionaryObject({NameObject("/Marked"): BooleanObject(True)})
    catalog[NameObject("/ViewerPreferences")] = DictionaryObject({NameObject("/DisplayDocTitle"): BooleanObject(True)})
    if first is not None:
        source_catalog: Any = first.trailer["/Root"]
        for name in ("/Lang", "/Metadata"):
            if name in source_catalog:
                catalog[NameObject(name)] = source_catalog[name].clone(writer)
        if first.metadata and first.metadata.title:
            writer.add_metadata({"/Title": first.metadata.title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _kids(value: Any) -> list[Any]:
    if value is None:
        return []
    resolved = value.get_object()
    return list(resolved) if isinstance(resolved, ArrayObject) else [value]


def _number_tree(node: DictionaryObject) -> list[tuple[int, Any]]:
    """A number tree's (key, value) pairs, in order, from its leaves (/Nums) and branches (/Kids)."""
    pairs: list[tuple[int, Any]] = []
    nums = node.get("/Nums")
    if nums is not None:
        nums = nums.get_object()
        pairs += [(int(nums[i]), nums[i + 1]) for i in range(0, len(nums), 2)]
    for kid in node.get("/Kids", []):
        pairs += _number_tree(kid.get_object())
    return pairs


def _next_key(node: DictionaryObject) -> int:
    keys = [key for key, _ in _number_tree(node)]
    return max(keys) + 1 if keys else 0


if __name__ == "__main__":
    _serve()
