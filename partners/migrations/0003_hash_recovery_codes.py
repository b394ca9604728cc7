"""Existing recovery codes, kept by django-otp's static device as typed, become keyed digests.

Each user's static device becomes a RecoveryCodeSet (same name, throttling state and timestamps) holding
HMAC-SHA256 digests of the unused codes under the key partners/recovery_codes.py uses; the plain tokens
are then deleted. The digest is written out here, not imported, so this migration keeps doing what it did
if that module changes. A lazy upgrade (hashing each code when next used) was not chosen: codes never
used would stay readable in the database for ever.

Not reversible: a digest cannot be turned back into its code. Reversing this migration leaves the
digests in place (and the rollback of 0002 drops them): users then set up new recovery codes.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import migrations
from django.utils.crypto import salted_hmac

KEY_SALT = "partners.recovery_codes"


def digest(token: str) -> str:
    code = token.strip().replace(" ", "").replace("-", "").lower()
    return salted_hmac(KEY_SALT, code, secret=settings.SECRET_KEY, algorithm="sha256").hexdigest()


def hash_static_tokens(apps: Any, schema_editor: Any) -> None:
    StaticDevice = apps.get_model("otp_static", "StaticDevice")
    RecoveryCodeSet = apps.get_model("partners", "RecoveryCodeSet")
    RecoveryCode = apps.get_model("partners", "RecoveryCode")
    for device in StaticDevice.objects.all().order_by("pk"):
        codes = RecoveryCodeSet.objects.create(
            user_id=device.user_id,
            name=device.name,
            confirmed=device.confirmed,
            throttling_failure_timestamp=device.throttling_failure_timestamp,
            throttling_failure_count=device.throttling_failure_count,
            created_at=device.created_at,
            last_used_at=device.last_used_at,
        )
        RecoveryCode.objects.bulk_create(
            RecoveryCode(device=codes, digest=digest(token.token)) for token in device.token_set.all()
        )
    StaticDevice.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0002_recovery_codes"),
        ("otp_static", "0003_add_timestamps"),
    ]

    # Deliberately irreversible in effect: the plain codes are gone (see the module docstring).
    operations = [migrations.RunPython(hash_static_tokens, migrations.RunPython.noop)]
