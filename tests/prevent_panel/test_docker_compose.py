"""docker-compose.yml: every service is defined with a health check, and every command names real modules."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def load() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_it_has_the_five_services_with_health_checks() -> None:
    services = load()["services"]
    assert set(services) == {"db", "redis", "web", "worker", "beat"}
    for name, service in services.items():
        assert "healthcheck" in service, name


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
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        for variable in ("DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "AUDIT_SEAL_KEY"):
            assert variable in environment, (name, variable)
