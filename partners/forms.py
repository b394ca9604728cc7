from __future__ import annotations

from typing import Any

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
    """At every sign-in: a code from the app or, on request, one of the recovery codes (the service takes
    either in this box; the words and the keyboard follow what the person said they have). The app's code
    is digits, so phones show the number pad; recovery codes have letters, so they get the full keyboard.
    The box has the focus when it is the one thing on the page (not when a passkey is offered first)."""

    code = forms.CharField(
        label="Security code",
        help_text="The 6-digit code from your authenticator app.",
        max_length=24,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "class": "govuk-input--width-10",
            }
        ),
        error_messages={"required": "Enter the security code from your authenticator app"},
    )

    def __init__(self, *args: Any, recovery: bool = False, autofocus: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        if recovery:
            field.label = "Recovery code"
            field.help_text = "One of the recovery codes you saved when you set up the app, like abcd-efgh-jkmn-pqrs."
            field.error_messages["required"] = "Enter one of your recovery codes"
            field.widget.attrs.pop("inputmode")
            field.widget.attrs.update(
                {"autocomplete": "off", "autocapitalize": "none", "class": "govuk-input--width-20"}
            )
        if autofocus:
            field.widget.attrs["autofocus"] = True
