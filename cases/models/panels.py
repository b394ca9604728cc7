"""A council's Channel panel and the procedure it sets for itself (CTSA 2015 s.37(7): "the panel may
otherwise set its own procedure"): its deputy chairs, how often support is reviewed, when a case whose
support was withdrawn is re-assessed, when a post-exit review may be completed, and the local part of
the quorum. One row per council; a council without one works to the defaults below."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

# The defaults a council's panel works to until an administrator sets its own (documented in README).
DEFAULT_REVIEW_INTERVAL_WEEKS = 12
DEFAULT_REASSESSMENT_AFTER_WEEKS = 12
DEFAULT_REVIEW_WINDOW_DAYS = 28


class PanelQuerySet(models.QuerySet["Panel"]):
    def for_council(self, council: object) -> Panel:
        """The council's panel, or (unsaved) one with the defaults when none has been set up."""
        panel = self.filter(council=council).first()  # type: ignore[misc]
        return panel if panel is not None else Panel(council=council)  # type: ignore[misc]


class Panel(models.Model):
    council = models.OneToOneField(
        "partners.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": "local_authority"},
        help_text="The council whose Channel panel this is (CTSA 2015 s.36(1)).",
    )
    deputy_chairs = models.ManyToManyField(
        "partners.User",
        blank=True,
        related_name="+",
        help_text="People of the council who count as the chair when they are present (CTSA 2015 s.37(5)).",
    )
    review_interval_weeks = models.PositiveSmallIntegerField(
        "In-programme review every (weeks)",
        default=DEFAULT_REVIEW_INTERVAL_WEEKS,
        db_default=DEFAULT_REVIEW_INTERVAL_WEEKS,
        help_text="How long after support starts, or after the last review, the next review is due.",
    )
    reassessment_after_weeks = models.PositiveSmallIntegerField(
        "Re-assessment after withdrawn support (weeks)",
        default=DEFAULT_REASSESSMENT_AFTER_WEEKS,
        db_default=DEFAULT_REASSESSMENT_AFTER_WEEKS,
        help_text="When the panel withdraws support, the re-assessment falls due this long after (s.36(4)(e)).",
    )
    review_window_days = models.PositiveSmallIntegerField(
        "Post-exit review window (days before it is due)",
        default=DEFAULT_REVIEW_WINDOW_DAYS,
        db_default=DEFAULT_REVIEW_WINDOW_DAYS,
        help_text="A 6- or 12-month post-exit review can be completed from this many days before its due date.",
    )
    # The local part of the quorum, on top of the statutory chair and police for the subject's area
    # (s.37(3)): agency kinds (partners.AgencyKind values) that must each have someone present, and a
    # smallest number of people present.
    quorum_agency_kinds = models.JSONField(default=list, blank=True)
    quorum_minimum_present = models.PositiveSmallIntegerField(
        "At least this many people present", default=0, db_default=0, help_text="0 for no local minimum."
    )
    updated_at = models.DateTimeField(default=timezone.now)

    objects = PanelQuerySet.as_manager()

    class Meta:
        ordering = ["council__name"]

    def __str__(self) -> str:
        return f"Panel {self.council_id}"
