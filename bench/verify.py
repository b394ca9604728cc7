"""verify_audit over the whole log: time and peak memory, against a process that only loads Django.
Verification streams the entries in seal order, so its memory must not grow with the log."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from django.conf import settings
from django.db import connection

from audit.sealing import seal_pending
from bench.context import BenchContext, table

MEMORY_TARGET = 2.0


def measure(*args: str) -> tuple[float, int, str]:
    """Run `manage.py <args>`: seconds, peak RSS in MiB (of that process alone), its output."""
    started = time.monotonic()
    process = subprocess.Popen(  # noqa: S603 - our own command line
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None  # noqa: S101 - set by PIPE
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed: {output}")
    return time.monotonic() - started, usage.ru_maxrss // 1024, output.strip()


def run(ctx: BenchContext) -> str:
    started = time.monotonic()
    sealed = seal_pending()
    seal_time = time.monotonic() - started
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), pg_relation_size('audit_auditentry') FROM audit_auditentry")
        entries, size = cursor.fetchone()
    seconds, peak, output = measure("verify_audit")
    _, base, _ = measure("check")
    ratio = peak / base
    ctx.target(
        f"verify_audit over {entries:,} entries: peak memory / Django alone",
        f"{ratio:.2f} ({peak} MiB; the table holds {size / 2**20:,.0f} MiB)",
        f"≤ {MEMORY_TARGET} (streams)",
        ratio <= MEMORY_TARGET,
    )
    return "\n\n".join(
        [
            "## Verifying the audit log",
            f"First the entries written by this run were sealed ({sealed:,} entries in {seal_time:.1f} s), then "
            "`manage.py verify_audit` recomputed every entry's digest and every seal's HMAC:",
            f"> {output}",
            table(
                ["", "figure"],
                [
                    ["entries verified", f"{entries:,}"],
                    ["time", f"{seconds:.1f} s ({entries / seconds:,.0f} entries/s)"],
                    ["peak memory (RSS) of verify_audit", f"{peak} MiB"],
                    ["peak memory of `manage.py check` (Django alone)", f"{base} MiB"],
                    ["ratio", f"**{ratio:.2f}**"],
                    ["audit table on disk (without indexes)", f"{size / 2**20:,.0f} MiB"],
                ],
            ),
            "Memory is flat because entries arrive through a server-side cursor 2,000 at a time and each "
            "seal's digests are checked and dropped before the next seal is read.",
        ]
    )
