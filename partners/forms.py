from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm

from lib.forms import GovUKFormMixin


class SignInForm(GovUKFormMixin, AuthenticationForm):
    error_messages = {
        # One message for an unknown user and a wrong password, so sign-in reveals no usernames.
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "Enter a correct username and password. Both are case-sensitive.",
    }


class ChangePasswordForm(GovUKFormMixin, PasswordChangeForm):
    pass


class SetUpPasswordForm(GovUKFormMixin, SetPasswordForm):
    """Through a set-up link: the person chooses their own password (the password policy applies)."""


class TOTPCodeForm(GovUKFormMixin, forms.Form):
    """The 6-digit code from an authenticator app, at enrolment."""

    code = forms.CharField(
        label="Enter the 6-digit code from the app",
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "class": "govuk-input--width-10",
            }
        ),
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
    )


class SecondFactorForm(GovUKFormMixin, forms.Form):
    """At every sign-in: a code from the app, or one of the recovery codes."""

    code = forms.CharField(
        label="Security code",
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
        max_length=24,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "spellcheck": "false", "class": "govuk-input--width-10"}
        ),
        error_messages={"required": "Enter the security code from your authenticator app"},
    )
