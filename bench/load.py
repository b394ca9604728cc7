"""The load run: gunicorn and a Celery worker (with beat, so the sealer runs meanwhile), and simulated
users on loopback, each in a loop without pause, over a mix of case list, case page, searches and the
dashboard. Every page in the mix is audited, so every successful request must leave exactly one entry
carrying its request id."""

from __future__ import annotations

import http.client
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Max
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from audit.models import AuditEntry, Seal
from bench.context import BenchContext, table
from bench.session import session_cookie
from partners.models import AgencyKind, Role, User
from sharing.access import Capability, can_do, visible_cases

BROKER_URL = "redis://127.0.0.1:6379/14"
CONN_MAX_AGE = 60
# Of every 50 simulated users: who they are.
CAST = [
    (Role.PANEL_CHAIR, 10),
    (Role.PREVENT_COORDINATOR, 10),
    (Role.PANEL_MEMBER, 15),
    (Role.POLICE_PRACTITIONER, 10),
    (Role.AUDITOR, 5),
]


@dataclass
class SimulatedUser:
    user: User
    cookie: str
    cases: list[tuple[str, str]]  # (reference, number) of cases they can see
    searches: list[str] = field(default_factory=list)  # audit search query strings, for auditors
    may_dashboard: bool = False  # coordinators and chairs; others would get a 403

    def next_request(self, rng: random.Random, dashboard: str | None) -> tuple[str, str]:
        if self.searches:
            return "audit search", "/audit/?" + rng.choice(self.searches)
        roll = rng.random()
        if dashboard and self.may_dashboard and roll < 0.1:
            return "dashboard", dashboard
        reference, number = rng.choice(self.cases)
        if roll < 0.35:
            return "case list", "/cases/"
        if roll < 0.5:
            return "case search", "/cases/?" + urlencode({"q": number})
        return "case page", f"/cases/{reference}/"


def _cast(ctx: BenchContext, concurrency: int) -> list[SimulatedUser]:
    today = timezone.localdate()
    numbers = [ctx.chair_case.number, ctx.member_case.number]
    people: list[SimulatedUser] = []
    for role, share in CAST:
        wanted = max(1, concurrency * share // 50)
        users = User.objects.select_related("agency").filter(role=role, is_active=True)
        if role == Role.PANEL_MEMBER:
            users = users.exclude(agency__kind=AgencyKind.LOCAL_AUTHORITY)
        for user in users.order_by("agency_id", "id").distinct("agency_id")[: wanted * 3]:
            cases = [] if role == Role.AUDITOR else list(visible_cases(user).values_list("reference", "number")[:40])
            if role != Role.AUDITOR and not cases:
                continue
            name, value = session_cookie(user)
            person = SimulatedUser(user, f"{name}={value}", [(str(r), n) for r, n in cases])
            person.may_dashboard = can_do(user, Capability.VIEW_DASHBOARD)
            if role == Role.AUDITOR:
                person.searches = [urlencode({"case_reference": n}) for n in numbers] + [
                    urlencode(
                        {"username": ctx.busy_username, "date_from": today - timedelta(days=30), "date_to": today}
                    )
                ]
            else:
                numbers.append(cases[0][1])
            people.append(person)
            if sum(p.user.role == role for p in people) >= wanted:
                break
    return [people[i % len(people)] for i in range(concurrency)]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("gunicorn did not come up")


def _fetch(port: int, path: str, cookie: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("GET", path, headers={"Cookie": cookie})
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("X-Request-ID") or ""
    finally:
        connection.close()


def _drive(port: int, person: SimulatedUser, seed: int, deadline: float, dashboard: str | None, out: list[Any]) -> None:
    rng = random.Random(seed)  # noqa: S311 - picks the next page, nothing secret
    while time.monotonic() < deadline:
        kind, path = person.next_request(rng, dashboard)
        started = time.perf_counter()
        try:
            status, request_id = _fetch(port, path, person.cookie)
        except OSError as error:
            status, request_id = 0, type(error).__name__
        out.append((kind, status, time.perf_counter() - started, request_id))


def _start_servers(port: int, workers: int) -> list[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL") or BROKER_URL,
        # Persistent connections, as production should run (see DATABASE_CONN_MAX_AGE in README.md).
        "DATABASE_CONN_MAX_AGE": os.environ.get("DATABASE_CONN_MAX_AGE") or str(CONN_MAX_AGE),
    }
    schedule = settings.BASE_DIR / "var" / "bench-celerybeat-schedule"
    commands = [
        [sys.executable, "-m", "gunicorn", "prevent_panel.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--log-level", "warning"],
        [sys.executable, "-m", "celery", "-A", "prevent_panel", "worker", "--beat", "--schedule", str(schedule),
         "--concurrency", "1", "--loglevel", "WARNING"],
    ]  # fmt: skip
    return [subprocess.Popen(command, cwd=settings.BASE_DIR, env=env) for command in commands]  # noqa: S603


def _connect_time() -> float:
    """Median seconds to open a new PostgreSQL connection, as a web process without persistent
    connections does for every request."""
    from django.db import connections

    def connect() -> None:
        fresh = connections.create_connection("default")
        fresh.ensure_connection()
        fresh.close()

    return BenchContext.timed(connect, repeat=20)


def _percentile(samples: list[float], p: int) -> str:
    return f"{statistics.quantiles(samples, n=100, method='inclusive')[p - 1] * 1000:.0f} ms"


def run(ctx: BenchContext) -> str:
    duration = int(ctx.options.get("duration", 60))
    concurrency = int(ctx.options.get("concurrency", 50))
    try:
        dashboard: str | None = reverse("cases:dashboard")
    except NoReverseMatch:
        dashboard = None
    people = _cast(ctx, concurrency)
    workers = 2 * (os.cpu_count() or 1) + 1
    port = _free_port()
    before = AuditEntry.objects.aggregate(last=Max("id"))["last"] or 0
    seals_before = Seal.objects.count()
    # Other work on the machine weighs on every figure here: say how much there was.
    load = ", ".join(f"{figure:.1f}" for figure in os.getloadavg())
    servers = _start_servers(port, workers)
    results: list[Any] = []
    try:
        _wait_until_up(port)
        deadline = time.monotonic() + duration
        threads = [
            threading.Thread(target=_drive, args=(port, person, n, deadline, dashboard, results))
            for n, person in enumerate(people)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            server.wait(timeout=60)
    ok = [r for r in results if r[1] == 200]
    errors = Counter(r[1] for r in results if r[1] != 200)
    written = list(AuditEntry.objects.filter(id__gt=before).values_list("request_id", flat=True))
    answered = {r[3] for r in ok}
    exact = len(written) == len(ok) and set(written) == answered
    latencies = [r[2] for r in results]
    by_kind: dict[str, list[float]] = defaultdict(list)
    for kind, _, seconds, _ in results:
        by_kind[kind].append(seconds)
    rows = [
        ["all requests", f"{len(results):,}", f"{len(results) / elapsed:.1f}"]
        + [_percentile(latencies, p) for p in (50, 95, 99)]
    ]
    for kind, samples in sorted(by_kind.items()):
        rows.append(
            [kind, f"{len(samples):,}", f"{len(samples) / elapsed:.1f}"]
            + [_percentile(samples, p) for p in (50, 95, 99)]
        )
    cast = ", ".join(f"{n} {role}" for role, n in Counter(str(p.user.role) for p in people).items())
    connect = _connect_time()
    ctx.target("load run: errors", f"{sum(errors.values())} of {len(results):,}", "0", not errors)
    ctx.target(
        "load run: audit entries written = audited requests",
        f"{len(written):,} entries for {len(ok):,} requests",
        "equal, one per request id",
        exact,
    )
    ctx.target(
        "load run: throughput and p95",
        f"{len(results) / elapsed:.1f} req/s, p95 {_percentile(latencies, 95)}",
        "measured",
        True,
    )
    return "\n\n".join(
        [
            "## Load run",
            f"gunicorn ({workers} sync workers) and a Celery worker with beat (the audit sealer runs every minute "
            f"meanwhile), on loopback; {concurrency} simulated users ({cast}), "
            f"each sending its next request as soon as the last one is answered, for {elapsed:.0f} s. "
            f"Load average (1, 5, 15 min) just before the servers started: {load}. The load "
            "generator (Python threads) shares the machine's cores with the server, PostgreSQL and the worker. "
            f"The web processes keep their database connection (`DATABASE_CONN_MAX_AGE={CONN_MAX_AGE}`): opening "
            f"one costs {connect * 1000:.1f} ms here, which a process reconnecting for every request would add to "
            "each.",
            "Mix: case list, case page, case search by number"
            + (", dashboard" if dashboard else " (no dashboard: this build has no `cases:dashboard` URL)")
            + "; auditors search the audit log by case reference or by user and 30 days.",
            table(["requests", "count", "per second", "p50", "p95", "p99"], rows),
            table(
                ["check", "result"],
                [
                    ["errors (status other than 200, or no answer)", f"{sum(errors.values())} {dict(errors) or ''}"],
                    ["audited requests answered", f"{len(ok):,}"],
                    ["audit entries written during the run", f"{len(written):,}"],
                    ["every answered request id has exactly one entry", "yes" if exact else "**no**"],
                    ["seals written by the worker's beat during the run", f"{Seal.objects.count() - seals_before}"],
                ],
            ),
        ]
    )
