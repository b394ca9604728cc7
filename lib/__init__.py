"""The ground floor: helpers every app may use, which import no app of this project.

GOV.UK form pieces and the one way a refused service call becomes a form error (`lib.forms`), the
shape of a form page (`lib.views`), the safe PDF renderer (`lib.pdf`) and a formula-safe CSV writer
(`lib.csv`). Anything here that needed to know about cases, sharing or the audit log would belong in
that app instead.
"""
