"""python -m bench: make sure the database holds the national data set, run every section, write the
markdown. Seeds only when the database has no scale data yet, so a re-run measures the same data."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--agencies", type=int, default=400)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--audit-entries", type=int, default=1_000_000)
    parser.add_argument("--sections", default="", help="Comma-separated section modules (default: all).")
    parser.add_argument("--output", default=str(BASE_DIR / "docs" / "benchmarks.md"))
    parser.add_argument("--duration", type=int, default=60, help="Seconds of the load run.")
    parser.add_argument("--concurrency", type=int, default=50, help="Simulated users in the load run.")
    return parser.parse_args()


def _create_database() -> None:
    """CREATE DATABASE for DATABASE_URL if it does not exist yet."""
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        sys.exit("make bench needs PostgreSQL: set DATABASE_URL=postgres://...")
    params: dict[str, Any] = {"host": db["HOST"], "port": db["PORT"], "user": db["USER"], "password": db["PASSWORD"]}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone() is None:
            admin.execute(f'CREATE DATABASE "{db["NAME"]}"')


def _ensure_data(args: argparse.Namespace) -> tuple[dict[str, int], str]:
    """Seed unless the scale data is already there at the requested size; returns sizes and how long
    seeding took (remembered from the run that seeded)."""
    from django.conf import settings
    from django.core.management import call_command

    from bench.scale import scale_counts

    call_command("migrate", "--no-input", verbosity=0)
    wanted = {"agencies": args.agencies, "users": args.users, "cases": args.cases, "audit_entries": args.audit_entries}
    counts = scale_counts()
    note = BASE_DIR / "var" / f"bench-seed-{settings.DATABASES['default']['NAME']}.json"
    if counts["agencies"] == 0:
        print(f"Seeding {wanted} (takes minutes)...", flush=True)
        command = [
            sys.executable,
            "manage.py",
            "seed_scale",
            *(f"--{k.replace('_', '-')}={v}" for k, v in wanted.items()),
        ]
        started = time.monotonic()
        subprocess.run(command, cwd=BASE_DIR, check=True)  # noqa: S603 - our own command line
        note.parent.mkdir(parents=True, exist_ok=True)
        note.write_text(json.dumps({"seconds": round(time.monotonic() - started), "sizes": wanted}))
        counts = scale_counts()
    same = all(counts[k] == wanted[k] for k in ("agencies", "users", "cases"))
    if not same or counts["audit_entries"] < wanted["audit_entries"]:
        sys.exit(f"The database holds scale data of another size ({counts}); use a fresh database for {wanted}.")
    seeded = json.loads(note.read_text())["seconds"] if note.exists() else None
    return counts, f"{seeded // 60} min {seeded % 60} s" if seeded is not None else "an earlier run (time not recorded)"


def main() -> None:
    args = _arguments()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prevent_panel.settings")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from bench import SECTIONS
    from bench.context import build_context, table

    _create_database()
    sizes, seeded_in = _ensure_data(args)
    extra = " ".join(sys.argv[1:])
    command = f"make bench BENCH_ARGS='{extra}'" if extra else "make bench"
    ctx = build_context(sizes=sizes, seeded_in=seeded_in, command=command)
    ctx.options = vars(args)
    chosen = [s.strip() for s in args.sections.split(",") if s.strip()] or SECTIONS
    parts = []
    for name in chosen:
        print(f"{name}...", flush=True)
        started = time.monotonic()
        try:
            parts.append(importlib.import_module(name).run(ctx).strip())
        except Exception:  # one broken section must not lose the others' figures
            parts.append(f"## {name}\n\nThis section failed:\n\n```\n{traceback.format_exc()}```")
        print(f"{name}: {time.monotonic() - started:.0f} s", flush=True)
    summary = ["## Targets", ""]
    summary.append(
        table(
            ["measurement", "figure", "target", "met"],
            [[t.name, t.figure, t.target, "yes" if t.met else "**no**"] for t in ctx.targets],
        )
    )
    header = [
        "# Benchmarks",
        "",
        f"One run of `{command}` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; every ratio compares two figures "
        "taken in that same run. Reproduce with `make bench` (it seeds `manage.py seed_scale` into "
        "`prevent_panel_bench` only when the data is not there yet).",
    ]
    text = "\n\n".join(["\n".join(header), "\n".join(summary), *parts]) + "\n"
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(text)
    print(f"Written to {args.output}")


if __name__ == "__main__":
    main()
