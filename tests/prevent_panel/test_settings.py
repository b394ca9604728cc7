"""A malformed setting stops start-up with a message naming the variable, never a stack trace."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from prevent_panel import env

ROOT = Path(__file__).resolve().parents[2]


def run_check(**overrides: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    environment.update(overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "nonsense"),
        ("DATABASE_URL", "postgres://host:notaport/db"),
        ("DEBUG", "maybe"),
        ("EMAIL_PORT", "twenty-five"),
        ("CELERY_BROKER_URL", "amqp://elsewhere"),
        ("SECRET_KEY", "short"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(variable: str, value: str) -> None:
    result = run_check(**{variable: value})
    assert result.returncode == 2
    assert variable in result.stderr
    assert "Traceback" not in result.stderr


def test_secret_key_is_required_when_debug_is_off() -> None:
    result = run_check(SECRET_KEY="")
    assert result.returncode == 2
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_good_settings_pass_the_check() -> None:
    result = run_check()
    assert result.returncode == 0, result.stderr


def test_database_url_forms(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://alice:p%40ss@db.internal:6543/panel")
    parsed = env.env_database("DATABASE_URL", base_dir=ROOT)
    assert parsed["NAME"] == "panel"
    assert parsed["USER"] == "alice"
    assert parsed["PASSWORD"] == "p@ss"
    assert parsed["HOST"] == "db.internal"
    assert parsed["PORT"] == "6543"
    monkeypatch.setenv("DATABASE_URL", "sqlite:///var/other.sqlite3")
    assert env.env_database("DATABASE_URL", base_dir=ROOT)["NAME"] == ROOT / "var" / "other.sqlite3"
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/abs.sqlite3")
    assert env.env_database("DATABASE_URL", base_dir=ROOT)["NAME"] == Path("/tmp/abs.sqlite3")  # noqa: S108
    monkeypatch.delenv("DATABASE_URL")
    assert env.env_database("DATABASE_URL", base_dir=ROOT)["NAME"] == ROOT / "var" / "db.sqlite3"


def test_env_helpers_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_FLAG", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env.env_bool("SOME_FLAG")
    monkeypatch.setenv("SOME_NUMBER", "-3")
    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER must be at least 0"):
        env.env_int("SOME_NUMBER", 1, minimum=0)
    monkeypatch.setenv("SOME_SECRET_FILE", "/nonexistent/secret")
    with pytest.raises(ImproperlyConfigured, match="SOME_SECRET_FILE"):
        env.env_secret("SOME_SECRET")


def test_env_secret_reads_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("SOME_SECRET_FILE", str(secret))
    assert env.env_secret("SOME_SECRET") == "from-a-file"


def test_env_example_lists_every_variable_the_settings_read() -> None:
    source = (ROOT / "prevent_panel" / "settings.py").read_text()
    import re

    read = set(re.findall(r'env_\w+\("([A-Z_]+)"', source))
    listed = {line.split("=")[0] for line in (ROOT / ".env.example").read_text().splitlines() if "=" in line}
    assert read, "no variables found: the pattern no longer matches settings.py"
    assert read <= listed, f"missing from .env.example: {sorted(read - listed)}"
