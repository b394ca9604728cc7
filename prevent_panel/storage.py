"""Static files under hashed, compressed names, our JavaScript modules' imports included."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage

# `import … from "./x.js";` with a relative path, as Django writes it for its (experimental, all-or-nothing)
# support_js_module_import_aggregation.
STATIC_IMPORT = (
    r"""(?P<matched>import(?s:(?P<import>[\s\{].*?|\*\s*as\s*\w+))\s*from\s*['"](?P<url>[./].*?)["']\s*;)""",
    """import%(import)s from "%(url)s";""",
)


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's hashed and compressed storage, also rewriting the imports of our own modules in js/
    (`import { initAll } from "../govuk/govuk-frontend.min.js"` in assets/js/init.js) to hashed names:
    without it the page's script is hashed but the module it loads is not, so a deploy could pair new code
    with a cached old GOV.UK Frontend. Only js/: Django's switch for this rewrites every script, and
    third-party ones (django-htmx's extensions import a bare "htmx") then fail collectstatic.
    tests/prevent_panel/test_static_files.py collects every file with it and checks what a page loads."""

    patterns = (*CompressedManifestStaticFilesStorage.patterns, ("js/*.js", (STATIC_IMPORT,)))
