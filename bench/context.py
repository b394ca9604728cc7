"""What every benchmark section gets: the data set's personas, signed-in clients and timing helpers.

Timings are medians of interleaved runs: a figure and its baseline alternate, so that anything else
the machine does at the time weighs on both alike.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEntry
from bench.session import session_cookie
from cases.models import Case, Stage
from partners.models import Agency, AgencyKind, Role, User
from sharing.access import visible_cases
from sharing.models import CaseGroupObjectPermission

REPEAT = 30
WARMUP = 3


@dataclass
class Target:
    name: str
    figure: str
    target: str
    met: bool


@dataclass
class BenchContext:
    sizes: dict[str, int]
    seeded_in: str
    command: str
    member: User
    chair: User
    police: User
    auditor: User
    member_case: Case
    chair_case: Case
    busy_username: str
    targets: list[Target] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)
    _clients: dict[int, Client] = field(default_factory=dict)

    # --- requests ----------------------------------------------------------------------------------
    def client(self, user: User) -> Client:
        if user.pk not in self._clients:
            client = Client(HTTP_HOST="127.0.0.1")
            name, value = session_cookie(user)
            client.cookies[name] = value
            self._clients[user.pk] = client
        return self._clients[user.pk]

    def get(self, user: User, path: str) -> Any:
        response = self.client(user).get(path)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} as {user.username} returned {response.status_code}")
        return response

    def queries(self, user: User, path: str) -> list[str]:
        """The SQL a page runs (after a first request has warmed the caches)."""
        self.get(user, path)
        with CaptureQueriesContext(connection) as captured:
            self.get(user, path)
        return [query["sql"] for query in captured.captured_queries]

    # --- timing ------------------------------------------------------------------------------------
    @staticmethod
    def paired(first: Callable[[], Any], second: Callable[[], Any], *, repeat: int = REPEAT) -> tuple[float, float]:
        """Median seconds of `first` and `second`, run alternately after a warm-up."""
        for _ in range(WARMUP):
            first()
            second()
        a, b = [], []
        for _ in range(repeat):
            started = time.perf_counter()
            first()
            a.append(time.perf_counter() - started)
            started = time.perf_counter()
            second()
            b.append(time.perf_counter() - started)
        return statistics.median(a), statistics.median(b)

    @staticmethod
    def timed(work: Callable[[], Any], *, repeat: int = REPEAT) -> float:
        for _ in range(WARMUP):
            work()
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            work()
            samples.append(time.perf_counter() - started)
        return statistics.median(samples)

    def target(self, name: str, figure: str, target: str, met: bool) -> None:
        self.targets.append(Target(name, figure, target, met))


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def table(headers: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


@contextmanager
def auditing_off() -> Iterator[None]:
    """Benchmark only: every audit write becomes a no-op, to price what auditing costs a page."""
    from audit import services

    original = services.record
    services.record = lambda **_kwargs: None  # type: ignore[assignment]
    try:
        yield
    finally:
        services.record = original


def _first_user(agency_id: int, role: str) -> User:
    return User.objects.select_related("agency").filter(agency_id=agency_id, role=role, is_active=True).earliest("id")


def build_context(*, sizes: dict[str, int], seeded_in: str, command: str) -> BenchContext:
    """Choose the personas: a panel member whose agency sees about 1% of the cases through grants, the
    chair of the council owning the most cases, a police practitioner, an auditor."""
    total = Case.objects.count()
    per_group = (
        CaseGroupObjectPermission.objects.values("group_id")
        .annotate(cases=Count("content_object_id", distinct=True))
        .order_by()
    )
    best = min(per_group, key=lambda row: abs(row["cases"] - total / 100))
    member_agency = Agency.objects.get(group_id=best["group_id"])
    member = _first_user(member_agency.pk, Role.PANEL_MEMBER)
    owner = (
        Case.objects.values("owning_agency_id").annotate(cases=Count("id")).order_by("-cases", "owning_agency_id")[0]
    )
    chair = _first_user(owner["owning_agency_id"], Role.PANEL_CHAIR)
    police_agency = Agency.objects.filter(kind=AgencyKind.POLICE).earliest("id")
    police = _first_user(police_agency.pk, Role.POLICE_PRACTITIONER)
    auditor = User.objects.select_related("agency").filter(role=Role.AUDITOR).earliest("id")
    chair_case = visible_cases(chair).filter(stage=Stage.SUPPORT_ACTIVE).first() or visible_cases(chair).earliest("id")
    member_case = visible_cases(member).first()
    if member_case is None:
        raise RuntimeError("The panel member sees no case: is the data seeded?")
    busy = (
        AuditEntry.objects.filter(actor__isnull=False)
        .values("actor__username")
        .annotate(entries=Count("id"))
        .order_by("-entries")[0]["actor__username"]
    )
    return BenchContext(
        sizes=sizes,
        seeded_in=seeded_in,
        command=command,
        member=member,
        chair=chair,
        police=police,
        auditor=auditor,
        member_case=member_case,
        chair_case=chair_case,
        busy_username=busy,
    )
