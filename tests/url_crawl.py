"""Every URL the project routes, made concrete, for the crawls in tests/prevent_panel.

It walks Django's URL resolver, so pages added later are crawled without anyone listing them. Each
converter is filled with values from the database where a model fits the argument's name (`grant_reference`
→ ShareGrant, `action` → Action, `meeting` → PanelMeeting, `entry_id` → AuditEntry; a bare `reference`
tries every model with a `reference`), and with a harmless dummy otherwise.
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

PROJECT_APPS = ("partners", "cases", "sharing", "audit")
DUMMY = {"uuid": str(uuid.UUID(int=1)), "int": "1", "path": "1", "slug": "x", "str": "x"}
MAX_CANDIDATES = 4


@dataclass(frozen=True)
class Route:
    pattern: str  # as written in the urlconf, for messages
    urls: tuple[str, ...]  # concrete URLs to try, best guess first


def _walk(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[tuple[str, list[str]]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + _as_route(entry.pattern))
        else:
            yield prefix + _as_route(entry.pattern), []


def _as_route(pattern: object) -> str:
    if isinstance(pattern, RoutePattern):
        return str(pattern)
    if isinstance(pattern, RegexPattern):
        regex = str(pattern.regex.pattern).lstrip("^").rstrip("$")
        # A named group of alternatives becomes its first alternative; any other group a plain word.
        regex = re.sub(r"\(\?P<(\w+)>([\w|]+)\)", lambda m: m.group(2).split("|")[0], regex)
        regex = re.sub(r"\(\?P<(\w+)>[^)]*\)", "x", regex)
        return regex.replace("\\", "")
    return str(pattern)


def _model_values(name: str, converter: str) -> list[str]:
    """Values of the models whose name fits the argument name, most specific first."""
    key = name.removesuffix("_reference").removesuffix("_id").replace("_", "")
    field = "pk" if converter == "int" else "reference"
    found: list[str] = []
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS or model._meta.abstract:
            continue
        if field != "pk" and not any(isinstance(f, models.UUIDField) and f.name == field for f in model._meta.fields):
            continue
        model_name = model._meta.model_name or ""
        fits = model_name == key or model_name.endswith(key) or key == "reference"
        if fits:
            rank = 0 if model_name == key else (1 if model_name == "case" else 2)
            values = [str(v) for v in model._default_manager.order_by("pk").values_list(field, flat=True)[:2]]
            found.extend(f"{rank}:{v}" for v in values)
    return [v.split(":", 1)[1] for v in sorted(found, key=lambda v: v.split(":", 1)[0])]


def routes() -> list[Route]:
    """Every routed URL pattern, with up to MAX_CANDIDATES concrete URLs each."""
    result: list[Route] = []
    for route, _ in _walk(get_resolver().url_patterns):
        params = re.findall(r"<(?:(\w+):)?(\w+)>", route)
        choices = []
        for converter, name in params:
            converter = converter or "str"
            values = _model_values(name, converter) if converter in {"uuid", "int"} else []
            choices.append([*values[: MAX_CANDIDATES - 1], DUMMY.get(converter, "x")])
        urls = []
        for combo in itertools.islice(itertools.product(*choices), MAX_CANDIDATES):
            url = route
            for (converter, name), value in zip(params, combo, strict=True):
                url = re.sub(rf"<(?:{converter}:)?{name}>", value, url, count=1)
            urls.append("/" + url)
        result.append(Route(pattern=route, urls=tuple(urls)))
    return result
