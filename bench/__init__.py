"""`make bench` (python -m bench): measurements against PostgreSQL, written to docs/benchmarks.md.

Each section is a module in SECTIONS exposing `run(ctx: bench.context.BenchContext) -> str`, which
returns markdown. Sections run in this order, all in one run, so every ratio compares figures taken on
the same machine minutes apart. Add a section by adding its module name here.
"""

from __future__ import annotations

SECTIONS = [
    "bench.machine",
    "bench.case_list",
    "bench.pages",
    "bench.dashboard",
    "bench.audit_cost",
    "bench.plans",
    "bench.load",
    "bench.verify",
    "bench.pdf_export",
    "bench.notes",
]
