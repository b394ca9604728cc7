from __future__ import annotations

from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partners: agencies and users"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from audit import services as audit
        from partners import mfa

        _ = mfa  # connects the receiver that starts every password sign-in unverified

        # Account and membership changes are audited: field names only (values are stripped), except the
        # values that decide access, which are not personal data and which an auditor must be able to read.
        agency, user = self.get_model("Agency"), self.get_model("User")
        auditlog.register(agency)
        auditlog.register(user, exclude_fields=["password", "last_login"], m2m_fields={"groups"})
        audit.show_values(agency, ["name", "code", "kind", "local_authority_area", "police_force_area", "is_active"])
        audit.show_values(user, ["agency", "role", "is_active", "is_staff", "is_superuser"])
