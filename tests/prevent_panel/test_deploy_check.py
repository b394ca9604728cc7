"""`manage.py check --deploy` is clean with production settings, and the HTTPS switch sets the cookies
(test plan T01); `make test` runs the deployment check and bandit (T02)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, **overrides: str) -> subprocess.CompletedProcess[str]:
    # DJANGO_ALLOW_ASYNC_UNSAFE comes from the browser tests' conftest; production never sets it.
    unset = {"DATABASE_URL", "DEBUG", "HTTPS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    environment.update(
        {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "AUDIT_SEAL_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "panel.example.org",
            **overrides,
        }
    )
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, check=False
    )


def test_production_settings_pass_the_deployment_check_with_no_warnings() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_plain_http_settings_would_fail_it() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", HTTPS="false")
    assert result.returncode != 0
    assert "security.W008" in result.stderr and "security.W012" in result.stderr


def test_the_https_switch_sets_cookie_names_and_flags() -> None:
    show = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.SECURE_SSL_REDIRECT)"
    )
    assert manage("shell", "-v", "0", "-c", show).stdout.split() == [
        "__Host-sessionid",
        "__Host-csrftoken",
        "True",
        "True",
    ]
    plain = manage("shell", "-v", "0", "-c", show, HTTPS="false").stdout.split()
    assert plain == ["sessionid", "csrftoken", "False", "False"]
    lockout = manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.conf import settings as s; print(s.AXES_COOLOFF_TIME)",
        LOCKOUT_MINUTES="30",
    )
    assert lockout.stdout.strip() == "0:30:00"


def test_make_test_runs_the_deployment_check_and_bandit() -> None:
    makefile = (ROOT / "Makefile").read_text()
    test_line = next(line for line in makefile.splitlines() if line.startswith("test:"))
    assert "deploy-check" in test_line.split() and "bandit" in test_line.split()
    assert "check --deploy --fail-level WARNING" in makefile
    assert "--severity-level medium" in makefile
