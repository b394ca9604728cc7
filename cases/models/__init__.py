"""The Channel process: subjects, cases and everything recorded about them.

Models hold fields, constraints and who-independent querysets. Who may see any of this is decided in
sharing/access.py; every change with business meaning goes through cases/services/.
`__str__` of every model here returns a reference, never a person's name: it ends up in the audit log.

One module per part of the process; they import in the order the models were first declared, which is
the order Django registers them (content types, the admin) in:

- areas: postcode districts and their council and police force areas (PostcodeArea), and the history of
  a subject's address and areas (AreaChange)
- choices: the fixed lists (stages, statuses, kinds, outcomes) and groups of stages
- reference: reference lists with effective dates (ReferenceValue)
- subjects: Subject, Case (and its queryset), Referral, StageChange
- casework: notes, assessments, consent, the support plan, actions, reviews, decisions
- meetings: panel meetings, agenda items, invitations, attendance
- drafts: referral drafts (the referral form as typed, not yet logged)
- corrections: corrections of a case's records, with their earlier values (UK GDPR Art 16)
- related: the people related to the person a case is about (parents, guardians, carers, others)
- special: special-category details and escalations to the police, held apart from the subject
- support: support as delivered: sessions, the versions of a support element, stalled support
- panels: a council's panel and the procedure it sets (deputy chairs, review interval and window,
  re-assessment period, the local quorum)
- closing: the closing report a case needs before it closes

Every name is importable from cases.models, as before; the app label stays "cases".
"""

from __future__ import annotations

from cases.models.areas import AreaChange, AreaSource, PostcodeArea, PostcodeAreaQuerySet
from cases.models.casework import (
    Action,
    Assessment,
    AssessmentFactor,
    CaseNote,
    Consent,
    Decision,
    Review,
    SupportElement,
    SupportElementQuerySet,
    SupportPlan,
)
from cases.models.choices import (
    AGENDA_STAGES,
    DELIVERY_STAGES,
    OPEN_STAGES,
    POST_EXIT_STAGES,
    REVIEW_DUE_DAYS,
    SUPPORT_STAGES,
    ActionStatus,
    AgendaKind,
    Capacity,
    CareService,
    ConsentGiver,
    ConsentStatus,
    DecisionOutcome,
    Gender,
    HowReached,
    MeetingChangeKind,
    MeetingStatus,
    NotAdoptedRoute,
    NoteVisibility,
    ReferenceList,
    Relationship,
    ReviewKind,
    Stage,
)
from cases.models.closing import ClosingReport
from cases.models.corrections import CORRECTABLE_FIELDS, CorrectedRecord, Correction
from cases.models.drafts import ReferralDraft
from cases.models.meetings import (
    AgendaItem,
    Attendance,
    Invitation,
    MeetingChange,
    PanelMeeting,
    PanelMeetingQuerySet,
)
from cases.models.panels import Panel, PanelQuerySet
from cases.models.reference import (
    ReferenceValue,
    ReferenceValueQuerySet,
)
from cases.models.related import RelatedPerson, RelatedPersonQuerySet
from cases.models.special import (
    Escalation,
    Ethnicity,
    Religion,
    SpecialCategory,
    YesNoNotKnown,
)
from cases.models.subjects import (
    Case,
    CaseQuerySet,
    Referral,
    StageChange,
    Subject,
)
from cases.models.support import (
    SupportChange,
    SupportElementVersion,
    SupportSession,
    SupportStatus,
)

__all__ = [
    "AGENDA_STAGES",
    "CORRECTABLE_FIELDS",
    "DELIVERY_STAGES",
    "OPEN_STAGES",
    "POST_EXIT_STAGES",
    "REVIEW_DUE_DAYS",
    "SUPPORT_STAGES",
    "Action",
    "ActionStatus",
    "AgendaItem",
    "AgendaKind",
    "AreaChange",
    "AreaSource",
    "Assessment",
    "AssessmentFactor",
    "Attendance",
    "Capacity",
    "CareService",
    "Case",
    "CaseNote",
    "CaseQuerySet",
    "ClosingReport",
    "Consent",
    "ConsentGiver",
    "ConsentStatus",
    "CorrectedRecord",
    "Correction",
    "Decision",
    "DecisionOutcome",
    "Escalation",
    "Ethnicity",
    "Gender",
    "HowReached",
    "Invitation",
    "MeetingChange",
    "MeetingChangeKind",
    "MeetingStatus",
    "NotAdoptedRoute",
    "NoteVisibility",
    "Panel",
    "PanelMeeting",
    "PanelMeetingQuerySet",
    "PanelQuerySet",
    "PostcodeArea",
    "PostcodeAreaQuerySet",
    "ReferenceList",
    "ReferenceValue",
    "ReferenceValueQuerySet",
    "Referral",
    "ReferralDraft",
    "RelatedPerson",
    "RelatedPersonQuerySet",
    "Relationship",
    "Religion",
    "Review",
    "ReviewKind",
    "SpecialCategory",
    "Stage",
    "StageChange",
    "Subject",
    "SupportChange",
    "SupportElement",
    "SupportElementQuerySet",
    "SupportElementVersion",
    "SupportPlan",
    "SupportSession",
    "SupportStatus",
    "YesNoNotKnown",
]
