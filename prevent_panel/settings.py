"""Prevent Panel settings: one file, driven by environment variables (see .env.example).

Defaults are the safe ones: DEBUG is off, SECRET_KEY is required unless DEBUG is on. With nothing set,
the app runs embedded for `make run`: SQLite at var/db.sqlite3, Celery tasks in-process, console email.
"""

from __future__ import annotations

from datetime import timedelta
from ipaddress import ip_address
from pathlib import Path
from urllib.parse import urlsplit

from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from prevent_panel.env import env_bool, env_database, env_int, env_list, env_secret, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see .env.example).")
    SECRET_KEY = "debug-only-insecure-key"  # noqa: S105 - only reachable with DEBUG on
elif len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_forms_gds",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",  # only for the migration that hashed its plain recovery codes
    "django_otp_webauthn",
    "axes",
    "csp",
    "guardian",
    "auditlog",
    "partners",
    "audit",
    "cases",
    "sharing",
    "prevent_panel",  # project-wide management commands (seed_demo)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses pages, fragments, JSON and CSV (WhiteNoise above serves static files compressed ahead of
    # time; PDFs are compressed already). Above every middleware that reads or changes the body. BREACH,
    # the attack on secrets in compressed pages, finds nothing to recover: the CSRF token in a page is
    # masked afresh for every response, so it never repeats; Django adds a random-length "Heal the Breach"
    # pad to every gzip response. (SameSite=Lax does not stop the attack's many requests: a cross-site GET
    # navigation still carries the cookies; the masking and the pad are the protection.)
    "prevent_panel.middleware.TextGZipMiddleware",
    # Below WhiteNoise, so every response Django makes (pages, PDFs, errors) gets no-store and the CSP.
    "prevent_panel.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before the session limits and the second-factor gate, so what they refuse gets a request id and an
    # entry; its safety net gives every audited response one closing entry (audit/middleware.py).
    "audit.middleware.AuditContextMiddleware",
    # Only GET, HEAD and POST reach anything; TRACE, OPTIONS and the rest are answered 405.
    "prevent_panel.middleware.AllowedMethodsMiddleware",
    # After messages (it says why you were signed out), before any view runs.
    "partners.middleware.SessionLimitsMiddleware",
    "partners.middleware.MFARequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "prevent_panel.urls"
WSGI_APPLICATION = "prevent_panel.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "prevent_panel.context_processors.service",
                "prevent_panel.context_processors.security",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", base_dir=BASE_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "partners.User"
AUTHENTICATION_BACKENDS = [
    # First, as django-axes requires: a locked-out username is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    "partners.backends.PartnerBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# No anonymous user row: nobody reaches anything without signing in.
ANONYMOUS_USER_NAME = None
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Passwords: at least 12 characters, no upper limit below Django's 4096, the ~20,000 common passwords
# refused, no composition rules and no expiry (NCSC; ASVS 5.0 V6.2).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Security baseline (README "Security"; ASVS 5.0 L2, session and authorization at L3) ---

# HTTPS: true wherever the service is reached over TLS (directly or through a proxy). It turns on the
# HTTPS redirect and Secure cookies with the __Host- prefix; `make run` sets it false for plain
# http://127.0.0.1. HSTS is sent (by SecurityMiddleware) on every HTTPS response either way.
HTTPS = env_bool("HTTPS", True)
SECURE_SSL_REDIRECT = HTTPS
# The container health check asks over plain http from inside; it carries no personal data.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (and strips it from clients).
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
# The __Host- prefix binds a cookie to this exact origin (Secure, Path=/, no Domain); browsers accept it
# only over HTTPS, so plain-http development keeps Django's names.
SESSION_COOKIE_NAME = "__Host-sessionid" if HTTPS else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if HTTPS else "csrftoken"
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = True
# A refused form gets a way back to its page (and, for a referral, to its draft), not a dead end.
CSRF_FAILURE_VIEW = "prevent_panel.views.csrf_failure"
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
# Database sessions, so signing out or expiry really ends the session on the server.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# 15 minutes idle and 12 hours absolute (ASVS 4.0.3 V3.3.2 at L3), enforced by partners.middleware.
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_MINUTES", 15, minimum=1) * 60
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_HOURS", 12, minimum=1) * 3600
SESSION_WARNING_SECONDS = 120
# Typing in a form restarts the idle clock through a keep-alive sent at most this often (one audited
# request a minute while someone types; assets/js/session-timeout.js).
SESSION_KEEP_ALIVE_SECONDS = 60
# Administrators never set passwords: they issue a single-use set-up link, valid for this long.
ACCOUNT_SETUP_LINK_HOURS = env_int("ACCOUNT_SETUP_LINK_HOURS", 72, minimum=1)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS

# Content-Security-Policy (django-csp 4): nothing inline, scripts only from here or with the response's
# nonce, no framing, no plugins, no <base>.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# MFA (django-otp): TOTP for everyone, with single-use recovery codes.
OTP_TOTP_ISSUER = "Prevent Panel"
OTP_TOTP_THROTTLE_FACTOR = 1

# Lockout (django-axes): ten failed passwords for a username lock that username, whoever tries it and
# whether or not it exists, for LOCKOUT_MINUTES. Counted in the database, so a Redis outage changes nothing.
AXES_FAILURE_LIMIT = 10
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOCKOUT_MINUTES", 15, minimum=1))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "partners/locked_out.html"
# Sign-ins are already in the audit log; axes keeps only its counters.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# axes.W006 asks for per-IP lockout too. Not here: partner agencies sign in from behind shared gateways,
# so ten mistakes across a police station would lock out the whole station. A username cannot be
# "rotated" to attack one account, and password spraying across accounts still meets the second factor.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "assets"]
# The service's icons are also served at the root, before Django (no sign-in, no audit entry), for the
# clients that ask for /favicon.ico or /apple-touch-icon.png without reading the page's <link rel="icon">.
# The app's own icon, not the GOV.UK crown, which is reserved for GOV.UK's own domains.
WHITENOISE_ROOT = BASE_DIR / "assets" / "icons"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed names (module imports inside scripts too) need `collectstatic`; the test suite
        # turns them off.
        "BACKEND": "prevent_panel.storage.StaticFilesStorage"
        if env_bool("STATIC_MANIFEST", True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "var" / "media")

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

SERVICE_NAME = "Prevent Panel"
# The address people use to reach the service, for links in emails.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
PROTECTIVE_MARKING = "OFFICIAL-SENSITIVE"


# Passkeys (WebAuthn, django-otp-webauthn) beside the authenticator app. The relying party id is the domain
# passkeys are bound to: by default SITE_URL's host when it is a name this site answers to, else the first
# name in ALLOWED_HOSTS (an IP address cannot be one: `make run` users reach passkeys at http://localhost).
# Browsers refuse a passkey whose page is not on this domain, which is what makes passkeys phishing-resistant.
def _is_ip(host: str) -> bool:
    try:
        ip_address(host)
    except ValueError:
        return False
    return True


def _serves(host: str) -> bool:
    return any(
        h == "*" or h == host or (h.startswith(".") and (host == h[1:] or host.endswith(h))) for h in ALLOWED_HOSTS
    )


_site = urlsplit(SITE_URL)
_site_host = _site.hostname or ""
_named_hosts = [h.lstrip(".") for h in ALLOWED_HOSTS if h != "*" and not _is_ip(h.lstrip("."))]
PASSKEY_RP_ID = env_str("PASSKEY_RP_ID") or (
    _site_host
    if _site_host and not _is_ip(_site_host) and _serves(_site_host)
    else next(iter(_named_hosts), "localhost")
)
if not _serves(PASSKEY_RP_ID) and not any(h.endswith("." + PASSKEY_RP_ID) for h in _named_hosts):
    raise ImproperlyConfigured("PASSKEY_RP_ID must be a host in ALLOWED_HOSTS, or a parent domain of one.")
_port = f":{_site.port}" if _site.port else ""
PASSKEY_ORIGINS = env_list("PASSKEY_ORIGINS") or [
    f"{_site.scheme}://{_site_host}{_port}"
    if _site_host == PASSKEY_RP_ID
    else f"{'https' if HTTPS else _site.scheme}://{PASSKEY_RP_ID}{'' if HTTPS else _port}"
]
for _origin in PASSKEY_ORIGINS:
    _host = urlsplit(_origin).hostname or ""
    if _host != PASSKEY_RP_ID and not _host.endswith("." + PASSKEY_RP_ID):
        raise ImproperlyConfigured(f"PASSKEY_ORIGINS: {_origin} is not on the domain PASSKEY_RP_ID ({PASSKEY_RP_ID}).")
OTP_WEBAUTHN_RP_ID = PASSKEY_RP_ID
OTP_WEBAUTHN_RP_NAME = SERVICE_NAME
OTP_WEBAUTHN_ALLOWED_ORIGINS = PASSKEY_ORIGINS
# A passkey is a second factor here, after the password: never a way in on its own.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_HELPER_CLASS = "partners.passkeys.PasskeyHelper"
# Roles that must sign in with a passkey (e.g. administrator,auditor): such a user with none is sent to
# register one and reaches nothing else; one with a passkey cannot use the app's codes instead.
MFA_PASSKEY_REQUIRED_ROLES = env_list("MFA_PASSKEY_REQUIRED_ROLES")

# The chair's dashboard and panel meetings, in days.
# Police screening waiting longer than this is flagged (guidance: about 5 days on average).
SCREENING_WAIT_DAYS = env_int("SCREENING_WAIT_DAYS", 5, minimum=1)
# A support element with no session recorded for this long (since its start, when none) is stalled.
STALLED_SUPPORT_DAYS = env_int("STALLED_SUPPORT_DAYS", 30, minimum=1)
# The work queue (sharing/todo) and its daily digest: actions and grants ending within this many days are due
# soon; a meeting this many days away (or fewer) whose agenda is not circulated needs preparing.
QUEUE_DUE_SOON_DAYS = env_int("QUEUE_DUE_SOON_DAYS", 7, minimum=1)
QUEUE_MEETING_DAYS = env_int("QUEUE_MEETING_DAYS", 14, minimum=1)
# A referral draft (the referral form as typed, kept on the server while a coordinator writes it) is
# deleted this many days after it was last saved, if it has not been logged or discarded before.
REFERRAL_DRAFT_DAYS = env_int("REFERRAL_DRAFT_DAYS", 14, minimum=1)
# While the referral form is typed, its draft is saved at most this often (each save is audited).
REFERRAL_DRAFT_SAVE_SECONDS = 30
# Per-case meeting invitees see their agenda cases from circulation until this long after the meeting.
MEETING_ACCESS_DAYS = env_int("MEETING_ACCESS_DAYS", 7, minimum=0)
# Which cases a police practitioner or panel chair may break the glass into (README, "Break-glass scope"):
# "national" (any case: an emergency does not respect boundaries; every use is flagged, reviewed and told
# to the owner) or "own_area" (police: subjects of their force area; chairs: of their council's area).
BREAK_GLASS_SCOPE = env_str("BREAK_GLASS_SCOPE") or "national"
if BREAK_GLASS_SCOPE not in {"national", "own_area"}:
    raise ImproperlyConfigured("BREAK_GLASS_SCOPE must be national or own_area.")

# Email: console unless an SMTP host is configured.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "prevent-panel@localhost")

# Celery: Redis in production; with no broker configured tasks run in-process (embedded default).
CELERY_BROKER_URL = env_url("CELERY_BROKER_URL", schemes={"redis", "rediss", "memory"})
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 900
CELERY_TASK_SOFT_TIME_LIMIT = 840
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "seal-audit-log": {"task": "audit.seal", "schedule": 60.0},
    "tidy-ended-grants": {"task": "sharing.tidy_ended_grants", "schedule": 3600.0},
    # Each person with something due hears of their work queue (overdue actions among it) once a day.
    "daily-digest": {"task": "sharing.send_daily_digest", "schedule": crontab(hour=7, minute=0)},
    # Sends export jobs left queued by a broker outage, and retries those a dead worker left running.
    "sweep-exports": {"task": "audit.sweep_exports", "schedule": 60.0},
    # Erases typed text (searches) kept beside the audit log once AUDIT_FREE_TEXT_DAYS have passed.
    "purge-audit-texts": {"task": "audit.purge_texts", "schedule": 3600.0},
    # Deletes referral drafts not saved for REFERRAL_DRAFT_DAYS.
    "expire-referral-drafts": {"task": "cases.expire_referral_drafts", "schedule": 3600.0},
}
# PDF rendering has its own queue, so a long export never delays emails or sealing.
CELERY_TASK_ROUTES = {"audit.render_export": {"queue": "pdf"}}

# Audit exports: how long a download link works, the most entries one export may hold, and how many
# processes render a PDF's chunks in parallel (0 means one per CPU core).
EXPORT_LINK_HOURS = env_int("EXPORT_LINK_HOURS", 24, minimum=1)
EXPORT_MAX_ENTRIES = env_int("EXPORT_MAX_ENTRIES", 50_000, minimum=1)
EXPORT_RENDER_PROCESSES = env_int("EXPORT_RENDER_PROCESSES", 0, minimum=0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO").upper()},
    # WeasyPrint reports every layout step at INFO: hundreds of lines per export.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# Audit: one append-only table for changes and reads, sealed into an HMAC chain.
AUDITLOG_LOGENTRY_MODEL = "audit.AuditEntry"
AUDITLOG_STORE_JSON_CHANGES = True
AUDITLOG_CID_GETTER = "audit.context.current_request_id"
AUDITLOG_MASK_CALLABLE = "audit.context.mask_value"
AUDIT_SEAL_KEY = env_secret("AUDIT_SEAL_KEY")
if not AUDIT_SEAL_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("AUDIT_SEAL_KEY must be set when DEBUG is off (see .env.example).")
    AUDIT_SEAL_KEY = "debug-only-insecure-seal-key"
# Days that text someone typed (a search for a name or a date of birth) is kept beside the sealed log,
# for auditors to read and prove; the sealed entry keeps only its keyed digest (audit/texts.py).
AUDIT_FREE_TEXT_DAYS = env_int("AUDIT_FREE_TEXT_DAYS", 90, minimum=1)
# One witness per database by default, so a developer's SQLite and PostgreSQL logs do not mix.
AUDIT_WITNESS_PATH = Path(
    env_str("AUDIT_WITNESS_PATH")
    or BASE_DIR / "var" / f"audit-witness-{Path(str(DATABASES['default']['NAME'])).stem}.log"
)
# seed_demo writes the personas' sign-ins here and demo_code reads them; CI points its two databases'
# suites, which run side by side, at two files so neither reads the other's secrets.
DEMO_CREDENTIALS_PATH = Path(env_str("DEMO_CREDENTIALS_PATH") or BASE_DIR / "var" / "demo-credentials.json")
# auditlog's own migrations create its default table even when the model is swapped out; that stray
# table's foreign keys would block flushing users. Our audit app's migrations create the only log table.
MIGRATION_MODULES = {"auditlog": None}
