from __future__ import annotations

from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partners: agencies and users"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from partners import mfa

        _ = mfa  # connects the receiver that starts every password sign-in unverified

        # Account and membership changes are audited (field names only; values are stripped).
        auditlog.register(self.get_model("Agency"))
        auditlog.register(self.get_model("User"), exclude_fields=["password", "last_login"], m2m_fields={"groups"})
