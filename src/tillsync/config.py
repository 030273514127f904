"""Settings from TILLSYNC_* environment variables and an optional .env file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class OAuthApp(BaseModel):
    """The hub's app at one provider: what its consent screen and token endpoint know us by."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    client_id: str = Field(min_length=1)
    client_secret: str = Field(min_length=1, repr=False)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TILLSYNC_", env_file=".env", extra="ignore")

    environment: Literal["development", "production"] = "development"
    data_dir: Path = Path(".tillsync")
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = 9999
    public_url: str = ""
    secret_keys: Annotated[list[str], NoDecode] = Field(default_factory=list)
    provider_urls: dict[str, str] = Field(
        default_factory=dict,
        description="Where providers are, by name (an emulator, a proxy), as JSON "
        '(`{"<provider>": "http://…"}`); a provider not named here: its real address',
    )
    oauth_apps: dict[str, OAuthApp] = Field(
        default_factory=dict,
        description="The hub's OAuth app at each provider that has OAuth, by provider name, as "
        'JSON (`{"<provider>": {"client_id": "…", "client_secret": "…"}}`)',
    )
    oauth_state_seconds: float = Field(
        default=600.0, gt=0, description="How long a merchant has to answer a consent screen"
    )
    allow_private_addresses: bool = Field(
        default=False,
        description="Let tenants point the hub at loopback, private and link-local addresses",
    )
    webhook_signature_keys: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="The key each provider that signs its webhooks (HMAC) signs them with, by "
        'provider name, as JSON (`{"<provider>": "…"}`): the signature key of the subscription '
        "made at the provider for the hub's receiver",
    )
    log_level: str = "INFO"
    log_format: Literal["json", "text"] = "json"

    embedded_worker: bool = True
    worker_concurrency: int = Field(default=4, ge=1, le=64)
    job_lease_seconds: float = Field(default=30.0, gt=0)
    job_poll_seconds: float = Field(default=0.2, gt=0)
    event_poll_seconds: float = Field(default=0.2, gt=0)
    reservation_ttl_seconds: int = Field(default=900, ge=1)
    stock_poll_seconds: float = Field(
        default=0.25,
        gt=0,
        description="How often a hub reads stock changes other processes committed into its "
        "in-memory stock (its own commits are read at once)",
    )
    stock_freshness_seconds: float = Field(
        default=1.0,
        gt=0,
        description="The oldest in-memory stock a check may answer from; older, it reads the "
        "database",
    )
    key_trust_seconds: float = Field(
        default=1.0,
        ge=0,
        le=3600,
        description="How long a hub keeps trusting an API key it has checked, so a busy POS "
        "does not cost a database read per request; a revoked key stops working within this "
        "time (0: every request checks). By default the bound a stock check keeps to",
    )
    max_body_bytes: int = 1024 * 1024
    provider_timeout_seconds: float = Field(default=20.0, gt=0)
    scheduler_seconds: float = Field(default=30.0, gt=0)
    heartbeat_seconds: float = Field(
        default=10.0, gt=0, description="How often each worker records that it is alive"
    )
    heartbeat_timeout_seconds: float = Field(
        default=60.0,
        gt=0,
        description="A worker not heard from for this long is taken for gone: /readyz answers "
        "503 while no worker is younger (several heartbeats, so a busy database or a long "
        "pause does not flap it)",
    )
    metrics_token: str = Field(
        default="",
        description="When set, GET /metrics needs `Authorization: Bearer <this>`; by default "
        "it is open (it shows counts only: no tenant, no key, no SKU)",
    )
    retention_days: int = Field(default=90, ge=1)

    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    mail_from: str = "tillsync@localhost"

    @field_validator("secret_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @property
    def resolved_database_url(self) -> str:
        """The async driver URL: SQLite file under data_dir unless a URL is given."""
        url = self.database_url or f"sqlite:///{self.data_dir / 'tillsync.db'}"
        for plain, driver in (
            ("sqlite://", "sqlite+aiosqlite://"),
            ("postgresql://", "postgresql+asyncpg://"),
            ("postgres://", "postgresql+asyncpg://"),
        ):
            if url.startswith(plain):
                return driver + url.removeprefix(plain)
        return url

    @property
    def resolved_public_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")
