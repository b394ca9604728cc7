from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from partners.forms import SignInForm
from partners.views import change_password, home, sign_out
from prevent_panel.views import healthz

admin.site.site_header = "Prevent Panel reference data"
admin.site.site_title = "Prevent Panel admin"

urlpatterns = [
    path("", home, name="home"),
    path(
        "sign-in/",
        auth_views.LoginView.as_view(
            template_name="partners/sign_in.html",
            authentication_form=SignInForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("sign-out/", sign_out, name="logout"),
    path("account/password/", change_password, name="change_password"),
    path("healthz", healthz, name="healthz"),
    path("cases/", include("cases.urls")),
    path("sharing/", include("sharing.urls")),
    path("audit/", include("audit.urls")),
    path("admin/", admin.site.urls),
]
