from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from partners.models import User


class PartnerBackend(ModelBackend):
    """Django's model backend, loading the user's agency with the user: every page shows it."""

    def get_user(self, user_id: Any) -> User | None:
        user = User.objects.select_related("agency").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
