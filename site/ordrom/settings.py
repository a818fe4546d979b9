"""Ordrom settings: read once from the environment, with safe development defaults.

Every variable is documented in the README ("Configuration"). DJANGO_ENV=production
refuses to start without a real SECRET_KEY, ALLOWED_HOSTS, PostgreSQL and Redis.
"""

import os
from pathlib import Path

from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from ordrom import environment as E

ENV = os.environ
BASE_DIR = Path(__file__).resolve().parent.parent.parent
PRODUCTION = E.is_production(ENV)
if PRODUCTION:
    E.check_production(ENV)

SECRET_KEY = ENV.get("SECRET_KEY") or E.DEVELOPMENT_SECRET_KEY
DEBUG = E.env_bool(ENV, "DEBUG", default=False)
ALLOWED_HOSTS = E.env_list(
    ENV, "ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = E.env_list(ENV, "CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",  # first: replaces runserver with the ASGI one
    "accounts.apps.AccountsConfig",
    "pages",
    "ordrom",
    "letters",
    "forum",
    "friends",
    "chat",
    "chat.groups.apps.ChatGroupsConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "channels",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "wagtail.contrib.settings",
    "wagtail.contrib.simple_translation",
    "wagtail.embeds",
    "wagtail.sites",
    "accounts.apps.WagtailUsersConfig",  # wagtail.users with our user forms
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.locales",
    "wagtail",
    "modelcluster",
    "taggit",
]

MIDDLEWARE = [
    # The header middlewares come first, so that every answer gets their headers, also the
    # ones answered before any view: static files (WhiteNoise) and the HTTPS redirect.
    "ordrom.middleware.SecurityHeadersMiddleware",
    "ordrom.middleware.ContentSecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ordrom.middleware.SessionMiddleware",  # a locked or unreachable database: 503, not 400
    "ordrom.middleware.LanguageMiddleware",
    "pages.page_cache.PublicPageCacheMiddleware",  # anonymous visitors' content pages
    "django.middleware.common.CommonMiddleware",
    "ordrom.middleware.CsrfMiddleware",  # CsrfViewMiddleware + Referrer-Policy: no-referrer
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ordrom.middleware.IdleTimeoutMiddleware",
    "ordrom.middleware.NoStoreForAuthenticatedMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "ordrom.middleware.StaffAreaMiddleware",
]
# ordrom.middleware.CsrfMiddleware is a subclass of Django's CsrfViewMiddleware, but the deploy
# check looks for the original's dotted path only (tests/ordrom/test_security_headers.py checks
# that the CSRF middleware in use is a CsrfViewMiddleware).
SILENCED_SYSTEM_CHECKS = ["security.W003"]
CSRF_FAILURE_VIEW = "ordrom.views.csrf_failure"

ROOT_URLCONF = "ordrom.urls"
ASGI_APPLICATION = "ordrom.asgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            # Django's cached loader over the project's and the apps' folders (its default
            # when DEBUG is off), which also keeps the output of constant tags per language
            # (ordrom.template_constants).
            "loaders": [
                (
                    "ordrom.template_constants.Loader",
                    [
                        "django.template.loaders.filesystem.Loader",
                        "django.template.loaders.app_directories.Loader",
                    ],
                )
            ],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "ordrom.context_processors.ordrom",
            ],
        },
    },
]

# --- Data stores -------------------------------------------------------------------------------
DATABASES = {"default": E.database_config(ENV, sqlite_path=str(BASE_DIR / "ordrom.sqlite3"))}
CACHES = E.caches(ENV)
CHANNEL_LAYERS = E.channel_layers(ENV)
REDIS_URL = E.redis_url(ENV)

TASKS = {
    "default": {
        # Development and tests run tasks at once; production runs the database backend and
        # its `manage.py db_worker` process (django-tasks has no periodic tasks: cron or a
        # systemd timer runs `manage.py sweep`).
        "BACKEND": (
            "django_tasks_db.DatabaseBackend"
            if E.env_bool(ENV, "ORDROM_TASKS_DATABASE", default=PRODUCTION)
            else "django_tasks.backends.immediate.ImmediateBackend"
        ),
    }
}

# --- Accounts, sessions, passwords -------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # Answers permission checks only (its SQL compiled once); signs nobody in.
    "ordrom.auth_backends.PreparedPermissionsBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions live in the database only: a cached_db session deleted at logout while Redis is
# down would come back from the cache when Redis returns.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 12 * 60 * 60  # absolute lifetime of a session cookie
SESSION_EXPIRE_AT_BROWSER_CLOSE = True  # shared devices: closing the browser ends the visit
# HTTP requests one daphne process runs at once, on a pool of that many threads that keep their
# database connections; more wait their turn (ordrom.asgi.PooledHttp). One, as a sync worker of
# a WSGI server: Python runs one thread at a time, and four requests at once on four threads
# served a quarter to a third fewer pages a second than one after the other (the GIL handed
# back and forth at every query; docs/performance.md). More processes for more throughput;
# 2-4 when the database is on another machine and pages spend much of their time waiting
# for it. 0: Django's own thread per request, unbounded.
ORDROM_HTTP_CONCURRENCY = int(ENV.get("ORDROM_HTTP_CONCURRENCY", 1))
# The garbage collector's thresholds in a server process (ordrom.asgi.tune_gc): the first is
# how many new container objects start a young collection, Python's default 700. A page makes
# tens of thousands, nearly all freed before the request ends; "0" leaves Python's defaults.
ORDROM_GC_THRESHOLDS = tuple(
    int(part) for part in ENV.get("ORDROM_GC_THRESHOLDS", "20000,20,20").split(",") if part
)
ORDROM_IDLE_TIMEOUT = int(ENV.get("ORDROM_IDLE_TIMEOUT", 30 * 60))  # seconds without a request
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm", "login": "accounts.forms.LoginForm"}
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_UNIQUE_EMAIL = False  # an optional notification address identifies nobody
ACCOUNT_USERNAME_MIN_LENGTH = 3
ACCOUNT_USERNAME_BLACKLIST = []  # pseudonym rules live in accounts/pseudonyms.py
ACCOUNT_USERNAME_VALIDATORS = "accounts.pseudonyms.username_validators"
ACCOUNT_PRESERVE_USERNAME_CASING = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_CHANGE_EMAIL = False
ACCOUNT_MAX_EMAIL_ADDRESSES = 1
ACCOUNT_RATE_LIMITS = {
    # Sign-in attempts from one address; the browser tests, all from 127.0.0.1, raise it.
    "login": ENV.get("ORDROM_LOGIN_RATE_LIMIT", "20/m/ip,200/h/ip"),
    "login_failed": "5/m/ip,5/m/key,20/h/key",
    # Sign-ups from one address; the browser tests, which all come from 127.0.0.1, raise it.
    "signup": ENV.get("ORDROM_SIGNUP_RATE_LIMIT", "5/m/ip,20/h/ip"),
    "change_password": "5/m/user",
    "reauthenticate": "10/m/user",
    "manage_email": "10/m/user",
    "reset_password": "5/m/ip",
    "reset_password_from_key": "20/m/ip",
}
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300

MFA_ADAPTER = "accounts.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Ordrom"
MFA_RECOVERY_CODE_COUNT = 10
# Fernet keys (comma separated, newest first) for TOTP secrets at rest. Development derives
# one from SECRET_KEY; production must set its own (E.check_production).
ORDROM_MFA_KEYS = E.env_list(ENV, "ORDROM_MFA_KEY", default=["dev:" + SECRET_KEY])
ORDROM_STAFF_REQUIRE_2FA = E.env_bool(ENV, "ORDROM_STAFF_REQUIRE_2FA", default=True)
ALLAUTH_TRUSTED_PROXY_COUNT = int(ENV.get("ORDROM_TRUSTED_PROXY_COUNT", 1 if PRODUCTION else 0))
ACCOUNT_EMAIL_NOTIFICATIONS = False  # allauth would put the client address into them

# --- Internationalisation ----------------------------------------------------------------------
LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norwegian bokmål")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = [("nb", "Norsk bokmål"), ("en", "English")]
WAGTAILSIMPLETRANSLATION_SYNC_PAGE_TREE = False

# --- Wagtail -----------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Ordrom"
WAGTAILADMIN_BASE_URL = ENV.get("ORDROM_BASE_URL", "http://127.0.0.1:8000")
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False  # staff change passwords through allauth
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAILUSERS_PASSWORD_ENABLED = False  # passwords come from `manage.py create_staff`
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # no third-party requests from the admin
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAILADMIN_COMMENTS_ENABLED = False
WAGTAILEMBEDS_FINDERS = []  # no oEmbed lookups to third parties
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_SERVE_METHOD = "serve_view"

# --- Static and media files --------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(ENV.get("ORDROM_MEDIA_ROOT", BASE_DIR / "var" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if E.env_bool(ENV, "ORDROM_MANIFEST_STATIC", default=PRODUCTION)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# --- Security headers --------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "no-referrer"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION and E.env_bool(ENV, "ORDROM_HSTS_PRELOAD", default=True)
SECURE_SSL_REDIRECT = PRODUCTION and E.env_bool(ENV, "ORDROM_SSL_REDIRECT", default=True)
if E.env_bool(ENV, "ORDROM_BEHIND_PROXY", default=PRODUCTION):
    # nginx terminates TLS and sets X-Forwarded-Proto; it must overwrite, never append, it.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}
# The Wagtail admin uses inline scripts and styles, so it gets its own, looser policy
# (still no third-party origins, no framing, no plugins).
ORDROM_ADMIN_CSP = {
    "default-src": [SELF],
    "script-src": [SELF, "'unsafe-inline'", "'unsafe-eval'"],
    "style-src": [SELF, "'unsafe-inline'"],
    "img-src": [SELF, "data:", "blob:"],
    "font-src": [SELF, "data:"],
    "connect-src": [SELF],
    "frame-src": [SELF],
    "form-action": [SELF],
    "object-src": [NONE],
    "base-uri": [SELF],
    "frame-ancestors": [SELF],
}

# --- Email (only for members who chose to give an address) -------------------------------------
EMAIL_BACKEND = ENV.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "ordrom.mail.ConsoleEmailBackend",  # the console, without members' addresses
)
EMAIL_HOST = ENV.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(ENV.get("EMAIL_PORT", 25))
EMAIL_HOST_USER = ENV.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = ENV.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = E.env_bool(ENV, "EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = ENV.get("DEFAULT_FROM_EMAIL", "Ordrom <ikke-svar@ordrom.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Logging -----------------------------------------------------------------------------------
# No client address, user agent or location in any log line (DESIGN.md, core rules).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_client": {"()": "ordrom.logfilters.StripClientAddress"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["no_client"],
        }
    },
    "root": {"handlers": ["console"], "level": ENV.get("ORDROM_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.channels.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "daphne": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # One line per task run (e.g. every search-index update) drowns everything else.
        "django_tasks": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}

# `make bench` only (tests/load/bench.py): mounts /bench/ok, a bare view returning "ok" that
# every page is measured against. Never set in a normal run; /bench/ok is a 404 then.
ORDROM_BENCH = E.env_bool(ENV, "ORDROM_BENCH", default=False)

# Where the quick-exit button goes: a neutral site that is safe to be seen on any screen.
ORDROM_QUICK_EXIT_URL = ENV.get("ORDROM_QUICK_EXIT_URL", "https://www.yr.no/")

# --- Letters (letters/conf.py documents each; the environment may override these) ------------
LETTERS_RETENTION_DAYS = int(ENV.get("ORDROM_LETTER_RETENTION_DAYS", 365))
LETTERS_CLAIM_MINUTES = int(ENV.get("ORDROM_LETTER_CLAIM_MINUTES", 30))
LETTERS_MAX_WAITING_PER_WRITER = int(ENV.get("ORDROM_LETTERS_MAX_WAITING", 3))
LETTERS_VISITOR_LETTERS_PER_HOUR = int(ENV.get("ORDROM_VISITOR_LETTERS_PER_HOUR", 3))
LETTERS_MIN_FORM_SECONDS = int(ENV.get("ORDROM_LETTER_MIN_FORM_SECONDS", 3))

# --- Chat (chat/conf.py documents each; the environment may override these) ------------------
CHAT_MAX_PARALLEL = int(ENV.get("ORDROM_CHAT_MAX_PARALLEL", 2))
CHAT_RETENTION_DAYS = int(ENV.get("ORDROM_CHAT_RETENTION_DAYS", 30))
