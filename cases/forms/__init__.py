"""Forms validate input and nothing else; rules that span records live in cases/services/. One module per
workflow, as the views: case_list, referrals, casework, meetings (meeting mode's forms included).
Callers import the workflow module's forms (`from cases.forms.casework import MoveForm`)."""

from __future__ import annotations

# Yes/no radios (the referral's immediate risk, a decision's health or social care referral).
YES_NO = [("yes", "Yes"), ("no", "No")]
