"""Suite-wide fixtures: a private audit witness file per test, the audit purge escape hatch, and a test
client whose force_login includes the second factor (tests/clients.py) for every kind of test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from celery import current_app as celery_app
from django.db import connection
from django.test import SimpleTestCase

from audit import triggers
from tests.clients import VerifiedClient


def pytest_configure(config: pytest.Config) -> None:
    # Every Django TestCase (not only BaseTestCase and CommittingTestCase) gets the MFA-aware client.
    SimpleTestCase.client_class = VerifiedClient


@pytest.fixture
def client() -> VerifiedClient:
    """pytest-django's `client`, with force_login signing in through the second factor."""
    return VerifiedClient()


@pytest.fixture(autouse=True, scope="session")
def _celery_tasks_run_in_process() -> Iterator[None]:
    """Tests do not depend on a worker: a task sent (after commit) runs in the test's process, even when
    CI configures a Redis broker. Tests of the broker path itself switch this off explicitly."""
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous


@pytest.fixture(autouse=True)
def _private_audit_witness(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    # Each test's database starts empty, so its seals must not be checked against another test's.
    settings.AUDIT_WITNESS_PATH = tmp_path / "audit-witness.log"  # type: ignore[attr-defined]


def restore_reference_data() -> None:
    """Reference lists come from a data migration, and the flush that ends a transactional test empties
    every table: put them back before the next one (the migration's seeding is an update-or-create)."""
    from importlib import import_module

    from django.apps import apps

    import_module("cases.migrations.0002_seed_reference_lists").seed(apps, None)


def _is_transactional(request: pytest.FixtureRequest) -> bool:
    marker = request.node.get_closest_marker("django_db")
    uses_fixture = bool({"live_server", "transactional_db"} & set(request.fixturenames))
    return uses_fixture or bool(marker and marker.kwargs.get("transaction"))


@pytest.fixture(autouse=True)
def _allow_audit_purge_for_flush(request: pytest.FixtureRequest, django_db_blocker: Any) -> Iterator[None]:
    """Transactional tests end with a flush (TRUNCATE or DELETE) that the append-only triggers refuse.

    The triggers are fully armed while every test runs; only pytest-django's flush after a
    transactional test may purge (our teardown runs before the flush, which the fixture order ensures).
    """
    transactional = _is_transactional(request)
    if transactional:
        request.getfixturevalue("transactional_db")
    # A SimpleTestCase (the layer rules, lib's own tests) has no database: Django refuses its queries.
    instance = getattr(request, "instance", None)
    if isinstance(instance, SimpleTestCase) and not instance.databases:
        triggers.PURGE_ALLOWED = False
        yield
        return
    with django_db_blocker.unblock():
        _set_purge(False)
        if transactional:
            restore_reference_data()
    yield
    if transactional:
        with django_db_blocker.unblock():
            _set_purge(True)


def _set_purge(allowed: bool) -> None:
    triggers.PURGE_ALLOWED = allowed
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET audit.allow_purge = 'on'" if allowed else "RESET audit.allow_purge")
