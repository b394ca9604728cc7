"""Strict readers for environment variables.

Every setting comes from the environment through one of these helpers. A malformed value raises
ImproperlyConfigured naming the variable, so a bad deployment stops at start-up with a message an
operator can act on instead of failing later inside a request.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (got {raw!r}).")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number (got {raw!r}).") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum} (got {value}).")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_secret(name: str, default: str = "") -> str:
    """Read a secret from NAME, or from the file named by NAME_FILE (Docker and Kubernetes secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as error:
            raise ImproperlyConfigured(f"{name}_FILE names a file that cannot be read: {error}.") from None
    return env_str(name, default)


# The embedded default has several writers at once (two web workers and the periodic sealer): write-ahead
# logging lets readers go on while one writes, and transactions that take the write lock at BEGIN wait
# their turn (up to `timeout` seconds) instead of failing with "database is locked" when a read turns
# into a write mid-transaction.
SQLITE_OPTIONS = {
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}


def _sqlite(path: Path) -> dict[str, object]:
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": path, "OPTIONS": dict(SQLITE_OPTIONS)}


def env_database(name: str, *, base_dir: Path) -> dict[str, object]:
    """Turn a URL (postgres://user:password@host:port/name or sqlite:///path) into a DATABASES entry."""
    raw = env_secret(name)
    if not raw:
        return _sqlite(base_dir / "var" / "db.sqlite3")
    url = urlsplit(raw)
    if url.scheme == "sqlite":
        # As in SQLAlchemy: sqlite:///var/x is relative to the project; sqlite:////tmp/x is absolute.
        path = unquote(url.netloc + url.path)[1:]
        if not path:
            raise ImproperlyConfigured(f"{name} must name a file, e.g. sqlite:///var/db.sqlite3 (got {raw!r}).")
        return _sqlite(base_dir / path)
    if url.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(f"{name} must start with postgres:// or sqlite:// (got {raw.split('://')[0]!r}).")
    try:
        port = url.port
    except ValueError:
        raise ImproperlyConfigured(f"{name} has a port that is not a number.") from None
    database = unquote(url.path.lstrip("/"))
    if not url.hostname or not database:
        raise ImproperlyConfigured(f"{name} must name a host and a database, e.g. postgres://user@host:5432/name.")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": database,
        "USER": unquote(url.username or ""),
        "PASSWORD": unquote(url.password or ""),
        "HOST": url.hostname,
        "PORT": str(port or 5432),
        # Seconds a web process keeps its connection between requests (0: a new one per request). A new
        # connection costs 10-25 ms on the benchmark machine (docs/benchmarks.md); health checks make a
        # kept connection that has died reconnect instead of failing the request.
        "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 0, minimum=0),
        "CONN_HEALTH_CHECKS": True,
    }


def env_url(name: str, *, schemes: set[str]) -> str:
    raw = env_secret(name)
    if raw and urlsplit(raw).scheme not in schemes:
        raise ImproperlyConfigured(f"{name} must start with one of {sorted(schemes)} (got {raw!r}).")
    return raw
