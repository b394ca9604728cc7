"""Loading the postcode district table (cases.models.PostcodeArea) from an extract of the ONS Postcode
Directory (ONSPD), for `manage.py load_postcode_areas`.

The directory has one row per postcode; its columns, as ONS names them: `pcds` (the postcode with one
space; `pcd`, the fixed-width form, when `pcds` is absent), `doterm` (the month the postcode was
terminated, empty while it is live), `oslaua` (the local authority's code) and `pfa` (the police force
area's code). The directory holds codes only: their names come from a names file, as ONS publishes them
beside the directory ("LA_UA names and codes", "PFA names and codes": a column ending in CD and one
ending in NM, e.g. LAD23CD,LAD23NM), or a plain `code,name` file; one file may hold both kinds. The names
must be the ones the agencies use (partners.Agency areas), since the gate compares them.

Terminated postcodes are left out, and each district takes the council and force of most of its live
postcodes (a district can straddle a boundary; the load reports how many did). Loading is idempotent: a
district whose areas are unchanged is left alone; one whose areas changed has its row end-dated the day
before `effective_from` and a new row added; a district missing from the extract is left as it is."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.db import transaction

from audit import services as audit
from cases.models import PostcodeArea
from cases.services.areas import district_of
from cases.services.stages import refuse


@dataclass(frozen=True)
class LoadResult:
    added: int
    changed: int
    unchanged: int
    straddling: int
    terminated: int


def read_names(paths: Iterable[Path]) -> dict[str, str]:
    """Code → name, from ONS names-and-codes files (or plain code,name files)."""
    names: dict[str, str] = {}
    for path in paths:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            columns = reader.fieldnames or []
            code = next((c for c in columns if c.lower() == "code" or c.upper().endswith("CD")), None)
            name = next((c for c in columns if c.lower() == "name" or c.upper().endswith("NM")), None)
            if code is None or name is None:
                refuse(f"{path.name} has no code and name columns (for example LAD23CD and LAD23NM)")
            for row in reader:
                if row[code].strip():
                    names[row[code].strip()] = row[name].strip()
    return names


def read_districts(path: Path) -> tuple[dict[str, tuple[str, str]], int, int]:
    """Each district's (local authority code, police force area code), by most of its live postcodes;
    with how many districts straddled a boundary and how many postcodes were terminated."""
    counts: dict[str, Counter[tuple[str, str]]] = {}
    terminated = 0
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = set(reader.fieldnames or [])
        postcode_column = "pcds" if "pcds" in columns else "pcd"
        missing = {postcode_column, "doterm", "oslaua", "pfa"} - columns
        if missing:
            refuse(f"{path.name} is not an ONS Postcode Directory extract: no {', '.join(sorted(missing))} column")
        for row in reader:
            if row["doterm"].strip():
                terminated += 1
                continue
            district = district_of(row[postcode_column])
            if district:
                counts.setdefault(district, Counter())[(row["oslaua"].strip(), row["pfa"].strip())] += 1
    districts = {d: min(c.items(), key=lambda item: (-item[1], item[0]))[0] for d, c in counts.items()}
    return districts, sum(1 for c in counts.values() if len(c) > 1), terminated


@transaction.atomic
def load_postcode_areas(*, extract: Path, names: Mapping[str, str], effective_from: date) -> LoadResult:
    """Bring the table in line with the extract from `effective_from` on. Refuses, changing nothing, an
    extract with a code the names do not name. Audited as reference.postcode_areas_loaded (counts only)."""
    districts, straddling, terminated = read_districts(extract)
    unnamed = sorted({code for pair in districts.values() for code in pair if code not in names})
    if unnamed:
        refuse(f"No name for the codes {', '.join(unnamed[:5])}: add them to the names file")
    added = changed = unchanged = 0
    for district, (la_code, pfa_code) in sorted(districts.items()):
        wanted = (names[la_code], names[pfa_code])
        current = PostcodeArea.objects.in_force(effective_from).filter(district=district).first()
        if current is not None and (current.local_authority_area, current.police_force_area) == wanted:
            unchanged += 1
            continue
        if current is not None:
            if current.effective_from >= effective_from:
                refuse(f"{district} has a row starting on {current.effective_from}: load from a later date")
            current.effective_to = effective_from - timedelta(days=1)
            current.save(update_fields=["effective_to"])
            changed += 1
        else:
            added += 1
        row = PostcodeArea(
            district=district,
            local_authority_code=la_code,
            local_authority_area=wanted[0],
            police_force_code=pfa_code,
            police_force_area=wanted[1],
            effective_from=effective_from,
        )
        row.full_clean()
        row.save()
    result = LoadResult(added, changed, unchanged, straddling, terminated)
    audit.record(
        event="reference.postcode_areas_loaded",
        action=audit.EntryKind.UPDATE,
        model=PostcodeArea,
        detail={"added": added, "changed": changed, "unchanged": unchanged, "effective_from": str(effective_from)},
    )
    return result
