from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm

from prevent_panel.forms import GovUKFormMixin


class SignInForm(GovUKFormMixin, AuthenticationForm):
    error_messages = {
        # One message for an unknown user and a wrong password, so sign-in reveals no usernames.
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "Enter a correct username and password. Both are case-sensitive.",
    }


class ChangePasswordForm(GovUKFormMixin, PasswordChangeForm):
    pass
