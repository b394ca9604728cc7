"""The machine, the software and the data the figures were taken on."""

from __future__ import annotations

import os
import platform
from pathlib import Path

import django
from django.db import connection

from bench.context import BenchContext, table

TABLES = [
    ("partners_agency", "agencies"),
    ("partners_user", "users"),
    ("cases_subject", "subjects"),
    ("cases_case", "cases"),
    ("cases_referral", "referrals"),
    ("cases_casenote", "notes"),
    ("cases_action", "actions"),
    ("cases_decision", "decisions"),
    ("cases_supportelement", "support elements"),
    ("sharing_sharegrant", "grants"),
    ("sharing_casegroupobjectpermission", "guardian group permissions"),
    ("sharing_caseuserobjectpermission", "guardian user permissions"),
    ("audit_auditentry", "audit entries"),
    ("audit_seal", "audit seals"),
]


def _cpu() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _ram_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            return int(line.split()[1]) / 1024 / 1024
    return 0.0


def run(ctx: BenchContext) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
        rows = []
        for name, label in TABLES:
            cursor.execute(f"SELECT count(*), pg_total_relation_size('{name}') FROM {name}")  # noqa: S608 - fixed names
            count, size = cursor.fetchone()
            rows.append([label, f"{count:,}", f"{size / 1024 / 1024:,.0f} MB"])
    machine = table(
        ["", ""],
        [
            ["CPU", f"{_cpu()}, {os.cpu_count()} cores"],
            ["RAM", f"{_ram_gib():.1f} GiB"],
            ["PostgreSQL", f"{pg}, database `{connection.settings_dict['NAME']}`"],
            ["Python / Django", f"{platform.python_version()} / {django.get_version()}"],
            ["OS", platform.platform()],
            ["Load average at the start (1, 5, 15 min)", ", ".join(f"{x:.1f}" for x in os.getloadavg())],
        ],
    )
    return "\n\n".join(
        [
            "## Machine and data",
            machine,
            f"Data made by `manage.py seed_scale` with its defaults ({ctx.sizes['agencies']} agencies, "
            f"{ctx.sizes['users']:,} users, {ctx.sizes['cases']:,} cases); seeding took {ctx.seeded_in}, "
            "including sealing the audit log and VACUUM ANALYZE. Row counts at the start of this run "
            "(the audit log grows with every run: each measured page is audited):",
            table(["table", "rows", "size with indexes"], rows),
            f"Personas: panel member `{ctx.member.username}` ({ctx.member.agency.name}), chair "
            f"`{ctx.chair.username}` ({ctx.chair.agency.name}), police `{ctx.police.username}` "
            f"({ctx.police.agency.name}), auditor `{ctx.auditor.username}`.",
        ]
    )
