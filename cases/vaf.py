"""The Vulnerability Assessment Framework: three dimensions assessed separately, 22 factors.

Factor wording follows the Channel Duty Guidance; the framework allows factors to be added, so custom
factors are kept with their assessment rather than here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Dimension(models.TextChoices):
    ENGAGEMENT = "engagement", "Engagement with a group, cause or ideology"
    INTENT = "intent", "Intent to cause harm"
    CAPABILITY = "capability", "Capability to cause harm"


class Rating(models.IntegerChoices):
    NOT_PRESENT = 0, "Not present"
    LOW = 1, "Low"
    MEDIUM = 2, "Medium"
    HIGH = 3, "High"


FACTORS: list[tuple[str, Dimension, str]] = [
    ("grievance", Dimension.ENGAGEMENT, "Feelings of grievance and injustice"),
    ("threat", Dimension.ENGAGEMENT, "Feeling under threat"),
    ("identity", Dimension.ENGAGEMENT, "Need for identity, meaning and belonging"),
    ("status", Dimension.ENGAGEMENT, "Desire for status"),
    ("excitement", Dimension.ENGAGEMENT, "Desire for excitement and adventure"),
    ("dominance", Dimension.ENGAGEMENT, "Need to dominate and control others"),
    ("indoctrination", Dimension.ENGAGEMENT, "Susceptibility to indoctrination"),
    ("change", Dimension.ENGAGEMENT, "Desire for political, social or moral change"),
    ("opportunistic", Dimension.ENGAGEMENT, "Opportunistic involvement"),
    ("networks", Dimension.ENGAGEMENT, "Family or friends involved in extremism"),
    ("transition", Dimension.ENGAGEMENT, "Being at a transitional time of life"),
    ("group_influence", Dimension.ENGAGEMENT, "Being influenced or controlled by a group"),
    ("health", Dimension.ENGAGEMENT, "Relevant mental health issues"),
    ("over_identification", Dimension.INTENT, "Over-identification with a group or ideology"),
    ("them_and_us", Dimension.INTENT, "'Them and us' thinking"),
    ("dehumanisation", Dimension.INTENT, "Dehumanisation of the enemy"),
    ("justify_offending", Dimension.INTENT, "Attitudes that justify offending"),
    ("harmful_means", Dimension.INTENT, "Harmful means to an end"),
    ("harmful_objectives", Dimension.INTENT, "Harmful objectives"),
    ("knowledge", Dimension.CAPABILITY, "Individual knowledge, skills and competencies"),
    ("access", Dimension.CAPABILITY, "Access to networks, funding or equipment"),
    ("criminal", Dimension.CAPABILITY, "Criminal history or criminal capability"),
]
FACTOR_LABELS = {code: label for code, _, label in FACTORS}


def factor_label(code: str) -> str:
    """A factor's name, never its key: a custom factor kept with its assessment gets its key in words."""
    return FACTOR_LABELS.get(code) or code.replace("_", " ").capitalize()


@dataclass(frozen=True)
class FactorChange:
    """How one factor's rating changed between two versions of an assessment, in words (issue 15 finding
    10: not "excitement: not rated to 2")."""

    code: str
    before: int | None  # None: the earlier version did not rate this factor
    after: int

    @property
    def label(self) -> str:
        return factor_label(self.code)

    def __str__(self) -> str:
        now = Rating(self.after).label.lower()
        if self.before is None:
            return f"{self.label}: rated {now} (not rated in the earlier version)"
        was = Rating(self.before).label.lower()
        direction = "up" if self.after > self.before else "down"
        return f"{self.label}: {direction} from {was} to {now}"
