"""The gate for a case's special-category details (ethnicity, religion or belief, health): held apart,
seen only by the owning council and by holders of a full grant that explicitly includes them.

Asked of the ways in sharing/policy.py (Way.special), as sharing.access asks them for the case itself:
the list (`special_category_cases`), the answer for a template (`can_see_special_category`) and the gate
(`access_special_category`) are built from the same openings, so they cannot disagree. The gate records
every look, allowed or refused, as case.special_category_viewed, never with the values; call it after
sharing.access.access_case, which has already answered 404 for a case the person cannot see.
"""

from __future__ import annotations

import operator
from functools import reduce
from typing import Any

from django.core.exceptions import PermissionDenied

from audit import services as audit
from cases.models import Case, CaseQuerySet, SpecialCategory
from sharing.policy import WAYS, Capability, Opening, role_allows

VIEWED_EVENT = "case.special_category_viewed"


def special_openings(user: Any) -> list[Opening]:
    """What each way opens of the special-category details to this user (none for a role that may not
    see them: VIEW_SPECIAL_CATEGORY in ROLE_ACTIONS)."""
    if not role_allows(user, Capability.VIEW_SPECIAL_CATEGORY):
        return []
    return [opening for way in WAYS if (opening := way.special(user)) is not None]


def special_category_cases(user: Any) -> CaseQuerySet:
    """Every case whose special-category details the user may see, as one query. Records nothing."""
    ids = [opening.ids.order_by() for opening in special_openings(user)]
    if not ids:
        return Case.objects.none()
    return Case.objects.filter(pk__in=ids[0].union(*ids[1:], all=True) if len(ids) > 1 else ids[0])


def can_see_special_category(user: Any, case: Case) -> bool:
    """For templates and tabs: may this user see this case's special-category details? Records nothing."""
    conditions = [opening.condition for opening in special_openings(user)]
    return bool(conditions) and Case.objects.filter(reduce(operator.or_, conditions), pk=case.pk).exists()


def access_special_category(user: Any, case: Case) -> SpecialCategory | None:
    """The gate: the case's special-category details (None when none are recorded yet), for a case the
    user reached through access_case. Records the look as case.special_category_viewed, allowed or
    denied, before returning; raises PermissionDenied (403: the case itself is visible) when no way
    opens them to the user."""
    if not can_see_special_category(user, case):
        audit.record_denied(actor=user, event=VIEWED_EVENT, obj=case, case_reference=case.number, reason="not included")
        raise PermissionDenied
    audit.record(event=VIEWED_EVENT, actor=user, obj=case, case_reference=case.number)
    return SpecialCategory.objects.filter(case=case).select_related("recorded_by__agency").first()
