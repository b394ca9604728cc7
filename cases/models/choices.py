"""The fixed lists the Channel records choose from: stages, statuses, kinds and outcomes, and the groups of
stages that several modules (and the case queryset) read. Reference lists that the Home Office changes
over time are data instead (reference.ReferenceValue)."""

from __future__ import annotations

from django.db import models


class ReferenceList(models.TextChoices):
    CONCERN_TYPE = "concern_type", "Type of concern"
    SOURCE_SECTOR = "source_sector", "Referral source sector"
    AGE_BAND = "age_band", "Age band"
    SCREENING_OUTCOME = "screening_outcome", "Screening outcome"
    PANEL_DECISION = "panel_decision", "Panel decision"
    CONSENT_STATUS = "consent_status", "Consent status"
    SUPPORT_TYPE = "support_type", "Support type"
    EXIT_REASON = "exit_reason", "Exit reason"


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    NOT_SPECIFIED = "not_specified", "Not specified"


class Stage(models.TextChoices):
    RECEIVED = "received", "Received"
    POLICE_SCREENING = "police_screening", "Police screening"
    CLOSED_NFA = "closed_nfa", "Closed: no further action"
    SIGNPOSTED = "signposted", "Signposted"
    POLICE_LED = "police_led", "Police-led"
    REFERRED_TO_CHANNEL = "referred_to_channel", "Referred to Channel"
    INFORMATION_GATHERING = "information_gathering", "Information gathering"
    PRELIMINARY_ASSESSMENT = "preliminary_assessment", "Preliminary assessment"
    LISTED_FOR_PANEL = "listed_for_panel", "Listed for panel"
    NOT_ADOPTED = "not_adopted", "Not adopted"
    DEFERRED = "deferred", "Deferred"
    ADOPTED = "adopted", "Adopted"
    CONSENT_SOUGHT = "consent_sought", "Consent sought"
    CONSENT_REFUSED = "consent_refused", "Consent refused"
    REASSESSMENT_SCHEDULED = "reassessment_scheduled", "Re-assessment scheduled"
    SUPPORT_ACTIVE = "support_active", "Support active"
    UNDER_REVIEW = "under_review", "Under review"
    EXITED = "exited", "Exited"
    POST_EXIT_REVIEW_6 = "post_exit_review_6", "Post-exit review (6 months)"
    POST_EXIT_REVIEW_12 = "post_exit_review_12", "Post-exit review (12 months)"
    CLOSED = "closed", "Closed"


SUPPORT_STAGES = frozenset({Stage.SUPPORT_ACTIVE, Stage.UNDER_REVIEW})
# While a case is at one of these a provider named on its support sees it (sharing.policy.current_support):
# an exit, a withdrawal of consent (re-assessment scheduled) or any other move out ends their access.
DELIVERY_STAGES = frozenset({Stage.CONSENT_SOUGHT, *SUPPORT_STAGES})
POST_EXIT_STAGES = frozenset({Stage.EXITED, Stage.POST_EXIT_REVIEW_6, Stage.POST_EXIT_REVIEW_12})
# A review "due" on the dashboard falls within this many days.
REVIEW_DUE_DAYS = 30

OPEN_STAGES = frozenset(Stage) - {Stage.CLOSED_NFA, Stage.SIGNPOSTED, Stage.POLICE_LED, Stage.NOT_ADOPTED, Stage.CLOSED}


class NoteVisibility(models.TextChoices):
    EVERYONE = "everyone", "Everyone who can see the case"
    ORIGINATOR = "originator", "My agency only"
    NAMED = "named", "Named agencies"


class ConsentGiver(models.TextChoices):
    SUBJECT = "subject", "The person"
    PARENT_OR_GUARDIAN = "parent_or_guardian", "A parent or guardian"


class Relationship(models.TextChoices):
    PARENT = "parent", "Parent"
    GUARDIAN = "guardian", "Guardian"
    CARER = "carer", "Carer"
    SIBLING = "sibling", "Brother or sister"
    PARTNER = "partner", "Partner"
    OTHER = "other", "Other"


class Capacity(models.TextChoices):
    """Whether the person's capacity to make the decision was considered. From 16 the Mental Capacity Act
    2005 applies: capacity is assumed unless it is established that they lack it (s.1(2)), decision by
    decision (s.2(1))."""

    NOT_IN_QUESTION = "not_in_question", "Not in question: capacity is assumed"
    HAS_CAPACITY = "has_capacity", "Considered: able to make this decision"
    LACKS_CAPACITY = "lacks_capacity", "Considered: not able to make this decision"


class ConsentStatus(models.TextChoices):
    GIVEN = "given", "Given"
    REFUSED = "refused", "Refused"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"


class ReviewKind(models.TextChoices):
    IN_PROGRAMME = "in_programme", "In-programme review"
    POST_EXIT_6 = "post_exit_6", "Post-exit review at 6 months"
    POST_EXIT_12 = "post_exit_12", "Post-exit review at 12 months"
    REASSESSMENT = "reassessment", "Re-assessment after refused or withdrawn consent, or withdrawn support"


class DecisionOutcome(models.TextChoices):
    ADOPT = "adopt", "Adopt as a Channel case"
    NOT_ADOPT = "not_adopt", "Do not adopt"
    DEFER = "defer", "Defer for more information"
    CONTINUE_SUPPORT = "continue_support", "Continue support"
    EXIT = "exit", "Exit from Channel"
    # CTSA 2015 s.36(4)(d)-(e): the panel withdraws support and the case is re-assessed later.
    WITHDRAW = "withdraw", "Withdraw support"


class NotAdoptedRoute(models.TextChoices):
    """Where a case the panel does not adopt goes instead (CTSA 2015 s.36(6) and the Channel duty guidance)."""

    SIGNPOSTED = "signposted", "Signposted to other services"
    NO_FURTHER_ACTION = "no_further_action", "No further action"
    POLICE_LED = "police_led", "Returned to police-led work"


class CareService(models.TextChoices):
    """The health or social care service a not-adopted case was referred to (s.36(6))."""

    HEALTH = "health", "Health services"
    CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
    ADULT_SOCIAL_CARE = "adult_social_care", "Adult social care"
    OTHER = "other", "Another service"


class HowReached(models.TextChoices):
    UNANIMOUS = "unanimous", "Unanimous"
    MAJORITY = "majority", "Majority"
    CHAIR = "chair", "Chair's decision"


class AgendaKind(models.TextChoices):
    LISTED = "listed", "Listed for panel"
    REVIEW = "review", "Review of support: continue or exit"
    REASSESSMENT = "reassessment", "Re-assessment after refused or withdrawn consent, or withdrawn support"
    DEFERRED = "deferred", "Returning after deferral"
    POST_EXIT_REVIEW = "post_exit_review", "Post-exit review"


# Which stage puts a case on an agenda under which heading (post-exit reviews by their open review).
AGENDA_STAGES: list[tuple[Stage, AgendaKind]] = [
    (Stage.LISTED_FOR_PANEL, AgendaKind.LISTED),
    (Stage.DEFERRED, AgendaKind.DEFERRED),
    (Stage.REASSESSMENT_SCHEDULED, AgendaKind.REASSESSMENT),
    (Stage.UNDER_REVIEW, AgendaKind.REVIEW),
]


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "Agenda being prepared"
    CIRCULATED = "circulated", "Agenda circulated"
    APPROVED = "approved", "Minutes approved"
    CANCELLED = "cancelled", "Cancelled"


class MeetingChangeKind(models.TextChoices):
    RESCHEDULED = "rescheduled", "Rescheduled"
    CANCELLED = "cancelled", "Cancelled"
    CHAIR_CHANGED = "chair_changed", "Chair changed"
