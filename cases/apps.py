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
        # Each council's panel sets its own procedure (s.37(7)): changes audited with their values, the
        # deputy chairs by username.
        panel = self.get_model("Panel")
        auditlog.register(panel, m2m_fields={"deputy_chairs"})
        audit.show_values(
            panel,
            [
                "council",
                "deputy_chairs",
                "review_interval_weeks",
                "reassessment_after_weeks",
                "review_window_days",
                "quorum_agency_kinds",
                "quorum_minimum_present",
            ],
        )
