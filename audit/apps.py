from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit: the append-only access log"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from audit import receivers, triggers

        connection_created.connect(triggers.register_sqlite_functions)
        _ = receivers  # connects the signal receivers
