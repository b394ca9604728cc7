from __future__ import annotations

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Cases: the Channel process"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from audit import services as audit

        # The postcode district table is kept in the admin: its changes are audited with their values,
        # which decide who sees cases and are not personal data.
        postcode_area = self.get_model("PostcodeArea")
        auditlog.register(postcode_area)
        audit.show_values(
            postcode_area,
            [
                "district",
                "local_authority_code",
                "local_authority_area",
                "police_force_code",
                "police_force_area",
                "effective_from",
                "effective_to",
            ],
        )
