"""Areas from the person's postcode (cases.services.areas), the ONS Postcode Directory loader and the
referral's areas: derived from the district in force on the day, or overridden with a reason."""

from __future__ import annotations

import io
import tempfile
from datetime import date, timedelta
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from audit.models import AuditEntry
from cases.models import AreaChange, AreaSource, Case, PostcodeArea, Subject
from cases.services import areas, referrals
from tests.base import BaseTestCase
from tests.cases.helpers import make_case, referral_fields, split_areas, subject_fields, today

FIXTURES = Path(__file__).resolve().parents[2] / "cases" / "fixtures"
EXTRACT = FIXTURES / "postcode_extract.csv"
NAMES = FIXTURES / "postcode_area_names.csv"


def load(extract: Path = EXTRACT, *, effective_from: str = "2015-04-01") -> str:
    out = io.StringIO()
    call_command(
        "load_postcode_areas", str(extract), "--names", str(NAMES), "--effective-from", effective_from, stdout=out
    )
    return out.getvalue()


class DerivationTestCase(BaseTestCase):
    def test_the_district_of_a_postcode_decides_its_areas_whatever_the_spacing_or_case(self) -> None:
        for postcode in ("TE1 2AB", "te12ab", " te1  2ab "):
            self.assertEqual(areas.areas_for_postcode(postcode, on=today()), areas.Areas("Testshire", "Testshire"))
        self.assertEqual(areas.areas_for_postcode("OT1 9ZZ", on=today()), areas.Areas("Otherton", "Otherton"))

    def test_a_postcode_in_no_known_district_has_no_areas(self) -> None:
        self.assertIsNone(areas.areas_for_postcode("ZZ9 9ZZ", on=today()))
        self.assertIsNone(areas.areas_for_postcode("TE1", on=today()))
        # TE12 is another district than TE1, though it starts the same.
        self.assertIsNone(areas.areas_for_postcode("TE12 1AB", on=today()))

    def test_the_row_in_force_on_the_day_decides(self) -> None:
        moved_on = today() - timedelta(days=10)
        PostcodeArea.objects.filter(district="TE1").update(effective_to=moved_on - timedelta(days=1))
        PostcodeArea.objects.create(
            district="TE1", local_authority_area="Otherton", police_force_area="Otherton", effective_from=moved_on
        )
        before = areas.areas_for_postcode("TE1 2AB", on=moved_on - timedelta(days=1))
        self.assertEqual(before, areas.Areas("Testshire", "Testshire"))
        self.assertEqual(areas.areas_for_postcode("TE1 2AB", on=moved_on), areas.Areas("Otherton", "Otherton"))
        PostcodeArea.objects.filter(district="TE1", effective_from=moved_on).update(
            effective_to=today() - timedelta(days=1)
        )
        self.assertIsNone(areas.areas_for_postcode("TE1 2AB", on=today()))

    def test_overlapping_rows_for_a_district_are_refused(self) -> None:
        row = PostcodeArea(
            district="te1", local_authority_area="Otherton", police_force_area="Otherton", effective_from=today()
        )
        with self.assertRaisesRegex(ValidationError, "end-date it first"):
            row.full_clean()


class LoaderTestCase(BaseTestCase):
    def test_it_loads_districts_from_the_synthetic_extract_leaving_out_terminated_postcodes(self) -> None:
        said = load()
        self.assertIn("18 added", said)
        loaded = PostcodeArea.objects.exclude(district__in=["TE1", "OT1"])
        self.assertEqual(loaded.count(), 18)
        self.assertEqual(
            set(loaded.filter(district__startswith="ZN").values_list("police_force_area", flat=True)), {"Northgate"}
        )
        self.assertEqual(
            set(loaded.filter(district__startswith="ZS").values_list("local_authority_area", flat=True)), {"Southmere"}
        )
        # ZX1's postcodes are all terminated; ZN1 9ZZ (terminated, in Southmere) does not sway ZN1.
        self.assertFalse(PostcodeArea.objects.filter(district="ZX1").exists())
        self.assertEqual(areas.areas_for_postcode("ZN1 9ZZ", on=today()), areas.Areas("Northgate", "Northgate"))
        zn1 = PostcodeArea.objects.get(district="ZN1")
        self.assertEqual((zn1.local_authority_code, zn1.police_force_code), ("E08999901", "E23999901"))
        self.assertEqual(zn1.effective_from, date(2015, 4, 1))
        entry = AuditEntry.objects.get(event="reference.postcode_areas_loaded")
        self.assertEqual(entry.additional_data["added"], 18)

    def test_loading_again_is_idempotent(self) -> None:
        load()
        said = load()
        self.assertIn("0 added, 0 changed", said)
        self.assertIn("18 unchanged", said)
        self.assertEqual(PostcodeArea.objects.exclude(district__in=["TE1", "OT1"]).count(), 18)

    def test_a_district_that_moved_is_end_dated_and_a_new_row_added(self) -> None:
        load()
        text = EXTRACT.read_text().replace(
            "ZN1 1AA,ZN1 1AA,199801,,E08999901,E23999901", "ZN1 1AA,ZN1 1AA,199801,,E08999902,E23999902"
        )
        text = "\n".join(
            line.replace("E08999901,E23999901", "E08999902,E23999902") if line.startswith("ZN1 ") else line
            for line in text.splitlines()
        )
        with tempfile.TemporaryDirectory() as folder:
            moved = Path(folder) / "onspd.csv"
            moved.write_text(text + "\n")
            said = load(moved, effective_from="2026-01-01")
        self.assertIn("0 added, 1 changed", said)
        rows = list(PostcodeArea.objects.filter(district="ZN1").order_by("effective_from"))
        self.assertEqual(
            [(r.police_force_area, r.effective_to) for r in rows],
            [("Northgate", date(2025, 12, 31)), ("Southmere", None)],
        )

    def test_a_file_without_the_directory_columns_or_with_unnamed_codes_is_refused_changing_nothing(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            bad = Path(folder) / "bad.csv"
            bad.write_text("postcode,area\nZN1 1AA,Northgate\n")
            with self.assertRaisesRegex(CommandError, "not an ONS Postcode Directory extract"):
                load(bad)
            unnamed = Path(folder) / "unnamed.csv"
            unnamed.write_text("pcds,doterm,oslaua,pfa\nZQ1 1AA,,E08000000,E23000000\n")
            with self.assertRaisesRegex(CommandError, "No name for the codes"):
                load(unnamed)
        self.assertEqual(PostcodeArea.objects.count(), 2)


class ReferralAreasTestCase(BaseTestCase):
    def refer(self, *, override: areas.AreaOverride | None = None, **fields: object) -> Case:
        subject, _ = split_areas(subject_fields(**fields))  # type: ignore[arg-type]
        return referrals.create_referral(
            actor=self.casey,
            owning_agency=self.council,
            subject_fields=subject,
            referral_fields=referral_fields(),
            area_override=override,
        )

    def test_the_areas_come_from_the_persons_postcode(self) -> None:
        case = self.refer(postcode="OT1 4CD")
        self.assertEqual((case.subject.local_authority_area, case.subject.police_force_area), ("Otherton", "Otherton"))
        self.assertEqual(case.subject.area_source, AreaSource.POSTCODE)
        self.assertEqual(case.owning_agency, self.council, "the council logging the referral owns it")

    def test_a_postcode_in_no_known_area_is_refused_without_an_override_and_nothing_is_created(self) -> None:
        with self.assertRaisesRegex(ValidationError, "ZZ9 9ZZ is not in any council or police force area"):
            self.refer(postcode="ZZ9 9ZZ")
        self.assertFalse(Subject.objects.exists())
        self.assertFalse(Case.objects.exists())

    def test_an_override_needs_a_reason_and_both_areas(self) -> None:
        for override, words in (
            (areas.AreaOverride("Testshire", "Testshire", "  "), "Say why"),
            (areas.AreaOverride("Testshire", "", "No fixed abode"), "names both"),
        ):
            with self.subTest(words=words), self.assertRaisesRegex(ValidationError, words):
                self.refer(postcode="ZZ9 9ZZ", override=override)
        self.assertFalse(Case.objects.exists())

    def test_an_override_with_a_reason_sets_the_areas_and_keeps_the_reason(self) -> None:
        case = self.refer(postcode="ZZ9 9ZZ", override=areas.AreaOverride("Testshire", "Otherton", "No fixed abode"))
        subject = case.subject
        self.assertEqual((subject.local_authority_area, subject.police_force_area), ("Testshire", "Otherton"))
        self.assertEqual((subject.area_source, subject.area_reason), (AreaSource.OVERRIDE, "No fixed abode"))

    def test_the_areas_cannot_be_passed_as_subject_fields(self) -> None:
        with self.assertRaises(TypeError):
            referrals.create_referral(
                actor=self.casey,
                owning_agency=self.council,
                subject_fields=subject_fields(),
                referral_fields=referral_fields(),
            )


class ChangeAreaServiceTestCase(BaseTestCase):
    def test_a_change_that_changes_nothing_is_refused(self) -> None:
        case = make_case(owner=self.casey)
        subject = case.subject
        with self.assertRaisesRegex(ValidationError, "Nothing has changed"):
            areas.override_area(
                case=case,
                actor=self.casey,
                local_authority_area=subject.local_authority_area,
                police_force_area=subject.police_force_area,
                reason="Same again",
            )
        self.assertFalse(AreaChange.objects.exists())

    def test_an_unknown_area_is_refused_by_the_service_too(self) -> None:
        case = make_case(owner=self.casey)
        with self.assertRaisesRegex(ValidationError, "from the lists"):
            areas.override_area(
                case=case, actor=self.casey, local_authority_area="Atlantis", police_force_area="Testshire", reason="x"
            )
        with self.assertRaisesRegex(ValidationError, "not in any council or police force area"):
            areas.change_address(case=case, actor=self.casey, address="1 Nowhere", postcode="ZZ9 9ZZ", reason="x")
        self.assertFalse(AreaChange.objects.exists())

    def test_a_person_also_on_another_councils_case_is_changed_only_by_that_council(self) -> None:
        case = make_case(owner=self.casey)
        Case.objects.create(number="PP-2026-09999", subject=case.subject, owning_agency=self.other_council)
        with self.assertRaisesRegex(ValidationError, "Another council also has a case about this person"):
            areas.change_address(case=case, actor=self.casey, address="2 Road", postcode="OT1 1AA", reason="Moved")
        case.subject.refresh_from_db()
        self.assertEqual(case.subject.police_force_area, "Testshire")
        # The pages say so instead of offering a form that would be refused.
        self.client.force_login(self.casey)
        for page in ("address", "area"):
            response = self.client.get(f"/cases/{case.reference}/{page}/")
            self.assertContains(response, "Another council also has a case about this person")
            self.assertNotContains(response, 'name="postcode"')
            self.assertNotContains(response, 'name="reason"')
