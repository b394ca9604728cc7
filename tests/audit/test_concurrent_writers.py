"""Eight writers on PostgreSQL commit out of id order while a sealer runs; the chain still verifies."""

from __future__ import annotations

import random
import threading
import time

import pytest
from django.db import connection, connections, transaction

from audit import services
from audit.models import AuditEntry
from audit.sealing import seal_pending, verify
from tests.base import CommittingTestCase

WRITERS = 8
ENTRIES_EACH = 40


class ConcurrentWritersTestCase(CommittingTestCase):
    def test_eight_writers_and_a_sealer_produce_a_chain_that_verifies(self) -> None:
        if connection.vendor != "postgresql":
            pytest.skip("concurrent writers need PostgreSQL")
        errors: list[BaseException] = []
        done = threading.Event()

        def writer(n: int) -> None:
            try:
                rng = random.Random(n)
                for i in range(ENTRIES_EACH):
                    # Hold some transactions open so ids are handed out in one order and commit in another.
                    with transaction.atomic():
                        services.record(event="case.viewed", case_reference=f"PP-2026-{n:02}{i:03}")
                        time.sleep(rng.random() * 0.004)
            except BaseException as error:
                errors.append(error)
            finally:
                connections.close_all()

        def sealer() -> None:
            try:
                while not done.is_set():
                    seal_pending(seal_size=37)
                    time.sleep(0.005)
            except BaseException as error:
                errors.append(error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
        sealing = threading.Thread(target=sealer)
        sealing.start()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        done.set()
        sealing.join()
        self.assertEqual(errors, [])

        seal_pending()
        result = verify()
        self.assertTrue(result.ok, result.problem)
        self.assertEqual(AuditEntry.objects.count(), WRITERS * ENTRIES_EACH)
        self.assertEqual(result.entries, WRITERS * ENTRIES_EACH)
        self.assertEqual(result.unsealed, 0)
        self.assertGreater(result.seals, 1)
