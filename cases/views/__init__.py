"""Case and panel pages, one module per workflow, each view shaped access → form → service → redirect:

- case_list: the case list, search and the dashboard's filters
- referrals: logging a referral, with the earlier cases of a matching person
- case_page: the case page's tabs
- casework: changes made from the case page (move, screen, notes, assessments, consent, plan, actions,
  reviews) and the way to a decision
- dashboard: the chair's dashboard
- meetings: panel meetings, the agenda, invitations, circulation and attendance
- meeting_mode: one agenda item at the meeting (decision, actions, discussion)
- minutes: the minutes, their approval and each reader's PDF copy

Cases are reached only through sharing.access (access_case, visible_cases), meetings through
access_meeting and access_minutes; each records the access.
"""

from __future__ import annotations
