"""Static files as production serves them: every script, style and icon a page loads under a hashed name
(and the modules those scripts import too), the icons at the site's root, and text pages gzipped."""

from __future__ import annotations

import gzip
import re
import tempfile
from pathlib import Path, PurePosixPath

from django.core.management import call_command
from django.test import override_settings

from tests.base import BaseTestCase

HASHED = re.compile(r"\.[0-9a-f]{12}\.\w+$")
ASSET = re.compile(r"""<(?:script|link)\b[^>]*\s(?:src|href)="/static/([^"]+)\"""")
IMPORT = re.compile(r"""\bimport\b[^"';]*?\bfrom\s*["']([./][^"']+)["']""")
# Compressing every collected file (brotli and gzip) is WhiteNoise's own business and takes half a minute.
NOT_COMPRESSED = ["js", "css", "svg", "ico", "png", "map", "txt", "html", "json", "woff", "woff2", "gif", "jpg"]


class HashedStaticFilesTestCase(BaseTestCase):
    def test_every_script_a_page_loads_and_every_module_it_imports_has_a_hashed_name(self) -> None:
        with (
            tempfile.TemporaryDirectory() as root,
            override_settings(
                STATIC_ROOT=root,
                WHITENOISE_SKIP_COMPRESS_EXTENSIONS=NOT_COMPRESSED,
                STORAGES={
                    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                    "staticfiles": {"BACKEND": "prevent_panel.storage.StaticFilesStorage"},
                },
            ),
        ):
            call_command("collectstatic", interactive=False, verbosity=0, ignore_patterns=["admin"])
            self.client.force_login(self.casey)
            page = self.client.get("/").content.decode()
            assets = ASSET.findall(page)
            self.assertIn("js/init.js", {HASHED.sub(".js", name) for name in assets})
            unhashed = [name for name in assets if not HASHED.search(name)]
            self.assertEqual(unhashed, [], "the page loads these under names that do not change with them")

            imports: list[str] = []
            for name in (name for name in assets if name.endswith(".js")):
                source = (Path(root) / name).read_text()
                for target in IMPORT.findall(source):
                    imported = str(PurePosixPath(name).parent / target)
                    imports.append(imported)
                    self.assertTrue((Path(root) / imported).exists(), f"{name} imports {target}, not collected")
            self.assertTrue(any("govuk-frontend.min" in name for name in imports))
            self.assertEqual([name for name in imports if not HASHED.search(name)], [])


class IconsTestCase(BaseTestCase):
    def test_the_icon_is_at_the_root_for_anyone_and_linked_from_every_page(self) -> None:
        response = self.client.get("/favicon.ico")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "image/x-icon")
        self.assertEqual(self.client.get("/apple-touch-icon.png").status_code, 200)
        self.assertContains(self.client.get("/sign-in/"), 'rel="icon"')


class CompressionTestCase(BaseTestCase):
    def test_a_page_asked_for_with_gzip_comes_back_gzipped(self) -> None:
        self.client.force_login(self.casey)
        plain = self.client.get("/")
        self.assertNotIn("Content-Encoding", plain)
        response = self.client.get("/", headers={"accept-encoding": "gzip, deflate, br"})
        self.assertEqual(response["Content-Encoding"], "gzip")
        self.assertIn("Accept-Encoding", response["Vary"])
        self.assertIn("Casey", gzip.decompress(response.content).decode())
        self.client.logout()
        response = self.client.get("/sign-in/", headers={"accept-encoding": "gzip"})
        self.assertEqual(response["Content-Encoding"], "gzip")
        self.assertIn("csrfmiddlewaretoken", gzip.decompress(response.content).decode())
