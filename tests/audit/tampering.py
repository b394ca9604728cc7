"""Acting as the database owner with the append-only triggers switched off, as an attacker would."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection

from audit import triggers


@contextmanager
def triggers_disabled() -> Iterator[None]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Inside a test's transaction, deferred foreign-key checks would block ALTER TABLE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in (*triggers.TABLES, triggers.TEXT_TABLE):
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                for table in (*triggers.TABLES, triggers.TEXT_TABLE):
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    else:
        triggers.PURGE_ALLOWED = True
        try:
            yield
        finally:
            triggers.PURGE_ALLOWED = False


def execute(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
