"""Benchmark: the audit exporter against one plain WeasyPrint document, on the same 10,000 entries.

Each side runs in its own child process, so neither inherits the other's memory; a sampler adds up the
resident memory of that child and every process it starts (the exporter's render workers) every 50 ms,
so "peak memory" is the whole export's, not one process's.

    python -m bench.pdf_export [--rows 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 2.5
TARGET_MB = 400


def synthetic_rows(count: int) -> list[tuple[str, ...]]:
    """Rows shaped like real entries (audit.exports.pdf_row), with synthetic users and references."""
    events = ["Viewed a case", "Listed or searched cases", "Signed in", "Changed a record", "Searched the audit log"]
    roles = ("Prevent coordinator", "Panel member", "Police practitioner")
    rows: list[tuple[str, ...]] = []
    for n in range(count):
        case = f"PP-2026-{n % 9000:05d}"
        what = events[n % len(events)] + (" (Reviewing before the panel meeting)" if n % 11 == 0 else "")
        rows.append(
            (
                str(1_000_000 + n),
                f"2026-11-{n % 28 + 1:02d} {n % 24:02d}:{n % 60:02d}:{(n * 7) % 60:02d}",
                f"Person {n % 700:04d} (user{n % 700:04d})",
                f"Agency {n % 40:03d} City Council",
                roles[n % 3],
                what,
                "Allowed" if n % 17 else "Denied",
                case,
                f"GET /cases/{case}/" + ("chronology/" if n % 3 else ""),
                f"{(n * 2654435761) % (1 << 40):010x}",
            )
        )
    return rows


def _baseline_html(rows: list[tuple[str, ...]]) -> str:
    """What one would write first: one document, one table, CSS counters for "page x of y"."""
    from django.template import engines

    from audit.exports import COLUMNS

    template = engines["django"].from_string(
        """<html><head><style>
@page { size: A4 landscape; margin: 14mm 10mm 14mm;
  @top-left { content: "OFFICIAL-SENSITIVE"; } @bottom-left { content: "OFFICIAL-SENSITIVE"; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); } }
body { font: 7pt sans-serif; } table { border-collapse: collapse; width: 100%; }
thead { display: table-header-group; } td { border-bottom: 0.2pt solid #aaa; }
</style></head><body><h1>Audit log</h1><table>
<thead><tr>{% for h, w in columns %}<th>{{ h }}</th>{% endfor %}</tr></thead><tbody>
{% for row in rows %}<tr>{% for v in row %}<td>{{ v }}</td>{% endfor %}</tr>{% endfor %}
</tbody></table></body></html>"""
    )
    return template.render({"rows": rows, "columns": COLUMNS})


def _child(mode: str, count: int) -> dict[str, Any]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prevent_panel.settings")
    os.environ.setdefault("DEBUG", "true")
    django.setup()
    from audit import exports
    from lib.pdf import render_pdf

    rows = synthetic_rows(count)
    started = time.perf_counter()
    if mode == "baseline":
        pdf = render_pdf(_baseline_html(rows))
    else:
        cover = (
            '<html lang="en-GB"><head><title>Audit log</title></head>'
            "<body><h1>Audit log</h1><p>Synthetic cover.</p></body></html>"
        )
        pdf = exports.render_pdf_export(lambda _total: cover, rows, title="Audit log")
    seconds = time.perf_counter() - started
    from io import BytesIO

    from pypdf import PdfReader

    return {"seconds": seconds, "pages": len(PdfReader(BytesIO(pdf)).pages), "bytes": len(pdf)}


def _tree_rss_kib(root_pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/status") as status:
                kib = next((int(line.split()[1]) for line in status if line.startswith("VmRSS:")), 0)
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = kib
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def measure(mode: str, count: int) -> dict[str, Any]:
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module, fixed arguments
        [sys.executable, "-m", "bench.pdf_export", "--child", mode, "--rows", str(count)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kib(process.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = process.communicate()
    done.set()
    sampler.join()
    if process.returncode:
        raise RuntimeError(f"{mode} benchmark failed with exit code {process.returncode}")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    result["peak_mb"] = peak / 1024
    return result


def run(ctx: Any = None, *, count: int = 10_000) -> str:
    exporter = measure("exporter", count)
    baseline = measure("baseline", count)
    ratio = baseline["seconds"] / exporter["seconds"]
    ok_speed = "met" if ratio >= TARGET_RATIO else "NOT met"
    ok_memory = "met" if exporter["peak_mb"] < TARGET_MB else "NOT met"
    if ctx is not None and hasattr(ctx, "target"):
        ctx.target(
            f"audit PDF export, {count:,} entries: baseline time / exporter time",
            f"{ratio:.2f} ({baseline['seconds']:.1f} s / {exporter['seconds']:.1f} s)",
            f"≥ {TARGET_RATIO}",
            ratio >= TARGET_RATIO,
        )
        ctx.target(
            "audit PDF export: peak memory of the whole process tree",
            f"{exporter['peak_mb']:.0f} MB",
            f"< {TARGET_MB} MB",
            exporter["peak_mb"] < TARGET_MB,
        )
    b, e = baseline, exporter
    return "\n".join(
        [
            f"## Audit log PDF export ({count:,} entries)",
            "",
            f"The same {count:,} synthetic entries, rendered in one run by the app's exporter "
            "(`audit.exports.render_pdf_export`: rows laid out as fixed-width monospaced columns, "
            f"{_chunk_pages()} pages per document, documents rendered in parallel by {os.cpu_count()} processes, "
            "then joined and page-numbered with pypdf) and by one plain single-document WeasyPrint render of "
            "the same table. Peak memory is the resident memory of the process and all its children added up, "
            "sampled every 50 ms.",
            "",
            "| renderer | time | pages | PDF size | peak memory |",
            "|---|---|---|---|---|",
            f"| baseline: one WeasyPrint document | {b['seconds']:.1f} s | {b['pages']} | "
            f"{b['bytes'] / 1e6:.1f} MB | {b['peak_mb']:.0f} MB |",
            f"| exporter | {e['seconds']:.1f} s | {e['pages']} | {e['bytes'] / 1e6:.1f} MB | {e['peak_mb']:.0f} MB |",
            "",
            f"- Speed: the exporter is **{ratio:.2f} times** faster than the baseline "
            f"(target at least {TARGET_RATIO}): {ok_speed}.",
            f"- Memory: the exporter's peak is **{e['peak_mb']:.0f} MB** (target under {TARGET_MB} MB): {ok_memory}.",
            "- Reproduce: `make bench`, or this section alone: `python -m bench.pdf_export`.",
            "",
        ]
    )


def _chunk_pages() -> int:
    from audit.exports import CHUNK_PAGES

    return CHUNK_PAGES


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", choices=["exporter", "baseline"])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child, args.rows)))
        return
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prevent_panel.settings")
    os.environ.setdefault("DEBUG", "true")
    django.setup()
    print(run(count=args.rows))


if __name__ == "__main__":
    main()
