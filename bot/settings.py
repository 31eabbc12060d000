"""Runtime configuration, read from the environment (prefix ``FRONTDOOR_``).

Settings are built once by the CLI (or a test) and injected into ``create_app``; nothing in the
package reads the environment at import time, so tests can run many differently configured
apps in one process.
"""

from __future__ import annotations

import hmac
import re
from datetime import timedelta
from pathlib import Path

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Only for running on embedded defaults. A real deployment sets FRONTDOOR_SECRET_KEY; the
#: app logs a warning when this value is in use.
DEVELOPMENT_SECRET_KEY = "frontdoor-development-key-do-not-use-in-production"  # noqa: S105


ENV_PREFIX = "FRONTDOOR_"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    redis_url: str | None = Field(
        default=None, description="Use Redis at this URL instead of the in-memory store."
    )
    redis_key_prefix: str = Field(
        default="fd", description="Prefix of every Redis key (deployments sharing one Redis)."
    )
    redis_cluster: bool = Field(
        default=False,
        description="FRONTDOOR_REDIS_URL names one node of a Redis Cluster (redis-py's "
        "RedisCluster; every multi-key operation stays on one slot).",
    )
    redis_shards: int = Field(
        default=16,
        ge=1,
        le=1024,
        description="On a Redis Cluster: how many slots the global indexes (booking-call "
        "outbox, erasures, events log) are spread over. Ignored on a single Redis.",
    )
    booking_api_url: str | None = Field(
        default=None,
        description="Base URL of a remote booking API. Unset: the sandbox runs in-process.",
    )
    twilio_auth_token: SecretStr | None = Field(
        default=None, description="Verifies X-Twilio-Signature. Unset: requests are NOT verified."
    )
    public_base_url: str | None = Field(
        default=None,
        description="The public URL Twilio calls (scheme://host[:port]), used for signatures.",
    )
    secret_key: SecretStr = Field(
        default=SecretStr(DEVELOPMENT_SECRET_KEY),
        description="Keys the phone-number hash and the encryption of personal data at rest.",
    )
    booking_events_secret: SecretStr | None = Field(
        default=None,
        description="Verifies X-Booking-Signature on /booking/events. Unset: derived from "
        "FRONTDOOR_SECRET_KEY (what the embedded sandbox uses).",
    )
    booking_retries: int = Field(default=2, ge=0)
    booking_breaker_threshold: int = Field(
        default=5, ge=1, description="Failures in a row before calls fail fast."
    )
    booking_breaker_reset_seconds: float = Field(
        default=30.0, gt=0, description="How long calls fail fast before one trial call."
    )
    booking_budget_seconds: float = Field(
        default=8.0, gt=0, description="All attempts of one booking call (a person is waiting)."
    )
    replay_interval_seconds: float = Field(
        default=15.0, gt=0, description="How often saved booking calls are retried in an outage."
    )
    self_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Where this bot listens, for the embedded sandbox's event webhook.",
    )
    twilio_account_sid: str | None = None
    twilio_sms_from: str | None = Field(default=None, description="E.164 SMS sender number.")
    twilio_whatsapp_from: str | None = Field(default=None, description="E.164 WhatsApp sender.")
    twilio_api_base_url: str | None = Field(
        default=None, description="Twilio API base URL (tests point it at Prism)."
    )
    twilio_content_base_url: str | None = Field(
        default=None,
        description="Content API base URL (default https://content.twilio.com; tests: Prism).",
    )
    session_ttl_days: int = Field(default=30, ge=1, description="How long an idle chat is kept.")
    lock_timeout_seconds: float = Field(
        default=5.0,
        gt=0,
        description="How long a message waits behind the same contact's previous one before "
        "it is kept in the spool and answered later (Twilio waits 15 s for the webhook).",
    )
    flood_burst: int = Field(
        default=12, ge=1, description="Messages one contact may send at once (token bucket)."
    )
    flood_per_minute: float = Field(
        default=30.0, gt=0, description="How fast a contact's flood allowance refills."
    )
    spool_max_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=1024,
        description="Bound of the inbound spool (messages kept while the store is down).",
    )
    booking_timeout_seconds: float = Field(default=3.0, gt=0)
    flows_dir: Path = PROJECT_ROOT / "flows"
    translations_dir: Path = PROJECT_ROOT / "translations"
    default_language: str = "es"
    show_drafts: str = Field(
        default="",
        description="Languages whose draft (fuzzy, unreviewed) translations may be shown, "
        "comma-separated (e.g. 'quc,mam'). Off for every language by default.",
    )
    max_failed_tries: int = Field(default=3, ge=1)
    max_household_size: int = Field(
        default=10,
        ge=1,
        description="People per household (primary applicant included) the booking API takes; "
        "the sandbox's BOOKING_MAX_HOUSEHOLD_SIZE. Its /v1 API does not publish it.",
    )
    adult_age: int = Field(
        default=18, ge=0, description="Minimum age of the primary applicant (booking API rule)."
    )
    database_url: str | None = Field(
        default=None,
        description="Staff database (shelters, staff, households registered by staff, audit "
        "log, handoffs). Unset: a SQLite file in the data directory. PostgreSQL: "
        "postgresql+psycopg://user@host/db.",
    )
    database_schema: str | None = Field(
        default=None, description="PostgreSQL schema of the staff tables (default: search_path)."
    )
    staff_invite_hours: int = Field(default=72, ge=1, description="How long an invite code works.")
    signin_code_minutes: int = Field(default=10, ge=1, description="Portal sign-in code lifetime.")
    signin_max_attempts: int = Field(default=5, ge=1, description="Tries per sign-in code.")
    signin_codes_per_hour: int = Field(
        default=5,
        ge=1,
        description="Portal codes per staff member per hour from browsers they never signed in "
        "from, and again per known device (bot/staff/signin_limits.py).",
    )
    signin_codes_per_address: int = Field(
        default=10, ge=1, description="Portal codes per client address per hour (any number)."
    )
    portal_session_hours: int = Field(default=8, ge=1, description="Portal sign-in lifetime.")
    portal_secure_cookies: bool = Field(
        default=True, description="Portal cookies only over HTTPS (off for local http tests)."
    )
    log_level: str = "INFO"
    log_format: str = Field(
        default="text",
        pattern="^(text|json)$",
        description="text, or json: one JSON object per line (phone numbers masked either way).",
    )
    console_outbound: bool = Field(
        default=False,
        description="Without a Twilio account, print every message the bot would send on the "
        "console, marked as not sent (`frontdoor serve` and `frontdoor worker` turn it on).",
    )
    # ---- voice: spoken prompts and the phone line (bot/speech, bot/channels/voice.py) ---
    speech_engine: str = Field(
        default="auto",
        pattern="^(auto|espeak-ng|none)$",
        description="Text-to-speech for voice notes and calls: espeak-ng (needs espeak-ng and "
        "ffmpeg installed), none, or auto (espeak-ng when both are on PATH).",
    )
    media_ttl_seconds: float = Field(
        default=3600.0, gt=0, description="How long a rendered prompt stays at /media/ unused."
    )
    # ---- outbound: the job worker (bot/jobs) -------------------------------------------
    sms_rate_per_second: float = Field(
        default=1.0, gt=0, description="Messages/s per SMS sender (US long code 1, toll-free 3)."
    )
    whatsapp_rate_per_second: float = Field(
        default=80.0, gt=0, description="Messages/s per WhatsApp sender (80; up to 400 raised)."
    )
    whatsapp_window_hours: float = Field(
        default=24.0, gt=0, description="Free text only this long after the person's last message."
    )
    whatsapp_templates: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        examples=['{"allocated": {"es": "HX0123456789abcdef0123456789abcdef"}}'],
        description='Approved WhatsApp templates (ContentSid) per purpose and language, JSON: '
        '{"allocated": {"es": "HX...", "ht": "HX..."}, ...}. Outside the 24-hour window a '
        "purpose without a template for the person's language falls back to SMS.",
    )
    send_max_attempts: int = Field(default=5, ge=1, description="Tries per message (transient).")
    send_backoff_seconds: float = Field(
        default=1.0, gt=0, description="First retry delay; doubles, with jitter, up to 30 s."
    )
    worker_concurrency: int = Field(default=200, ge=1, description="Jobs run at once per worker.")
    worker_reclaim_after_seconds: float = Field(
        default=300.0,
        gt=0,
        description="A job taken by a worker that died is given to another after this long.",
    )
    events_poll_seconds: float = Field(
        default=1.0, gt=0, description="How often the worker looks for new booking events."
    )
    daily_reminder_time: str = Field(
        default="12:05", description="Local time of the opt-in daily reminder to make the request."
    )
    daily_reminder_timezone: str = Field(
        default="America/New_York", description="Time zone of daily_reminder_time (the window's)."
    )
    # ---- the web simulator (bot/simulator) ---------------------------------------------
    simulator: bool | None = Field(
        default=None,
        description="The web simulator at /simulator (type as an applicant in a browser). "
        "Unset: on only on embedded defaults (in-memory store and embedded booking sandbox, "
        "i.e. neither FRONTDOOR_REDIS_URL nor FRONTDOOR_BOOKING_API_URL set); false: off; "
        "true: on anyway (a production demo: its numbers are fictional, +1 555, never sent).",
    )
    simulator_segment_price: float = Field(
        default=0.0083,
        ge=0,
        description="Price of one SMS segment the simulator shows (US$; Twilio's US price).",
    )
    nlu_backend: str = Field(
        default="embedded", pattern="^(embedded|rasa)$", description="embedded or rasa"
    )
    rasa_url: str | None = Field(
        default=None, description="A Rasa server for nlu_backend=rasa (falls back if slow)."
    )

    @property
    def session_ttl(self) -> timedelta:
        return timedelta(days=self.session_ttl_days)

    def events_secret(self) -> str:
        if self.booking_events_secret is not None:
            return self.booking_events_secret.get_secret_value()
        # An independent key for the embedded sandbox, derived so nothing more must be set.
        digest = hmac.new(
            self.secret_key.get_secret_value().encode(), b"frontdoor/booking-events", "sha256"
        )
        return digest.hexdigest()

    @property
    def simulator_enabled(self) -> bool:
        """FRONTDOOR_SIMULATOR if set, else on exactly on embedded defaults."""
        if self.simulator is not None:
            return self.simulator
        return self.redis_url is None and self.booking_api_url is None

    @property
    def uses_development_key(self) -> bool:
        return self.secret_key.get_secret_value() == DEVELOPMENT_SECRET_KEY


def _example(name: str) -> str | None:
    field = Settings.model_fields.get(name)
    if field is None:
        return None
    if field.examples:
        return str(field.examples[0])
    default = field.get_default(call_default_factory=True)
    if default in (None, "", {}, []) or isinstance(default, SecretStr):
        return None
    return str(default).lower() if isinstance(default, bool) else str(default)


def config_error_lines(error: ValidationError | SettingsError) -> list[str]:
    """One line per invalid variable: its name, what is wrong, and a valid example."""
    problems: list[tuple[str, str, object]] = []
    if isinstance(error, ValidationError):
        for item in error.errors():
            name = str(item["loc"][0]) if item["loc"] else "?"
            problems.append((name, str(item["msg"]), item.get("input")))
    else:
        found = re.search(r'field "(\w+)"', str(error))
        cause = error.__cause__
        problems.append(
            (found.group(1) if found else "?", f"cannot be read ({cause or error})", None)
        )
    lines = []
    for name, message, given in problems:
        line = f"{ENV_PREFIX}{name.upper()}"
        if isinstance(given, str):
            line += f"={given}"
        line += f": {message[0].lower()}{message[1:]}"
        example = _example(name)
        if example is not None:
            line += f"; for example {ENV_PREFIX}{name.upper()}={example}"
        lines.append(line)
    return lines
