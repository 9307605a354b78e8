"""Inkstone settings, read from the environment (12-factor).

Every deployment-specific value comes from an environment variable; the defaults suit a
developer machine, and `DEBUG=false` (the default) turns on the production hardening that
`manage.py check --deploy` asks for.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.log_events import logging_config, start_error_reports

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    """Return the environment variable `name` read as a boolean, or `default` when unset."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    if value.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if value.strip().lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_list(name, default=""):
    """Return the comma-separated environment variable `name` as a list of stripped items."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name, default):
    """Return the environment variable `name` as an int, or `default` when unset."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_time_limits(prefix, soft_default, hard_default):
    """Return (soft, hard) Celery time limits from `<prefix>_SOFT_TIME_LIMIT` / `<prefix>_TIME_LIMIT`.

    The soft one must come first: at it a task may still record why it stopped.
    """
    soft = env_int(f"{prefix}_SOFT_TIME_LIMIT", soft_default)
    hard = env_int(f"{prefix}_TIME_LIMIT", hard_default)
    if not 0 < soft < hard:
        raise ImproperlyConfigured(
            f"{prefix}_SOFT_TIME_LIMIT must be above 0 and below {prefix}_TIME_LIMIT (now {soft} and {hard})."
        )
    return soft, hard


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "Set SECRET_KEY in the environment (50+ random characters), or DEBUG=true for local work."
        )
    SECRET_KEY = "django-insecure-local-development-only-" + "x" * 24

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The absolute origin used where no request is at hand (feeds built by workers, emails).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = os.environ.get("SITE_NAME", "Inkstone")

INSTALLED_APPS = [
    # django.contrib.admin, with the site of config.admin_site.
    "config.admin_site.InkstoneAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "taggit",
    "markdownx",
    "reversion",
    "csp",
    "accounts",
    "authoring",
    "blog",
    "search",
]

MIDDLEWARE = [
    # First: every later log line of the request carries its id (config.log_events). A fast-path
    # answer gets its id from config/wsgi.py, so no stored page carries another reader's id.
    "config.log_events.RequestIdMiddleware",
    # Next, so it sees the finished response: keeps anonymous readers' cached pages for the fast
    # path ahead of Django (blog.anonymous_pages, config/wsgi.py) and marks logged-in pages
    # private.
    "blog.anonymous_pages.StoreAnonymousPagesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Public reads go to the read replica, if any (config.db_routers); before the session.
    "config.db_routers.ReplicaReadsMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Text PostgreSQL cannot store (a NUL) is a 400 here, before the session or any view sees it.
    "blog.storable_text.StorableTextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "blog.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/inkstone"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL (postgres://…).")
# Behind a transaction pooler (pgbouncer's pool_mode = transaction) a server-side cursor can
# outlive the transaction that opened it on a server connection another client then gets.
DATABASE_TRANSACTION_POOLING = env_bool("DATABASE_TRANSACTION_POOLING", False)
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = DATABASE_TRANSACTION_POOLING
# A streaming replica of the primary: public pages read from it (config.db_routers), writes and
# the reads after them stay on the primary. In tests the replica is a mirror of the test database.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "").strip()
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
        test_options={"MIRROR": "default"},
    )
    if not DATABASES["replica"]["ENGINE"].endswith("postgresql"):
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must point at PostgreSQL (postgres://…).")
DATABASE_ROUTERS = ["config.db_routers.PrimaryReplicaRouter"]
# After a client's write, its reads stay on the primary this long (longer than the replica's lag).
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 10)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis has three roles that a deployment may give three servers (each URL falls back to
# REDIS_URL, so one Redis still runs everything): the Celery broker (CELERY_BROKER_URL,
# `maxmemory-policy noeviction`: a lost message is lost work), the cache (CACHE_URL, pages and
# feeds; `allkeys-lru` may evict anything) and state that must not vanish (STATE_REDIS_URL,
# `noeviction`: the content version, ingest poll locks, rate-limit counters, WebSub's last
# announcement, pending sign-ups). State keys either expire by themselves or are few.
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHE_URL = os.environ.get("CACHE_URL", "").strip() or REDIS_URL
STATE_REDIS_URL = os.environ.get("STATE_REDIS_URL", "").strip() or REDIS_URL

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": CACHE_URL,
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "inkstone"),
    },
    # Read and written through caches["state"]: the same API as the cache, on the state Redis.
    "state": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": STATE_REDIS_URL,
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "inkstone") + "-state",
        "TIMEOUT": None,
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Simplified Chinese first, English available; LocaleMiddleware honours the reader's choice.
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
# Uploads (avatars, editor images) go through Django's storage API. Local disk under MEDIA_ROOT
# is the default, served at MEDIA_URL by the site itself (or by an nginx alias, SERVE_MEDIA=false).
# With MEDIA_BUCKET set they go to that S3-compatible bucket instead (django-storages; any
# endpoint: AWS, MinIO, Ceph, R2…), which several app servers can share. Credentials come from
# boto3's usual chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, an instance role…). Uploaded
# names are random and the files public, so URLs are plain (no signature) and cacheable forever.
MEDIA_BUCKET = os.environ.get("MEDIA_BUCKET", "").strip()
if MEDIA_BUCKET:
    MEDIA_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_BUCKET,
            "endpoint_url": os.environ.get("MEDIA_S3_ENDPOINT_URL", "").strip() or None,
            "region_name": os.environ.get("MEDIA_S3_REGION", "").strip() or None,
            "location": os.environ.get("MEDIA_S3_PREFIX", "media").strip("/"),
            # A CDN or the bucket's public host name, without scheme (e.g. media.example.com).
            "custom_domain": os.environ.get("MEDIA_CUSTOM_DOMAIN", "").strip() or None,
            "querystring_auth": env_bool("MEDIA_S3_SIGNED_URLS", False),
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }
else:
    MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
SERVE_MEDIA = env_bool("SERVE_MEDIA", not MEDIA_BUCKET)
STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Readers log in on the site with their email address; the admin keeps its own login page.
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:me"
LOGOUT_REDIRECT_URL = "blog:timeline"
AUTHENTICATION_BACKENDS = ["accounts.backends.EmailOrUsernameBackend"]
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3 * 24 * 3600)

# Email (password resets). The console backend prints mails; in production set EMAIL_BACKEND to
# django.core.mail.backends.smtp.EmailBackend and the EMAIL_HOST* variables.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Inkstone <noreply@localhost>")

# Writers (authoring.roles): may an Author make a post live, or only submit a draft for review?
AUTHORS_CAN_PUBLISH = env_bool("AUTHORS_CAN_PUBLISH", False)
# Preview links for drafts stop working after this many seconds (and whenever revoked).
PREVIEW_LINK_MAX_AGE = env_int("PREVIEW_LINK_MAX_AGE", 7 * 24 * 3600)

# Rate limits (blog.rate_limits), counted in Redis per client IP and per account/email:
# failed logins, password-reset requests and sign-ups, in fixed windows of RATE_LIMIT_WINDOW seconds.
RATE_LIMIT_WINDOW = env_int("RATE_LIMIT_WINDOW", 15 * 60)
LOGIN_FAILURES_PER_ACCOUNT = env_int("LOGIN_FAILURES_PER_ACCOUNT", 5)
LOGIN_FAILURES_PER_IP = env_int("LOGIN_FAILURES_PER_IP", 20)
PASSWORD_RESETS_PER_EMAIL = env_int("PASSWORD_RESETS_PER_EMAIL", 3)
PASSWORD_RESETS_PER_IP = env_int("PASSWORD_RESETS_PER_IP", 10)
# Sign-up form posts per client address, and sign-up mails per address, in the same window.
SIGN_UPS_PER_IP = env_int("SIGN_UPS_PER_IP", 10)
SIGN_UPS_PER_EMAIL = env_int("SIGN_UPS_PER_EMAIL", 3)
# A mailed sign-up link works for this many seconds.
SIGN_UP_LINK_MAX_AGE = env_int("SIGN_UP_LINK_MAX_AGE", 24 * 3600)
# The live search asks /search/api/ after a pause in typing: this many requests per client
# address in SEARCH_API_WINDOW seconds is plenty for a person and little for a scraper.
SEARCH_API_REQUESTS_PER_IP = env_int("SEARCH_API_REQUESTS_PER_IP", 60)
SEARCH_API_WINDOW = env_int("SEARCH_API_WINDOW", 60)

# Uploads: avatars and images dropped into the Markdown editor must be real images this small.
IMAGE_UPLOAD_MAX_BYTES = env_int("IMAGE_UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
IMAGE_UPLOAD_MAX_PIXELS = env_int("IMAGE_UPLOAD_MAX_PIXELS", 40_000_000)
AVATAR_SIZE = 256

# Content-Security-Policy (django-csp 4): only our own scripts, styles and fonts; images may
# also be data: URIs (the admin's icons) and https: (images in ingested posts). No inline
# script or style anywhere, so an injected <script> would not run.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "https:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Production hardening; each can be relaxed from the environment (e.g. behind a TLS proxy
# that already redirects, set SECURE_SSL_REDIRECT=false).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# A load balancer probes each instance over plain HTTP; a redirect would read as "down".
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies of ours (CDN, load balancer, TLS proxy) stand before the site, each appending
# to X-Forwarded-For; the rate limits take the client address from that many entries from the
# right (blog.rate_limits.client_ip). 0 trusts no header and uses the connection's address.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1 if BEHIND_TLS_PROXY else 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT must be 0 or more, not {TRUSTED_PROXY_COUNT}.")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# No script of ours reads the CSRF cookie (markdownx falls back to the form's hidden input).
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Celery: Redis is both broker and result store; tasks are idempotent and take primary keys.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "").strip() or REDIS_URL
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "").strip() or CELERY_BROKER_URL
CELERY_TASK_IGNORE_RESULT = True
# A queue name of its own lets a test run or a benchmark share a Redis with other work.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery")
# A task is acknowledged when it ends, so one whose worker dies is run again: every task here
# re-reads its rows and is idempotent (blog.tasks and search.tasks say why, task by task).
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Every task ends within these limits unless it declares its own (ingestion and the full
# reindex do): at the soft one it may tidy up, at the hard one the worker kills it.
CELERY_TASK_SOFT_TIME_LIMIT, CELERY_TASK_TIME_LIMIT = env_time_limits("CELERY_TASK", 120, 150)
# The full reindex (search.tasks.reindex_all_posts) reads every post: it has limits of its own.
REINDEX_TASK_SOFT_TIME_LIMIT, REINDEX_TASK_TIME_LIMIT = env_time_limits("REINDEX_TASK", 3600, 3660)
# An unacknowledged task (its worker died) goes back to the queue after this many seconds; it
# must outlast the longest hard limit, or a task still running would be handed out twice.
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 2 * 3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# Beat through celery-redbeat: the schedule and each entry's last run live on the state Redis,
# so a restarted beat neither repeats nor forgets a run; any number of beat processes may run
# (one per host) and only the holder of a lock sends tasks. The lock expires
# CELERY_REDBEAT_LOCK_TIMEOUT seconds after its holder stops renewing it (killed, host lost);
# then another beat takes over.
CELERY_BEAT_SCHEDULER = "redbeat.RedBeatScheduler"
CELERY_REDBEAT_REDIS_URL = STATE_REDIS_URL
CELERY_REDBEAT_REDIS_OPTIONS = {}
CELERY_REDBEAT_KEY_PREFIX = os.environ.get("CELERY_REDBEAT_KEY_PREFIX", "inkstone-beat:")
CELERY_BEAT_MAX_LOOP_INTERVAL = env_int("CELERY_BEAT_MAX_LOOP_INTERVAL", 5)
CELERY_REDBEAT_LOCK_TIMEOUT = env_int("CELERY_REDBEAT_LOCK_TIMEOUT", 30)
if CELERY_REDBEAT_LOCK_TIMEOUT <= CELERY_BEAT_MAX_LOOP_INTERVAL:
    raise ImproperlyConfigured(
        "CELERY_REDBEAT_LOCK_TIMEOUT must be above CELERY_BEAT_MAX_LOOP_INTERVAL, or the lock "
        "would lapse between two renewals and two beats would both send."
    )
CELERY_BEAT_SCHEDULE = {
    "publish-due-posts": {"task": "blog.tasks.publish_due_posts", "schedule": crontab()},
    "poll-due-sources": {"task": "blog.tasks.poll_due_sources", "schedule": crontab()},
    # Safety nets: every write of posts announces itself (blog.events), and these find what an
    # announcement lost (a broker down at a commit, a worker killed before its task ran).
    "sync-search-index": {"task": "search.tasks.sync_search_index", "schedule": crontab()},
    "fill-missing-excerpts": {"task": "blog.tasks.fill_missing_excerpts", "schedule": crontab(minute="*/5")},
    "recount-tag-ranking": {"task": "blog.tasks.recount_tag_ranking", "schedule": crontab(minute="*/15")},
    # New words join the vocabulary as documents are written; this prunes and recounts.
    "rebuild-search-vocabulary": {
        "task": "search.tasks.rebuild_search_vocabulary",
        "schedule": crontab(minute=17),
    },
}

# The most used tags (the timeline's filter control) are counted at most once this often while
# posts keep changing, then once more at the interval's end (blog.tag_ranking).
TAG_RANKING_RECOUNT_SECONDS = env_int("TAG_RANKING_RECOUNT_SECONDS", 30)

# Search: extra words the Chinese segmenter keeps whole (one per line; more in the admin).
SEARCH_USER_DICTIONARY = os.environ.get(
    "SEARCH_USER_DICTIONARY", str(BASE_DIR / "search" / "dictionaries" / "technical.txt")
)

# Feed ingestion. Fetching private, loopback or link-local addresses is refused unless this
# is set, which only tests and local demos should do.
INGEST_ALLOW_PRIVATE = env_bool("INGEST_ALLOW_PRIVATE", False)
# Single private addresses or networks that may be fetched all the same (an intranet feed).
INGEST_PRIVATE_ALLOWLIST = env_list("INGEST_PRIVATE_ALLOWLIST")
INGEST_CONNECT_TIMEOUT = float(os.environ.get("INGEST_CONNECT_TIMEOUT", "5"))
INGEST_TOTAL_TIMEOUT = float(os.environ.get("INGEST_TOTAL_TIMEOUT", "30"))
INGEST_MAX_BYTES = env_int("INGEST_MAX_BYTES", 10 * 1024 * 1024)
INGEST_MAX_REDIRECTS = env_int("INGEST_MAX_REDIRECTS", 5)
# Celery time limits of the ingestion tasks, in seconds (blog.tasks). At the soft limit a poll
# stops and records why on its source; at the hard limit the worker kills the task outright.
# A source's poll lock lives for the hard limit plus a few seconds (blog.ingest.poll), so a
# worker killed mid-poll holds its source up no longer than that. A fetch must end well before
# the soft limit, so that a slow server is reported as slow and not as a stopped poll.
INGEST_TASK_SOFT_TIME_LIMIT, INGEST_TASK_TIME_LIMIT = env_time_limits("INGEST_TASK", 240, 300)
if max(CELERY_TASK_TIME_LIMIT, INGEST_TASK_TIME_LIMIT, REINDEX_TASK_TIME_LIMIT) >= CELERY_VISIBILITY_TIMEOUT:
    raise ImproperlyConfigured(
        f"CELERY_VISIBILITY_TIMEOUT ({CELERY_VISIBILITY_TIMEOUT} s) must be above every task's hard time "
        "limit, or a task still running would be handed to a second worker."
    )
if INGEST_TOTAL_TIMEOUT >= INGEST_TASK_SOFT_TIME_LIMIT:
    raise ImproperlyConfigured(
        f"INGEST_TOTAL_TIMEOUT ({INGEST_TOTAL_TIMEOUT:g} s) must be below INGEST_TASK_SOFT_TIME_LIMIT "
        f"({INGEST_TASK_SOFT_TIME_LIMIT} s), or a slow feed would stop the whole poll."
    )

# django-markdownx: the admin preview renders through the same function as the page.
MARKDOWNX_MARKDOWNIFY_FUNCTION = "blog.markdown.render_markdown"
MARKDOWNX_URLS_PATH = "/markdownx/markdownify/"
MARKDOWNX_UPLOAD_URLS_PATH = "/markdownx/upload/"
MARKDOWNX_MEDIA_PATH = "uploads/"
MARKDOWNX_UPLOAD_MAX_SIZE = 5 * 1024 * 1024
MARKDOWNX_SERVER_CALL_LATENCY = 400

TAGGIT_CASE_INSENSITIVE = True

TIMELINE_PAGE_SIZE = env_int("TIMELINE_PAGE_SIZE", 20)
# Pages for anonymous readers are cached in Redis and invalidated on every visible change;
# this bound only limits how long an unused entry occupies memory.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)
# Shared caches (a CDN, nginx proxy_cache) may keep anonymous pages and feeds this long
# (Cache-Control s-maxage), and answer with the old copy while refetching for this long
# (stale-while-revalidate): together, how long one may still show a removed post.
SHARED_CACHE_SECONDS = env_int("SHARED_CACHE_SECONDS", 60)
SHARED_CACHE_STALE_SECONDS = env_int("SHARED_CACHE_STALE_SECONDS", 30)
# Excerpt length in display units: a CJK character is 1, a Latin word half its length rounded up.
EXCERPT_BUDGET_UNITS = env_int("EXCERPT_BUDGET_UNITS", 280)

# One line per event on stderr with time, level, logger and request id (config.log_events);
# LOG_FORMAT=json writes each as a JSON object. Celery's processes log the same way.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower()
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}.")
LOGGING = logging_config(os.environ.get("LOG_LEVEL", "INFO"), LOG_FORMAT)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Errors of the site and the workers go to Sentry (or a Sentry-compatible service) when set.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "").strip()
if SENTRY_DSN:
    start_error_reports(
        SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
    )

# Feeds (blog.feeds) and sitemaps: how many newest posts a feed shows; how long a built feed or
# sitemap may sit in Redis (it is keyed by the content version, so a visible change replaces it
# at once; 0 turns the cache off); how long reader apps may reuse a copy before asking again.
FEED_ITEMS = env_int("FEED_ITEMS", 20)
FEED_CACHE_SECONDS = env_int("FEED_CACHE_SECONDS", 3600)
FEED_MAX_AGE_SECONDS = env_int("FEED_MAX_AGE_SECONDS", 300)
# A WebSub hub (e.g. https://pubsubhubbub.appspot.com/): feeds advertise it, and once a minute
# the feeds changed since the last run are announced to it. Empty: no WebSub.
WEBSUB_HUB = os.environ.get("WEBSUB_HUB", "").strip()
if WEBSUB_HUB:
    CELERY_BEAT_SCHEDULE["notify-websub-hub"] = {
        "task": "blog.tasks.notify_websub_hub",
        "schedule": crontab(),
    }
# Ingested posts point search engines at the original (rel="canonical") when true; else at us.
CANONICAL_TO_ORIGINAL = env_bool("CANONICAL_TO_ORIGINAL", False)
