from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from partners.forms import SignInForm
from partners.middleware import mfa_not_required
from partners.passkey_views import passkey_list, remove_passkey
from partners.views import (
    change_password,
    extend_session,
    home,
    keep_alive,
    mfa_enrol,
    mfa_qr,
    mfa_verify,
    session_status,
    set_up_account,
    sign_out,
)
from prevent_panel.views import healthz

admin.site.site_header = "Prevent Panel reference data"
admin.site.site_title = "Prevent Panel admin"


@login_not_required
def admin_sign_in(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    # One way in, with lockout and the second factor: the admin's own password form is not offered.
    return redirect_to_login(request.GET.get("next", "/admin/"))


admin.site.login = admin_sign_in  # type: ignore[method-assign]

urlpatterns = [
    path("", home, name="home"),
    path(
        "sign-in/",
        mfa_not_required(
            auth_views.LoginView.as_view(
                template_name="partners/sign_in.html",
                authentication_form=SignInForm,
                redirect_authenticated_user=True,
            )
        ),
        name="login",
    ),
    path("sign-out/", sign_out, name="logout"),
    path("account/password/", change_password, name="change_password"),
    path("account/set-up/", set_up_account, name="account_set_up"),
    path("account/two-factor/", mfa_verify, name="mfa_verify"),
    path("account/two-factor/set-up/", mfa_enrol, name="mfa_enrol"),
    path("account/two-factor/set-up/qr-code.svg", mfa_qr, name="mfa_qr"),
    path("account/passkeys/", passkey_list, name="passkeys"),
    path("account/passkeys/<int:pk>/remove/", remove_passkey, name="remove_passkey"),
    path("account/passkeys/webauthn/", include("partners.passkey_urls")),
    path("account/session/extend/", extend_session, name="extend_session"),
    path("account/session/keep-alive/", keep_alive, name="keep_alive"),
    path("account/session/", session_status, name="session_status"),
    path("healthz", healthz, name="healthz"),
    path("cases/", include("cases.urls")),
    path("sharing/", include("sharing.urls")),
    path("audit/", include("audit.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "prevent_panel.views.bad_request"
handler403 = "prevent_panel.views.permission_denied"
handler404 = "prevent_panel.views.page_not_found"
