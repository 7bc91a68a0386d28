"""The one settings class. Environment prefix ``PERSONAE_``; secrets only from the environment."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = ["Settings", "DEFAULT_DATA_DIR"]

DEFAULT_DATA_DIR = Path(".personae")


class Settings(BaseSettings):
    """Every tunable of Personae. See the README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="PERSONAE_", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_DATA_DIR / 'personae.db'}",
        description="SQLAlchemy URL: sqlite:///file.db (embedded) or postgresql+psycopg://...",
    )
    redis_url: str = Field(
        default="fakeredis://",
        description="redis://host:port/db, or fakeredis:// for the embedded in-process mode.",
    )
    queue_name: str = Field(default="personae", description="RQ queue for render jobs.")
    public_base_url: str | None = Field(
        default=None,
        description="Public https URL where this deployment's HTTP app (personae billing serve) "
        "is reached, e.g. https://personae.example.com: images installed from marketplace "
        "packages become avatars at {public_base_url}/media/<sha256>.<ext>. Unset: images are "
        "kept but avatars are not set.",
    )

    @field_validator("public_base_url", mode="before")
    @classmethod
    def _public_base_url(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        text = value.strip().rstrip("/")
        if not text:
            return None
        from urllib.parse import urlsplit

        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or \
                parts.fragment or any(c.isspace() for c in text):
            raise ValueError("PERSONAE_PUBLIC_BASE_URL must be an http(s) URL such as "
                             "https://personae.example.com (no query or fragment)")
        return text

    llm_base_url: str | None = Field(
        default=None, description="OpenAI-compatible endpoint; unset = offline renderer."
    )
    llm_api_key: str | None = Field(
        default=None,
        validation_alias=AliasChoices("PERSONAE_LLM_API_KEY", "OPENAI_API_KEY"),
        description="API key for the model endpoint (also read from OPENAI_API_KEY).",
    )
    llm_model: str = Field(default="gpt-4o-mini", description="Chat model name.")
    llm_timeout_s: float = Field(default=20.0, gt=0, description="Per-request timeout.")
    llm_max_retries: int = Field(default=2, ge=0, le=10, description="Bounded retries.")
    llm_max_tokens: int = Field(default=200, ge=16, description="Reply length cap (tokens).")

    embedder: Literal["hashing", "openai", "local"] = Field(
        default="hashing",
        description="Embedder: hashing (offline, lexical), openai (an OpenAI-compatible "
        "endpoint) or local (all-MiniLM-L6-v2; the local-embeddings extra).",
    )
    embedding_model: str = Field(
        default="text-embedding-3-small", description="Embedding model name (embedder=openai)."
    )
    embedding_base_url: str | None = Field(
        default=None,
        description="OpenAI-compatible embeddings endpoint; unset = llm_base_url.",
    )

    seed: int = Field(default=0, description="Seed for every random choice (reproducible runs).")
    max_chain: int = Field(
        default=4, ge=0, description="Character-to-character replies before a chain stops."
    )
    cooldown_s: float = Field(
        default=20.0, ge=0, description="Seconds before a character speaks again unprompted."
    )
    channel_min_interval_s: float = Field(
        default=2.5, ge=0, description="Minimum spacing between character posts in a channel."
    )
    reply_delay_s: float = Field(
        default=2.0, ge=0, description="Typical delay before a character replies (jittered)."
    )
    idle_initiative_s: float = Field(
        default=30.0, gt=0, description="Quiet seconds before a character starts a conversation."
    )
    reflect_interval_s: float = Field(
        default=300.0, gt=0,
        description="Seconds between reflection steps (decay, contagion, alliances, drift).",
    )
    reflection_threshold: float = Field(
        default=150.0, gt=0,
        description="Summed importance (1-10 each) of a character's new observations that makes "
        "it consolidate: reflect, update its knowledge and summary, let old memories fade.",
    )
    fade_after_days: float = Field(
        default=30.0, gt=0,
        description="Days after which a memory neither made nor recalled since may fade.",
    )
    fade_below_importance: float = Field(
        default=3.0, ge=0, le=10,
        description="Memories less important than this fade (are archived) once old enough.",
    )
    memory_k: int = Field(default=5, ge=0, description="Memories retrieved into a prompt.")
    memory_token_budget: int = Field(
        default=300, ge=0,
        description="Most tokens (estimated, 4 bytes each) the recalled memories may take in a "
        "prompt; the best memories come first, the rest are left out.",
    )
    transcript_window: int = Field(default=12, ge=1, description="Recent messages in a prompt.")
    max_message_chars: int = Field(
        default=4000, ge=100, description="Longer messages are stored whole but clipped for use."
    )
    discord_token: str | None = Field(
        default=None,
        validation_alias=AliasChoices("PERSONAE_DISCORD_TOKEN", "DISCORD_TOKEN"),
        description="The Discord bot token (also read from DISCORD_TOKEN); needed by "
        "`personae discord` and by workers delivering to Discord.",
    )
    discord_api_base: str | None = Field(
        default=None,
        description="Discord REST base URL; unset = Discord's own. Tests point it at a fake.",
    )
    discord_character_tokens: dict[str, str] = Field(
        default_factory=dict,
        description="Dedicated-bot mode: JSON {\"character name\": \"bot token\"}; those "
        "characters run as their own bot users (presence, @mentions, DMs).",
    )
    discord_webhook_rate: str = Field(
        default="5/2",
        description="Posts per seconds allowed per webhook (Discord: about 5 per 2 s).",
    )
    discord_channel_rate: str = Field(
        default="30/60",
        description="Posts per seconds allowed per channel, all webhooks and bots together "
        "(Discord: about 30 per minute).",
    )
    discord_director_role: str = Field(
        default="Director",
        description="Default name of the Discord role whose members may direct (besides "
        "Manage Server); /personae setup can choose another per server.",
    )
    slack_bot_token: str | None = Field(
        default=None,
        validation_alias=AliasChoices("PERSONAE_SLACK_BOT_TOKEN", "SLACK_BOT_TOKEN"),
        description="The Slack bot token (xoxb-…, also read from SLACK_BOT_TOKEN) of a "
        "single-workspace install; `personae slack` and workers delivering to Slack need it "
        "(or an OAuth install, HTTP mode).",
    )
    slack_app_token: str | None = Field(
        default=None,
        validation_alias=AliasChoices("PERSONAE_SLACK_APP_TOKEN", "SLACK_APP_TOKEN"),
        description="The app-level token (xapp-…, scope connections:write) for Socket Mode.",
    )
    slack_signing_secret: str | None = Field(
        default=None,
        validation_alias=AliasChoices("PERSONAE_SLACK_SIGNING_SECRET", "SLACK_SIGNING_SECRET"),
        description="Signing secret that authenticates Slack's requests in HTTP mode.",
    )
    slack_client_id: str | None = Field(
        default=None, description="OAuth client id: HTTP mode installs into many workspaces."
    )
    slack_client_secret: str | None = Field(
        default=None, description="OAuth client secret (with slack_client_id)."
    )
    slack_api_base: str | None = Field(
        default=None,
        description="Slack Web API base URL; unset = Slack's own. Tests point it at a fake.",
    )
    slack_director_group: str = Field(
        default="personae-directors",
        description="Handle of the Slack user group whose members may direct (besides "
        "workspace admins); /personae setup can choose another per workspace.",
    )
    slack_channel_rate: str = Field(
        default="1/1",
        description="Posts per seconds allowed per Slack channel, all workers together "
        "(Slack: about 1 per second).",
    )
    tiers: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="JSON changes to the tiers (free, pro, enterprise): limits characters, "
        "relationships, exports, model_calls (null = unlimited), priority, price; merged into "
        "the defaults.",
    )
    stripe_api_key: str | None = Field(
        default=None, description="Stripe secret key (sk_…): /subscribe, /billing, purchases."
    )
    stripe_webhook_secret: str | None = Field(
        default=None, description="Signing secret (whsec_…) of the Stripe webhook endpoint."
    )
    stripe_price_pro: str | None = Field(
        default=None, description="Stripe price id of the Pro monthly subscription."
    )
    stripe_price_enterprise: str | None = Field(
        default=None, description="Stripe price id of the Enterprise monthly subscription."
    )
    stripe_api_base: str | None = Field(
        default=None,
        description="Stripe API base URL; unset = Stripe's own. Tests point it at a fake.",
    )
    billing_return_url: str = Field(
        default="https://personae.invalid/billing",
        description="Where Checkout and the Customer Portal send the buyer back to.",
    )
    billing_limits: Literal["auto", "on", "off"] = Field(
        default="auto",
        description="Whether tier limits apply: on, off, or auto (when a Stripe key is set; a "
        "self-hosted install that sells nothing is unlimited).",
    )
    billing_grace_days: float = Field(
        default=7.0, ge=0,
        description="Days a paid tier holds after a failed payment before the downgrade.",
    )
    billing_currency: str = Field(default="usd", description="Currency of package purchases.")
    marketplace_moderators: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description="Marketplace moderators (open reports, takedowns, restores): the "
        "operator's staff, as comma-separated member keys PLATFORM:USER_ID "
        "(discord:1234567890,slack:U0123).",
    )
    secrets_key: str | None = Field(
        default=None,
        description="Encrypts secrets kept in the database (Enterprise communities' own model "
        "keys); any long random string. Unset: own model keys cannot be stored.",
    )
    log_level: str = Field(default="WARNING", description="Logging level.")

    @field_validator("embedder", mode="before")
    @classmethod
    def _embedder_name(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("marketplace_moderators", mode="before")
    @classmethod
    def _moderator_keys(cls, value: object) -> object:
        """``discord:123, slack:U0123`` (or a list) → normalised keys; a key without its
        platform is refused (it would silently name nobody)."""
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list | tuple | set | frozenset):
            return value
        keys = []
        for item in items:
            text = str(item).strip()
            if not text:
                continue
            platform, _, user = (part.strip() for part in text.partition(":"))
            if not platform or not user:
                raise ValueError(f"{text!r} is not a member key PLATFORM:USER_ID "
                                 "(e.g. discord:1234567890 or slack:U0123)")
            keys.append(f"{platform.lower()}:{user}")
        return tuple(dict.fromkeys(keys))

    @property
    def embedded(self) -> bool:
        """True when Redis is the in-process fake (the zero-setup mode)."""
        return self.redis_url.startswith("fakeredis")

    @property
    def model_configured(self) -> bool:
        return bool(self.llm_base_url or self.llm_api_key)
