"""Settings from the environment and `.env`; development needs none of them."""

from __future__ import annotations

import os
import secrets
import sys
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SECRET_FILE_NAME = 'secret_key'  # noqa: S105 - a file name, not a secret
MIN_SECRET_LENGTH = 32
SESSION_COOKIE = 'tasklight_session'  # the browser's opaque session token (HttpOnly)
APP_NAME = 'Tasklight'


class ConfigError(RuntimeError):
    """The configuration cannot run as given; the message says what to set."""


def normalize_database_url(url: str) -> str:
    """Point PostgreSQL URLs at psycopg 3 and leave their query options (sslmode=...) intact."""
    for prefix in (
        'postgres://',
        'postgresql://',
        'postgresql+psycopg2://',
        'postgresql+psycopg://',
    ):
        if url.startswith(prefix):
            return 'postgresql+psycopg://' + url[len(prefix) :]
    return url


def is_frozen() -> bool:
    """True inside the packaged desktop binary (PyInstaller sets `sys.frozen`)."""
    return bool(getattr(sys, 'frozen', False))


def desktop_data_dir() -> Path:
    """The platform's per-user data folder: ~/.local/share/Tasklight (honouring XDG_DATA_HOME),
    %LOCALAPPDATA%\\Tasklight, ~/Library/Application Support/Tasklight."""
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def env_file() -> Path | None:
    """Which `.env` to read. The packaged app may be started from any folder, so it reads the one
    in its own data folder and never a stray `.env` in the working directory."""
    if is_frozen():
        return desktop_data_dir() / '.env'
    return Path('.env')


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file='.env', env_file_encoding='utf-8', extra='ignore')

    env: Literal['development', 'production', 'test'] = 'development'
    # ./data for the server; the desktop app's default is the platform's user data folder.
    data_dir: Path = Path('./data')
    database_url: str | None = None
    secret_key: str | None = Field(default=None, repr=False)
    host: str = '127.0.0.1'
    port: int = Field(default=8080, ge=1, le=65535)
    cors_origins: Annotated[list[str], NoDecode] = []
    redis_url: str | None = None
    forwarded_allow_ips: str = '127.0.0.1'
    # A desktop window instead of a browser app; the packaged binary is one unless NATIVE=false.
    native: bool = Field(default_factory=is_frozen)
    # The desktop app normally has one local person and no sign-in; true keeps accounts
    # (sign-up and sign-in) for a computer that several people share.
    desktop_accounts: bool = False

    rate_limit_login: str = '5/minute'
    rate_limit_login_per_address: str = '30/minute'
    rate_limit_register: str = '10/hour'
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    refresh_token_days: int = Field(default=30, ge=1, le=365)
    browser_session_days: int = Field(default=14, ge=1, le=365)
    session_cache_seconds: float = Field(default=5.0, ge=0, le=300)
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    db_pool_size: int = Field(default=20, ge=1, le=200)
    # Database trouble is answered fast (503) instead of waiting: seconds each.
    db_pool_timeout: float = Field(default=2.0, gt=0, le=30)
    db_connect_timeout: int = Field(default=5, ge=1, le=60)
    db_statement_timeout: float = Field(default=15.0, ge=0, le=600)  # 0 = no limit
    db_lock_timeout: float = Field(default=3.0, ge=0, le=600)  # 0 = no limit
    # SQLite durability: FULL survives power loss; NORMAL may lose the last commits.
    sqlite_synchronous: Literal['FULL', 'NORMAL'] = 'FULL'

    # Logs and the process.
    log_level: Literal['DEBUG', 'INFO', 'WARNING', 'ERROR'] = 'INFO'
    log_format: Literal['text', 'json'] = 'text'
    access_log: bool = False
    shutdown_grace_seconds: float = Field(default=10.0, ge=0, le=300)
    reconnect_timeout_seconds: float = Field(default=30.0, ge=1, le=600)

    # Sessions (ASVS 7.3): idle timeout for every session; absolute lifetime of an API refresh
    # family (BROWSER_SESSION_DAYS is the browser's absolute lifetime).
    session_idle_minutes: int = Field(default=7 * 24 * 60, ge=1, le=365 * 24 * 60)
    api_session_max_days: int = Field(default=90, ge=1, le=3650)
    # A browser that signed in before may still sign in while its account is under attack.
    device_trust_days: int = Field(default=90, ge=1, le=3650)
    # Password hashing from all clients together (each hash costs ~20 ms of CPU).
    rate_limit_password_hashing: str = '1200/minute'  # noqa: S105 - a rate, not a password

    # /docs and /redoc: on by default, off in production unless API_DOCS=true.
    api_docs: bool | None = None
    # Host names this server answers to besides loopback names (DNS rebinding); see the docs.
    allowed_hosts: Annotated[list[str], NoDecode] = []

    # ---- Team deployments (docs/operations.md).
    # Who may make an account: anyone (open), only with an admin's invitation link (invite), or
    # nobody new (closed). ALLOWED_EMAIL_DOMAINS narrows every way in, single sign-on included.
    registration: Literal['open', 'invite', 'closed'] = 'open'
    allowed_email_domains: Annotated[list[str], NoDecode] = []
    # These addresses are admins from their first sign-in on.
    admin_emails: Annotated[list[str], NoDecode] = []
    # false: only single sign-on (the password form and POST /api/auth/login are off).
    password_login: bool = True
    # Single sign-on with an OpenID Connect provider: all three of these turn it on.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = Field(default=None, repr=False)
    oidc_provider_name: str = 'single sign-on'  # the button says "Sign in with <this>"
    oidc_scopes: str = 'openid email profile'
    # A claim holding group names (a list or one string) and the group that makes an admin.
    oidc_admin_claim: str = 'groups'
    oidc_admin_group: str | None = None
    # The address people reach this server at, for links in email (https://tasks.example.com).
    public_url: str | None = None
    # Email for password-reset links; without SMTP_HOST an admin issues the links instead.
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: str | None = Field(default=None, repr=False)
    smtp_from: str = 'Tasklight <tasklight@localhost>'
    smtp_security: Literal['starttls', 'ssl', 'none'] = 'starttls'
    rate_limit_password_reset: str = '3/hour'  # noqa: S105 - a rate, not a password
    invitation_days: int = Field(default=7, ge=1, le=90)
    password_reset_minutes: int = Field(default=60, ge=5, le=7 * 24 * 60)
    # /metrics for Prometheus is off (404) unless one of these turns it on: a token, which every
    # scrape must then send as `Authorization: Bearer <token>`, or METRICS=local, which serves it
    # without one to loopback scrapers that did not come through the proxy.
    metrics: Literal['off', 'local'] = 'off'
    metrics_token: str | None = Field(default=None, min_length=16, repr=False)

    @field_validator('allowed_email_domains', 'admin_emails', mode='before')
    @classmethod
    def _split_lower(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip().lower().lstrip('@') for part in value.split(',') if part.strip()]
        return value

    @field_validator('metrics_token', mode='before')
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator('metrics', mode='before')
    @classmethod
    def _metrics_mode(cls, value: object) -> object:
        if isinstance(value, str):
            return value.strip().lower() or 'off'  # an empty line in .env: the default
        return value

    @field_validator('cors_origins', mode='before')
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip().rstrip('/') for part in value.split(',') if part.strip()]
        return value

    @field_validator('allowed_hosts', mode='before')
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip().lower() for part in value.split(',') if part.strip()]
        return value

    @field_validator(
        'rate_limit_login',
        'rate_limit_login_per_address',
        'rate_limit_register',
        'rate_limit_password_hashing',
        'rate_limit_password_reset',
    )
    @classmethod
    def _limits_notation(cls, value: str) -> str:
        from limits import parse

        parse(value)  # raises ValueError with the reason when the notation is wrong
        return value

    @field_validator('cors_origins')
    @classmethod
    def _no_wildcard(cls, value: list[str]) -> list[str]:
        if '*' in value:
            raise ValueError('CORS_ORIGINS must list explicit origins; "*" is not allowed')
        return value

    @model_validator(mode='after')
    def _desktop_data_in_the_user_folder(self) -> Settings:
        # Not in whatever folder the app was started from: a double-click has no meaningful one.
        if self.desktop and 'data_dir' not in self.model_fields_set:
            self.data_dir = desktop_data_dir()
        return self

    @model_validator(mode='after')
    def _production_needs_real_secrets(self) -> Settings:
        # A short key is refused in every mode: development keys leak into real use.
        if self.secret_key and len(self.secret_key) < MIN_SECRET_LENGTH:
            raise ConfigError(f'SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters')
        if self.env != 'production':
            return self
        missing = []
        if not self.secret_key:
            missing.append('SECRET_KEY')
        if not self.database_url:
            missing.append('DATABASE_URL')
        if missing:
            raise ConfigError(f'ENV=production needs {" and ".join(missing)} to be set')
        return self

    @model_validator(mode='after')
    def _some_way_to_sign_in(self) -> Settings:
        oidc = [self.oidc_issuer, self.oidc_client_id, self.oidc_client_secret]
        if any(oidc) and not all(oidc):
            raise ConfigError(
                'single sign-on needs OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET together'
            )
        if not self.password_login and not all(oidc):
            raise ConfigError('PASSWORD_LOGIN=false needs single sign-on (OIDC_ISSUER, ...)')
        return self

    @model_validator(mode='after')
    def _metrics_one_way(self) -> Settings:
        if self.metrics == 'local' and self.metrics_token:
            raise ConfigError(
                'METRICS=local serves /metrics without a token, but METRICS_TOKEN requires one: '
                'set only one of them'
            )
        return self

    @property
    def metrics_enabled(self) -> bool:
        return self.metrics == 'local' or self.metrics_token is not None

    @property
    def desktop(self) -> bool:
        """A desktop run: the native window, or the packaged binary in any mode."""
        return self.native or is_frozen()

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id and self.oidc_client_secret)

    @property
    def smtp_enabled(self) -> bool:
        return bool(self.smtp_host)

    def email_domain_allowed(self, email: str) -> bool:
        """ALLOWED_EMAIL_DOMAINS (none set: every domain) for an address of any case."""
        if not self.allowed_email_domains:
            return True
        return email.rsplit('@', 1)[-1].strip().lower() in self.allowed_email_domains

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return normalize_database_url(self.database_url)
        return f'sqlite:///{(self.data_dir / "tasklight.db").resolve()}'

    @property
    def docs_enabled(self) -> bool:
        """API docs: asked for with API_DOCS, else on for development servers only (a desktop
        app's API is behind its launch secret, so nobody could read them there)."""
        if self.api_docs is not None:
            return self.api_docs
        return self.env != 'production' and not self.desktop

    @property
    def signing_key(self) -> str:
        """SECRET_KEY, or in development a generated one kept in DATA_DIR."""
        if self.secret_key:
            return self.secret_key
        return _development_secret(self.data_dir)


def _development_secret(data_dir: Path) -> str:
    path = data_dir / SECRET_FILE_NAME
    if path.exists():
        return path.read_text(encoding='utf-8').strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    # O_EXCL: two processes starting at once agree on whichever secret was written first.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding='utf-8').strip()
    with os.fdopen(fd, 'w', encoding='utf-8') as handle:
        handle.write(secret)
    return secret


@lru_cache
def get_settings() -> Settings:
    return Settings(_env_file=env_file())
