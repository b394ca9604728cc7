"""Disclosures of a case: who it was disclosed to (the police of the person's area now and before,
providers of its support, grants past and present, invitees of meetings whose minutes covered it, those
already told of a correction), and the one writer of the register,
`record_disclosure`. UK GDPR Art 19: those a record was disclosed to are told when it is corrected."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Q

from audit import services as audit
from cases.models import Case, Invitation, MeetingStatus, SupportElement
from partners.models import Agency, AgencyKind, User
from sharing.models import Disclosure, DisclosureBasis, DisclosureKind, ShareGrant
from sharing.tasks import notify_disclosure


@dataclass
class Recipient:
    """An agency or one person the case was disclosed to, and each way it was, in words. `key` names
    them in a form ("agency:3", "user:12") without a name."""

    agency: Agency | None = None
    user: User | None = None
    why: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"agency:{self.agency.pk}" if self.agency is not None else f"user:{self.user.pk}"  # type: ignore[union-attr]

    @property
    def name(self) -> str:
        if self.agency is not None:
            return self.agency.name
        assert self.user is not None  # noqa: S101 - one of the two, as the tables' constraints say
        return f"{self.user.get_full_name() or self.user.username} ({self.user.agency.name})"


def disclosed_to(case: Case) -> list[Recipient]:
    """Everyone outside the owning council the case was disclosed to, each once with every way it was: the
    police forces of the person's area (every case there is theirs to see) and of any area they lived in
    before, providers named on its support, holders of grants (past and present), agencies and people
    invited to meetings whose approved minutes covered the case, and those told of an earlier correction."""
    found: dict[str, Recipient] = {}

    def add(agency: Agency | None, user: User | None, why: str) -> None:
        if (agency or user.agency).pk == case.owning_agency_id:  # type: ignore[union-attr]
            return
        recipient = Recipient(agency=agency, user=user if agency is None else None)
        recipient = found.setdefault(recipient.key, recipient)
        if why not in recipient.why:
            recipient.why.append(why)

    moves = case.area_changes.exclude(old_police_force_area=F("new_police_force_area")).order_by("at")
    earlier = {change.old_police_force_area: change.at for change in moves}
    areas = [(case.subject.police_force_area, "Police for the person's area")] + [
        (area, f"Police for the person's earlier area, until {at:%-d %B %Y}") for area, at in earlier.items()
    ]
    for area, why in areas:
        for force in Agency.objects.filter(kind=AgencyKind.POLICE, police_force_area=area, is_active=True).order_by(
            "name"
        ):
            add(force, None, why)
    elements = SupportElement.objects.filter(plan__case=case).select_related("provider", "provider_user__agency")
    for element in elements.order_by("starts_on", "id"):
        add(element.provider, None, f"Provides support under the plan from {element.starts_on:%-d %B %Y}")
    grants = ShareGrant.objects.filter(case=case).select_related("agency", "user__agency").order_by("starts_at", "id")
    for grant in grants:
        add(grant.agency, grant.user, f"{grant.get_kind_display()} from {grant.starts_at:%-d %B %Y}")
    minuted = case.agenda_items.filter(meeting__status=MeetingStatus.APPROVED).values("meeting_id")
    invitations = (
        Invitation.objects.filter(meeting_id__in=minuted)
        .filter(Q(cases__isnull=True) | Q(cases=case))
        .select_related("agency", "user__agency", "meeting")
        .distinct()
    )
    for invitation in invitations.order_by("meeting__held_on", "id"):
        held = f"{invitation.meeting.held_on:%-d %B %Y}"
        add(invitation.agency, invitation.user, f"Invited to the panel meeting on {held}, whose minutes covered it")
    told = case.disclosures.filter(kind=DisclosureKind.CORRECTION_NOTICE).select_related("agency", "user__agency")
    for disclosure in told.order_by("at", "id"):
        add(disclosure.agency, disclosure.user, f"Told of a correction on {disclosure.at:%-d %B %Y}")
    return list(found.values())


@transaction.atomic
def record_disclosure(
    *,
    case: Case,
    actor: User,
    kind: DisclosureKind,
    basis: DisclosureBasis,
    what: str,
    agency: Agency | None = None,
    user: User | None = None,
    email: bool = False,
) -> Disclosure:
    """Record that `what` (words with no personal data beyond the case number) was told to one agency or
    one person; with `email`, they are emailed it after commit. The caller has checked who may disclose.
    Audited as sharing.disclosed (the kind and the recipient's code or username, never `what`)."""
    disclosure = Disclosure.objects.create(
        case=case, agency=agency, user=user, kind=kind, basis=basis, what=what, disclosed_by=actor
    )
    audit.record(
        event="sharing.disclosed",
        actor=actor,
        obj=disclosure,
        action=audit.EntryKind.CREATE,
        case_reference=case.number,
        detail={
            "kind": str(kind),
            "to_agency": agency.code if agency is not None else None,
            "to_user": user.username if user is not None else None,
        },
    )
    if email:
        notify_disclosure.delay_on_commit(disclosure.pk)
    return disclosure
