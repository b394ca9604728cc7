"""Reference lists from the Home Office statistics and the Channel Duty Guidance, with effective dates.

Categories change (types of concern were revised in 2023 and 2024), so old values are end-dated,
never deleted: cases keep the category they were recorded with.
"""

from datetime import date

from django.db import migrations

D2015 = date(2015, 4, 1)
D2023 = date(2023, 4, 1)
D2024 = date(2024, 4, 1)

VALUES = {
    "concern_type": [
        ("islamist", "Islamist", D2015, None),
        ("extreme_right_wing", "Extreme right-wing", D2015, None),
        ("left_wing", "Left-wing, anarchist or single issue", D2015, None),
        ("mixed_unclear_unstable", "Mixed, unclear or unstable", D2015, date(2023, 3, 31)),
        ("conflicted", "Conflicted", D2023, None),
        ("no_ideology", "No identified ideology (vulnerability present)", D2023, None),
        ("school_massacre", "School massacre", D2023, date(2024, 3, 31)),
        ("extreme_violence", "Fascination with extreme violence or mass casualty attacks", D2024, None),
        ("other", "Other", D2015, None),
    ],
    "source_sector": [
        ("education", "Education", D2015, None),
        ("higher_education", "Higher education", D2015, None),
        ("police", "Police", D2015, None),
        ("local_authority", "Local authority", D2015, None),
        ("health", "Health", D2015, None),
        ("community", "Community", D2015, None),
        ("family_friend", "Family or friend", D2015, None),
        ("prisons_probation", "Prisons or probation", D2015, None),
        ("other", "Other", D2015, None),
    ],
    "age_band": [
        ("under_15", "Under 15", D2015, date(2024, 3, 31)),
        ("15_20", "15 to 20", D2015, date(2024, 3, 31)),
        ("under_11", "10 and under", D2024, None),
        ("11_15", "11 to 15", D2024, None),
        ("16_17", "16 to 17", D2024, None),
        ("18_20", "18 to 20", D2015, None),
        ("21_30", "21 to 30", D2015, None),
        ("31_40", "31 to 40", D2015, None),
        ("41_plus", "41 and over", D2015, None),
    ],
    "screening_outcome": [
        ("closed_nfa", "No further action", D2015, None),
        ("signposted", "Signposted to other services", D2015, None),
        ("police_led", "Police-led (Prevent case management)", D2015, None),
        ("referred_to_channel", "Referred to Channel", D2015, None),
    ],
    "panel_decision": [
        ("adopt", "Adopt as a Channel case", D2015, None),
        ("not_adopt", "Do not adopt", D2015, None),
        ("defer", "Defer for more information", D2015, None),
        ("continue_support", "Continue support", D2015, None),
        ("exit", "Exit from Channel", D2015, None),
    ],
    "consent_status": [
        ("given", "Given", D2015, None),
        ("refused", "Refused", D2015, None),
        ("withdrawn", "Withdrawn", D2015, None),
    ],
    "support_type": [
        ("ideological_mentoring", "Ideological or theological mentoring", D2015, None),
        ("mental_health", "Mental health support", D2015, None),
        ("education", "Education support", D2015, None),
        ("employment", "Employment support", D2015, None),
        ("housing", "Housing support", D2015, None),
        ("life_skills", "Life skills", D2015, None),
        ("anger_management", "Anger management", D2015, None),
        ("counselling", "Counselling or CBT", D2015, None),
        ("diversionary", "Diversionary activity", D2015, None),
        ("family", "Family support", D2015, None),
        ("other", "Other support", D2015, None),
    ],
    "exit_reason": [
        ("vulnerability_reduced", "Susceptibility removed or significantly reduced", D2015, None),
        ("consent_withdrawn", "Consent withdrawn", D2015, None),
        ("transferred", "Transferred to another area", D2015, None),
        ("escalated", "Escalated to police", D2015, None),
        ("other", "Other", D2015, None),
    ],
}


def seed(apps, schema_editor):
    ReferenceValue = apps.get_model("cases", "ReferenceValue")
    for list_name, values in VALUES.items():
        for order, (code, label, start, end) in enumerate(values):
            ReferenceValue.objects.update_or_create(
                list_name=list_name,
                code=code,
                defaults={"label": label, "effective_from": start, "effective_to": end, "order": order},
            )


def unseed(apps, schema_editor):
    ReferenceValue = apps.get_model("cases", "ReferenceValue")
    ReferenceValue.objects.filter(list_name__in=list(VALUES)).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
