"""Writes with business meaning for cases, one module per workflow. Callers import the workflow module
(`from cases.services import stages`, then `stages.move_case(...)`); this package re-exports nothing.

- stages: the stage machine, `refuse` and `change_stage` (the one write that moves a case), move_case
- referrals: matching earlier subjects, case numbers, create_referral
- casework: consent, notes, assessments, the support plan, actions and reviews
- meetings: planning, the agenda, invitations, circulation, attendance, discussion, approving the minutes
- decisions: which decisions a stage allows, the quorum, record_decision
- sittings: the checks every record about a meeting makes first (locked minutes, not yet started)

Every write is keyword-only, atomic and audited. The stage machine and the statutory rules of the
Counter-Terrorism and Security Act 2015 (s.36-38) and the Channel Duty Guidance are enforced here; a
refusal raises ValidationError with a message naming the rule, and changes nothing. Who may call each
function is decided beforehand by sharing.access; these functions trust their caller on that.
"""

from __future__ import annotations
