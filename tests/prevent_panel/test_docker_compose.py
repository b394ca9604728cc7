"""docker-compose.yml: every service is defined with a health check, and every command names real modules."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def load() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


APP_SERVICES = ("web", "worker", "beat")


def test_it_has_the_five_services_with_health_checks_and_a_one_shot_migrate() -> None:
    services = load()["services"]
    assert set(services) == {"db", "redis", "migrate", "web", "worker", "beat"}
    for name, service in services.items():
        if name != "migrate":
            assert "test" in service["healthcheck"], name
    assert services["migrate"]["restart"] == "no"


def test_migrations_run_as_the_owner_and_the_app_as_its_limited_role() -> None:
    """Issue 14, finding 13: only `migrate` connects as the database owner; it creates the app's role
    after migrating, and the app's services wait for it and connect as that role."""
    services = load()["services"]
    owner = services["db"]["environment"]["POSTGRES_USER"]
    migrate = services["migrate"]
    assert migrate["environment"]["DATABASE_URL"].startswith(f"postgres://{owner}:")
    command = " ".join(migrate["command"])
    assert command.index("manage.py migrate") < command.index("manage.py create_app_role --role prevent_panel_app")
    assert "APP_DATABASE_PASSWORD" in migrate["environment"]
    for name in APP_SERVICES:
        service = services[name]
        assert service["environment"]["DATABASE_URL"].startswith("postgres://prevent_panel_app:"), name
        assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name
        assert "migrate" not in " ".join(service["command"]), name  # the app's role cannot migrate


def test_every_command_names_a_module_that_exists() -> None:
    services = load()["services"]
    checked = 0
    for name, service in services.items():
        command = service.get("command")
        if not command or name in {"db", "redis"}:
            continue
        words = " ".join(command).split()
        for i, word in enumerate(words):
            if word == "-A":
                module = words[i + 1]
            elif word.endswith((".wsgi", ".asgi")):
                module = word.split(":")[0]
            else:
                continue
            assert importlib.util.find_spec(module) is not None, f"{name}: {module} does not exist"
            checked += 1
        if "manage.py" in words:
            assert (ROOT / "manage.py").exists()
    assert checked >= 3


def test_the_app_services_get_their_secrets_from_the_environment() -> None:
    services = load()["services"]
    for name in APP_SERVICES:
        environment = services[name]["environment"]
        for variable in ("DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "AUDIT_SEAL_KEY"):
            assert variable in environment, (name, variable)
