"""Configuration classes, read from the environment.

Local defaults need no services: SQLite under instance/, files under instance/uploads,
inline jobs, outbox mail and the offline (test-mode) payment gateway.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_int(name: str, default: int) -> int:
    return int(_env(name, str(default)))


def _env_ints(name: str, default: str) -> list[int]:
    return [int(x) for x in _env(name, default).replace(" ", "").split(",") if x]


def _env_list(name: str) -> list[str] | None:
    value = _env(name)
    return None if value is None else [x for x in value.replace(" ", "").split(",") if x]


def _env_bool(name: str, default: bool) -> bool:
    return _env(name, "1" if default else "0").lower() in ("1", "true", "yes", "on")


class Config:
    """Settings shared by every environment; each may be overridden from the environment."""

    ENV_NAME = "base"
    SECRET_KEY = _env("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'coach_connect.db'}")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    INSTANCE_PATH = str(INSTANCE_DIR)

    # Adapters: each has an embedded default and a production implementation.
    REDIS_URL = _env("REDIS_URL")  # unset: jobs run inline
    JOB_RETRY_INTERVALS = _env_ints("JOB_RETRY_INTERVALS", "10,60,300")  # seconds; one retry per value
    JOB_TIMEOUT = _env_int("JOB_TIMEOUT", 600)  # seconds an rq job may run
    STORAGE_BACKEND = _env("STORAGE_BACKEND", "local")  # local | s3
    UPLOAD_FOLDER = _env("UPLOAD_FOLDER", str(INSTANCE_DIR / "uploads"))
    S3_BUCKET = _env("S3_BUCKET", "coach-connect")
    S3_ENDPOINT_URL = _env("S3_ENDPOINT_URL")
    S3_PUBLIC_ENDPOINT_URL = _env("S3_PUBLIC_ENDPOINT_URL")  # host browsers reach for presigned URLs
    S3_REGION = _env("S3_REGION", "us-east-1")
    AWS_ACCESS_KEY_ID = _env("AWS_ACCESS_KEY_ID")
    AWS_SECRET_ACCESS_KEY = _env("AWS_SECRET_ACCESS_KEY")
    S3_URL_EXPIRES = _env_int("S3_URL_EXPIRES", 60)
    OCR_COMMAND = _env("OCR_COMMAND", "tesseract")  # Tesseract for scanned certificates; absent: a warning

    MAIL_BACKEND = _env("MAIL_BACKEND", "outbox")  # outbox | smtp
    MAIL_FROM = _env("MAIL_FROM", "Coach Connect <no-reply@coachconnect.test>")
    SMTP_HOST = _env("SMTP_HOST", "127.0.0.1")
    SMTP_PORT = _env_int("SMTP_PORT", 25)
    SMTP_USERNAME = _env("SMTP_USERNAME")
    SMTP_PASSWORD = _env("SMTP_PASSWORD")
    SMTP_STARTTLS = _env_bool("SMTP_STARTTLS", False)
    SMTP_SSL = _env_bool("SMTP_SSL", False)  # implicit TLS (usually port 465)

    PAYMENT_GATEWAY = _env("PAYMENT_GATEWAY", "offline")  # offline | stripe
    STRIPE_SECRET_KEY = _env("STRIPE_SECRET_KEY")
    STRIPE_PUBLISHABLE_KEY = _env("STRIPE_PUBLISHABLE_KEY")
    STRIPE_WEBHOOK_SECRET = _env("STRIPE_WEBHOOK_SECRET")
    STRIPE_API_BASE = _env("STRIPE_API_BASE")  # e.g. localstripe in tests
    STRIPE_TIMEOUT_SECONDS = _env_int("STRIPE_TIMEOUT_SECONDS", 30)  # a refund not answered by then is `unknown`

    # Security.
    # Links in mails are built on this address, never on the Host header of the request that sent them.
    PUBLIC_BASE_URL = _env("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    # Host names the app answers (Flask refuses others with 400); unset: any (production: see create_app).
    TRUSTED_HOSTS = _env_list("TRUSTED_HOSTS")
    TRUSTED_PROXIES = _env_int("TRUSTED_PROXIES", 0)  # reverse proxies in front of gunicorn (X-Forwarded-*)
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # token lives as long as the session
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Server-side sessions (app/accounts/session_store.py): idle and absolute lifetimes, staff and others.
    STAFF_SESSION_IDLE_MINUTES = _env_int("STAFF_SESSION_IDLE_MINUTES", 30)
    STAFF_SESSION_HOURS = _env_int("STAFF_SESSION_HOURS", 12)
    SESSION_IDLE_MINUTES = _env_int("SESSION_IDLE_MINUTES", 720)
    SESSION_HOURS = _env_int("SESSION_HOURS", 720)
    API_TOKEN_DAYS = _env_int("API_TOKEN_DAYS", 90)  # a new API token's lifetime unless its creator picks one
    SESSION_WARNING_SECONDS = _env_int("SESSION_WARNING_SECONDS", 300)  # staff pages warn this long before the end
    PERMANENT_SESSION_LIFETIME = timedelta(hours=SESSION_HOURS)
    MAX_CONTENT_LENGTH = _env_int("MAX_UPLOAD_MB", 10) * 1024 * 1024 + 64 * 1024
    UPLOAD_MAX_BYTES = _env_int("MAX_UPLOAD_MB", 10) * 1024 * 1024
    # Login throttling (issue 21), all counted in one window: failures of one account from one client
    # address close that pair; failures from one address close it for every account; failures of one
    # account from anywhere space its next attempts out (1 s, 2 s, 4 s … up to the cap), except from a
    # browser that signed in to it before; the owner is mailed when their account is being guessed.
    LOGIN_MAX_FAILURES_PER_PAIR = _env_int("LOGIN_MAX_FAILURES_PER_PAIR", 5)
    LOGIN_MAX_FAILURES_PER_ADDRESS = _env_int("LOGIN_MAX_FAILURES_PER_ADDRESS", 20)
    LOGIN_SLOWDOWN_AFTER = _env_int("LOGIN_SLOWDOWN_AFTER", 10)
    LOGIN_SLOWDOWN_MAX_SECONDS = _env_int("LOGIN_SLOWDOWN_MAX_SECONDS", 60)
    LOGIN_WARN_OWNER_AFTER = _env_int("LOGIN_WARN_OWNER_AFTER", 5)
    LOGIN_THROTTLE_MINUTES = _env_int("LOGIN_THROTTLE_MINUTES", 15)
    KNOWN_DEVICE_DAYS = _env_int("KNOWN_DEVICE_DAYS", 365)
    TOTP_ISSUER = _env("TOTP_ISSUER", "Coach Connect")
    ALLOW_OTP_CLI = False
    ALLOW_TEST_EMAIL_DOMAINS = False  # accept name@x.test (the demo accounts) in forms

    # Workflow settings.
    CLAIM_MINUTES = _env_int("CLAIM_MINUTES", 30)
    VERIFICATION_TARGET_HOURS = _env_int("VERIFICATION_TARGET_HOURS", 48)
    MODERATION_TARGET_HOURS = _env_int("MODERATION_TARGET_HOURS", 24)  # the inbox marks older items
    REFUND_APPROVAL_TARGET_HOURS = _env_int("REFUND_APPROVAL_TARGET_HOURS", 24)
    FAILURE_TARGET_HOURS = _env_int("FAILURE_TARGET_HOURS", 4)  # failed refunds, webhooks, jobs, reports
    REAPPLY_WAIT_DAYS = _env_int("REAPPLY_WAIT_DAYS", 30)
    BOOKING_HOLD_MINUTES = _env_int("BOOKING_HOLD_MINUTES", 15)
    REFUND_APPROVAL_THRESHOLD = _env_int("REFUND_APPROVAL_THRESHOLD", 20000)  # minor units
    ANALYTICS_RETENTION_DAYS = _env_int("ANALYTICS_RETENTION_DAYS", 395)
    ANALYTICS_ROLLUP_TIMEZONES = _env("ANALYTICS_ROLLUP_TIMEZONES", "")  # default: DEFAULT_TIMEZONE and UTC
    REPORTS_MONTHLY_KINDS = _env("REPORTS_MONTHLY_KINDS", "finance")  # built by `flask reports schedule`
    DEFAULT_TIMEZONE = _env("DEFAULT_TIMEZONE", "UTC")
    # Messaging and the live event stream (GET /api/stream, GET /api/events).
    MESSAGING_WRITE_DAYS = _env_int("MESSAGING_WRITE_DAYS", 14)  # a session's thread takes messages until then
    ATTACHMENTS_UNSENT_HOURS = _env_int("ATTACHMENTS_UNSENT_HOURS", 24)  # an upload no message took is deleted
    WATCHED_WORDS_CACHE_SECONDS = _env_int("WATCHED_WORDS_CACHE_SECONDS", 10)  # other processes see a change by then
    NOTIFY_MAIL_DELAY_SECONDS = _env_int("NOTIFY_MAIL_DELAY_SECONDS", 120)  # a notification still unread then is mailed
    EVENTS_RETENTION_DAYS = _env_int("EVENTS_RETENTION_DAYS", 7)  # older cursors get a `resync` event
    EVENTS_BUS = _env("EVENTS_BUS", "auto")  # auto (redis when REDIS_URL is set) | local | redis
    STREAM_SECONDS = float(_env("STREAM_SECONDS", "300"))  # the server ends a stream; the browser resumes
    STREAM_HEARTBEAT_SECONDS = float(_env("STREAM_HEARTBEAT_SECONDS", "15"))
    STREAM_POLL_SECONDS = float(_env("STREAM_POLL_SECONDS", "1"))  # re-query when no bus can wake a stream
    STREAM_CAP = _env_int("STREAM_CAP", 400)  # open streams per worker process; past it 503 + Retry-After
    LONGPOLL_SECONDS = float(_env("LONGPOLL_SECONDS", "25"))  # GET /api/events waits this long for news
    # Web Push (opt-in per browser): off until both keys are set (`flask notifications vapid-keys`).
    VAPID_PUBLIC_KEY = _env("VAPID_PUBLIC_KEY", "")  # base64url of the uncompressed P-256 point
    VAPID_PRIVATE_KEY = _env("VAPID_PRIVATE_KEY", "")  # base64url of the raw private key (or a PEM)
    VAPID_SUBJECT = _env("VAPID_SUBJECT", "mailto:support@coachconnect.example")
    # Push services the server posts to (origin patterns): a subscription elsewhere is refused.
    PUSH_SERVICES = _env_list("PUSH_SERVICES") or [
        "https://fcm.googleapis.com",
        "https://updates.push.services.mozilla.com",
        "https://*.push.apple.com",
        "https://*.notify.windows.com",
    ]
    # Video sessions (issue 14): the provider (p2p: browser to browser, signalled over the event stream),
    # the join window around a booking, and the STUN/TURN servers as RTCIceServer JSON (empty: loopback/LAN).
    VIDEO_PROVIDER = _env("VIDEO_PROVIDER", "p2p")
    VIDEO_JOIN_BEFORE_MINUTES = _env_int("VIDEO_JOIN_BEFORE_MINUTES", 10)
    VIDEO_JOIN_AFTER_MINUTES = _env_int("VIDEO_JOIN_AFTER_MINUTES", 15)
    VIDEO_ICE_SERVERS = _env("VIDEO_ICE_SERVERS", "[]")
    # A TURN server sharing a secret with the app (coturn: use-auth-secret, static-auth-secret=...):
    # each page gets credentials of its own that expire when the join window closes.
    VIDEO_TURN_URLS = _env("VIDEO_TURN_URLS", "")  # comma-separated turn:/turns: URLs
    VIDEO_TURN_SECRET = _env("VIDEO_TURN_SECRET")
    # `flask video decide-due` decides a session once its room closed, if that was within this many hours.
    VIDEO_DECIDE_HORIZON_HOURS = _env_int("VIDEO_DECIDE_HORIZON_HOURS", 48)
    # Optional ISO date-time: sessions that ended before it are never decided. Unset, sessions that
    # started before video outcomes did on this database (video_rollouts, written by its migration) are not.
    VIDEO_DECIDE_SINCE = _env("VIDEO_DECIDE_SINCE", "")
    VIDEO_QUEUE_TARGET_HOURS = _env_int("VIDEO_QUEUE_TARGET_HOURS", 24)  # staff's session queue in the inbox
    # Per user, booking and minute: far above what a page sends (beats every 15 s, a few dozen signals).
    VIDEO_SIGNALS_PER_MINUTE = _env_int("VIDEO_SIGNALS_PER_MINUTE", 600)
    VIDEO_REPORTS_PER_MINUTE = _env_int("VIDEO_REPORTS_PER_MINUTE", 120)
    # VIDEO_PROVIDER=daily: Daily's REST API and the hmac secret Daily returned for our webhook.
    DAILY_API_URL = _env("DAILY_API_URL", "https://api.daily.co/v1")
    DAILY_API_KEY = _env("DAILY_API_KEY")
    DAILY_WEBHOOK_SECRET = _env("DAILY_WEBHOOK_SECRET")
    # VIDEO_PROVIDER=jitsi: the server, the token's app id and key (HS256 secret, or JaaS's RS256
    # private key and kid), and the bearer token prosody's event_sync component sends us.
    JITSI_BASE_URL = _env("JITSI_BASE_URL")
    JITSI_APP_ID = _env("JITSI_APP_ID")
    JITSI_APP_SECRET = _env("JITSI_APP_SECRET")
    JITSI_PRIVATE_KEY = _env("JITSI_PRIVATE_KEY")
    JITSI_KEY_ID = _env("JITSI_KEY_ID")
    JITSI_SUBJECT = _env("JITSI_SUBJECT")  # default: the server's host name (JaaS: the app id)
    JITSI_WEBHOOK_TOKEN = _env("JITSI_WEBHOOK_TOKEN")

    # Encrypts coaches' payout details at rest (a Fernet key, or any long secret).
    PAYOUT_ENCRYPTION_KEY = _env("PAYOUT_ENCRYPTION_KEY")

    # Password reset by mail: how often per typed address and per client address (in the login window).
    RESET_MAX_PER_ACCOUNT = _env_int("RESET_MAX_PER_ACCOUNT", 3)
    RESET_MAX_PER_ADDRESS = _env_int("RESET_MAX_PER_ADDRESS", 10)
    # Sign-up, throttled the same way; a link in the welcome mail confirms the address.
    SIGN_UP_MAX_PER_ACCOUNT = _env_int("SIGN_UP_MAX_PER_ACCOUNT", 3)
    SIGN_UP_MAX_PER_ADDRESS = _env_int("SIGN_UP_MAX_PER_ADDRESS", 10)
    SIGN_UP_CONFIRM_HOURS = _env_int("SIGN_UP_CONFIRM_HOURS", 48)

    # Sign in with Google (any OpenID Connect provider): all three set, or no button and no routes.
    # Google: OIDC_ISSUER=https://accounts.google.com; the redirect URI is PUBLIC_BASE_URL/login/google/callback.
    OIDC_ISSUER = _env("OIDC_ISSUER")
    OIDC_CLIENT_ID = _env("OIDC_CLIENT_ID")
    OIDC_CLIENT_SECRET = _env("OIDC_CLIENT_SECRET")
    OIDC_PROVIDER_NAME = _env("OIDC_PROVIDER_NAME", "Google")  # the button says "Sign in with <name>"

    # Compressed responses (Flask-Compress): the first algorithm the browser accepts, in this order.
    COMPRESS_ALGORITHM = ["zstd", "br", "gzip"]
    COMPRESS_MIN_SIZE = 500
    COMPRESS_STREAMS = False  # its streaming path never closes the file it reads

    # Operations: logs, metrics, error tracking.
    LOG_FORMAT = _env("LOG_FORMAT", "text")  # text | json (one JSON object per line)
    LOG_LEVEL = _env("LOG_LEVEL", "INFO")
    METRICS_TOKEN = _env("METRICS_TOKEN")  # /metrics: basic auth prometheus:<token>; unset: loopback only
    BACKUP_DIR = _env("BACKUP_DIR", str(INSTANCE_DIR / "backups"))  # `flask backup create`
    SENTRY_DSN = _env("SENTRY_DSN")  # unset: no error tracking
    SENTRY_TRACES_SAMPLE_RATE = _env("SENTRY_TRACES_SAMPLE_RATE", "0")  # share of requests traced

    # `make bench`: X-Query-Count and X-Server-Time-ms response headers.
    BENCH_INSTRUMENT = _env_bool("BENCH_INSTRUMENT", False)

    # Check each API response against its declared schema (a mismatch is a 500 and a log line):
    # on in development and tests, where it finds a drifted schema; off in production.
    API_VALIDATE_RESPONSES = _env_bool("API_VALIDATE_RESPONSES", False)


class DevelopmentConfig(Config):
    """`make run`: everything embedded, a fixed development secret."""

    ENV_NAME = "development"
    SECRET_KEY = _env("SECRET_KEY", "dev-only-not-secret")
    PAYOUT_ENCRYPTION_KEY = _env("PAYOUT_ENCRYPTION_KEY", "dev-only-payout-key-not-secret")
    ALLOW_OTP_CLI = True
    ALLOW_TEST_EMAIL_DOMAINS = True
    API_VALIDATE_RESPONSES = _env_bool("API_VALIDATE_RESPONSES", True)


class TestingConfig(Config):
    """The test suite: real PostgreSQL and Redis from the environment."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = _env("SECRET_KEY", "testing-not-secret")
    PAYOUT_ENCRYPTION_KEY = _env("PAYOUT_ENCRYPTION_KEY", "testing-payout-key-not-secret")
    SQLALCHEMY_DATABASE_URI = _env("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    REDIS_URL = None  # tests that need rq pass their own URL
    PUBLIC_BASE_URL = _env("PUBLIC_BASE_URL", "http://localhost")
    STREAM_SECONDS = 0.3  # the permission and fuzz walks open every stream; tests that read one set more
    LONGPOLL_SECONDS = 0.2
    ALLOW_OTP_CLI = True
    ALLOW_TEST_EMAIL_DOMAINS = True
    API_VALIDATE_RESPONSES = True


class ProductionConfig(Config):
    """Production: secrets must come from the environment."""

    ENV_NAME = "production"
    LOG_FORMAT = _env("LOG_FORMAT", "json")
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = True
    PUBLIC_BASE_URL = _env("PUBLIC_BASE_URL")
    REQUIRED = ("SECRET_KEY", "DATABASE_URL", "PAYOUT_ENCRYPTION_KEY", "PUBLIC_BASE_URL")

    @classmethod
    def validate(cls) -> None:
        """Refuse to start without a required secret, naming the one that is missing."""
        for name in cls.REQUIRED:
            if not _env(name):
                raise RuntimeError(f"{name} must be set in the environment for production")
        if urlsplit(_env("PUBLIC_BASE_URL")).scheme not in ("http", "https"):
            raise RuntimeError("PUBLIC_BASE_URL must be an absolute http(s) address, e.g. https://coach.example")
        if cls.PAYMENT_GATEWAY == "stripe":
            for name in ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"):
                if not _env(name):
                    raise RuntimeError(f"{name} must be set when PAYMENT_GATEWAY=stripe")


def default_trusted_hosts(public_base_url: str) -> list[str]:
    """Production without TRUSTED_HOSTS: the public host, plus loopback for the container's own probes."""
    return [urlsplit(public_base_url).hostname, "localhost", "127.0.0.1"]


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    """The config class named by APP_ENV (development when unset)."""
    name = _env("APP_ENV", "development")
    if name not in CONFIGS:
        raise RuntimeError(f"APP_ENV must be one of {', '.join(CONFIGS)}, not {name!r}")
    return CONFIGS[name]
