"""Enterprise extras of a community: its own model endpoint and key, and a white-label name
and avatar for the bot.

**Own model.** ``set_model`` checks the endpoint answers (one tiny completion) before it
stores anything; the key is kept encrypted (``engine.secret_box``). From then on the
community's characters are voiced, and their reflections written, by that model: its calls
are the community's own and count against no monthly limit. Should the tier drop below
Enterprise, or the key become unreadable (``PERSONAE_SECRETS_KEY`` changed), the setting is
kept but not used, and ``view`` says why: the deployment's model voices the characters again
within the tier's limits.

**White label.** ``set_brand`` gives the bot another name (1–32 characters, Discord's limit
for a nickname) and an avatar URL. ``brand_of`` is what the engine and the bots use for
notices and the bot's own posts; it is "Personae" with no avatar when nothing is set or the
tier does not include it.

Where the tier allows it: Enterprise, or any tier when limits are off (a self-hosted install
that sells nothing).
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from engine.adapters.sql.enterprise_store import EnterpriseRow
from engine.adapters.sql.uow import UnitOfWork
from engine.billing.tiers import Tier
from engine.errors import InvalidInput, ModelUnavailable, NotFound
from engine.ports import LanguageModel, Renderer
from engine.rendering.model_renderer import ModelRenderer
from engine.rendering.offline import OfflineRenderer
from engine.secret_box import SecretBox, SecretUnreadable
from engine.services.branding import DEFAULT_BRAND, Brand, brand_in
from engine.services.deps import Deps

__all__ = [
    "Brand", "ModelEndpoint", "EnterpriseView", "DEFAULT_BRAND", "MAX_BRAND_NAME",
    "view", "set_model", "clear_model", "set_brand", "clear_brand", "brand_of", "brand_in",
    "model_for", "renderer_for", "require",
]

log = logging.getLogger(__name__)

#: Discord's limit for a nickname; Slack's username is longer, so one rule fits both.
MAX_BRAND_NAME = 32
_MAX_URL = 500
_MAX_MODEL_NAME = 200
_MAX_KEY = 1_000
#: Built models kept per process (one per community using its own endpoint).
_CACHE_SIZE = 256


@dataclass(frozen=True)
class ModelEndpoint:
    base_url: str
    model: str
    has_key: bool


@dataclass(frozen=True)
class EnterpriseView:
    """What a community has set, and whether it is in use (and if not, why)."""

    tier: str
    allowed: bool
    model: ModelEndpoint | None
    model_in_use: bool
    model_problem: str | None
    brand: Brand
    brand_in_use: bool
    updated_by: str = ""
    updated_at: datetime | None = None

    def lines(self) -> list[str]:
        """A plain-text summary (the key itself is never shown)."""
        out = [f"Tier: {self.tier}" + ("" if self.allowed else
                                        " (own model and white label need Enterprise)")]
        if self.model is None:
            out.append("Model: the deployment's")
        else:
            state = "in use" if self.model_in_use else f"not in use: {self.model_problem}"
            key = "key set" if self.model.has_key else "no key"
            out.append(f"Model: {self.model.model} at {self.model.base_url} ({key}; {state})")
        if not self.brand.custom:
            out.append(f"Bot name: {DEFAULT_BRAND} (default)")
        else:
            state = "in use" if self.brand_in_use else "not in use: needs Enterprise"
            out.append(f"Bot name: {self.brand.name}"
                       + (f", avatar {self.brand.avatar_url}" if self.brand.avatar_url else "")
                       + f" ({state})")
        if self.updated_at is not None:
            out.append(f"Last changed by {self.updated_by or 'someone'} at "
                       f"{self.updated_at:%Y-%m-%d %H:%M} UTC")
        return out


def _tier(uow: UnitOfWork, ecosystem_id: int, now: datetime) -> Tier:
    if uow.spaces.get_ecosystem(ecosystem_id) is None:
        raise NotFound(f"No community with id {ecosystem_id}.")
    return uow.billing.tier(ecosystem_id, now)


def _feature(tier: Tier, feature: str) -> bool:
    return bool(tier.own_model if feature == "model" else tier.white_label)


def _require(uow: UnitOfWork, tier: Tier, feature: str) -> None:
    if _feature(tier, feature):
        return
    what = "Its own model endpoint" if feature == "model" else "A white-label bot name and avatar"
    enterprise = next((t for t in uow.billing.catalog.tiers if _feature(t, feature)), None)
    lift = (f"/subscribe {enterprise.name} ({enterprise.title})" if enterprise is not None
            else "ask the operator")
    raise InvalidInput(f"{what} is not part of {tier.title}: {lift} to use it.")


def require(deps: Deps, ecosystem_id: int, feature: str) -> None:
    """Refuse early (before a form is shown, an image uploaded) when the community's tier
    does not include ``feature`` ("model" or "brand"); reads only, changes nothing.

    Raises:
        InvalidInput: The refusal, saying how to lift it.
        NotFound: No such community.
    """
    with deps.uow() as uow:
        _require(uow, _tier(uow, ecosystem_id, deps.clock.now()), feature)


def _url(value: str, what: str) -> str:
    value = value.strip()
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if (parts is None or parts.scheme not in ("http", "https") or not parts.hostname
            or len(value) > _MAX_URL or any(c.isspace() for c in value)):
        raise InvalidInput(f"{what} must be an http(s) URL of at most {_MAX_URL} characters, "
                           f"not {value[:80]!r}.")
    if parts.username or parts.password:
        raise InvalidInput(f"{what} must not carry a user name or password; give the key "
                           "separately.")
    return value


def _problem(row: EnterpriseRow, box: SecretBox | None) -> str | None:
    if not row.model_key_encrypted:
        return None
    if box is None:
        return "PERSONAE_SECRETS_KEY is not set on this process"
    try:
        box.open(row.model_key_encrypted)
    except SecretUnreadable as exc:
        return f"{exc}; set the model again"
    return None


def _box(deps: Deps) -> SecretBox | None:
    try:
        return SecretBox(deps.settings.secrets_key)
    except InvalidInput:
        return None


def view(deps: Deps, ecosystem_id: int) -> EnterpriseView:
    now = deps.clock.now()
    with deps.uow() as uow:
        tier = _tier(uow, ecosystem_id, now)
        row = uow.enterprise.get(ecosystem_id) or EnterpriseRow(ecosystem_id)
    model = (ModelEndpoint(row.model_base_url, row.model_name or "",
                           bool(row.model_key_encrypted)) if row.model_base_url else None)
    problem = None
    if model is not None:
        problem = ("the tier does not include it" if not tier.own_model
                   else _problem(row, _box(deps)))
    brand = Brand(row.brand_name or DEFAULT_BRAND, row.brand_avatar_url)
    return EnterpriseView(tier.title, tier.own_model or tier.white_label, model,
                          model is not None and problem is None, problem, brand,
                          tier.white_label, row.updated_by, row.updated_at)


def set_model(deps: Deps, ecosystem_id: int, base_url: str, model: str,
              api_key: str | None = None, *, by: str = "", check: bool = True
              ) -> EnterpriseView:
    """Use an OpenAI-compatible endpoint of the community's own for its characters.

    Raises:
        InvalidInput: The tier does not include it; a bad URL or model name; a key without
            ``PERSONAE_SECRETS_KEY``; the endpoint did not answer the check (nothing changed).
        NotFound: No such community.
    """
    base_url = _url(base_url, "The model endpoint")
    model = model.strip()
    if not model or len(model) > _MAX_MODEL_NAME:
        raise InvalidInput(f"The model name must be 1–{_MAX_MODEL_NAME} characters.")
    api_key = (api_key or "").strip() or None
    if api_key is not None and len(api_key) > _MAX_KEY:
        raise InvalidInput(f"The API key is longer than {_MAX_KEY} characters.")
    now = deps.clock.now()
    with deps.uow() as uow:
        _require(uow, _tier(uow, ecosystem_id, now), "model")
    sealed = SecretBox(deps.settings.secrets_key).seal(api_key) if api_key else None
    if check:
        _check(deps, base_url, model, api_key)
    with deps.uow() as uow:
        uow.enterprise.save(ecosystem_id, now, by, model_base_url=base_url, model_name=model,
                            model_key_encrypted=sealed)
        uow.commit()
    log.info("ecosystem %s: own model %s at %s set by %s", ecosystem_id, model, base_url, by)
    return view(deps, ecosystem_id)


def _check(deps: Deps, base_url: str, model: str, api_key: str | None) -> None:
    if deps.model_factory is None:
        raise InvalidInput("This process cannot reach language models (no model factory).")
    try:
        deps.model_factory(base_url, api_key, model).complete(
            [{"role": "user", "content": "Reply with the word OK."}], max_tokens=5,
            temperature=0.0)
    except ModelUnavailable as exc:
        raise InvalidInput(f"The model endpoint did not answer: {exc}. Nothing was changed."
                           ) from exc


def clear_model(deps: Deps, ecosystem_id: int, *, by: str = "") -> EnterpriseView:
    """Back to the deployment's model (the stored key is erased)."""
    now = deps.clock.now()
    with deps.uow() as uow:
        _tier(uow, ecosystem_id, now)
        uow.enterprise.save(ecosystem_id, now, by, model_base_url=None, model_name=None,
                            model_key_encrypted=None)
        uow.commit()
    return view(deps, ecosystem_id)


def set_brand(deps: Deps, ecosystem_id: int, name: str | None, avatar_url: str | None = None,
              *, by: str = "") -> Brand:
    """Give the bot a white-label ``name`` (None keeps the current one) and ``avatar_url``.

    Raises:
        InvalidInput: The tier does not include it; an empty or too long name; a bad URL.
    """
    values: dict[str, str | None] = {}
    if name is not None:
        name = " ".join(name.split())
        if not name or len(name) > MAX_BRAND_NAME:
            raise InvalidInput(f"The bot's name must be 1–{MAX_BRAND_NAME} characters.")
        values["brand_name"] = name
    if avatar_url is not None:
        values["brand_avatar_url"] = _url(avatar_url, "The avatar") if avatar_url else None
    if not values:
        raise InvalidInput("Give a name, an avatar URL, or both.")
    now = deps.clock.now()
    with deps.uow() as uow:
        _require(uow, _tier(uow, ecosystem_id, now), "brand")
        row = uow.enterprise.save(ecosystem_id, now, by, **values)
        uow.commit()
    return Brand(row.brand_name or DEFAULT_BRAND, row.brand_avatar_url)


def clear_brand(deps: Deps, ecosystem_id: int, *, by: str = "") -> Brand:
    now = deps.clock.now()
    with deps.uow() as uow:
        _tier(uow, ecosystem_id, now)
        uow.enterprise.save(ecosystem_id, now, by, brand_name=None, brand_avatar_url=None)
        uow.commit()
    return Brand()


def brand_of(deps: Deps, ecosystem_id: int) -> Brand:
    with deps.uow() as uow:
        return brand_in(uow, ecosystem_id, deps.clock.now())


_models: OrderedDict[tuple[str, str, str, str], LanguageModel] = OrderedDict()
_models_lock = threading.Lock()


def model_for(deps: Deps, ecosystem_id: int) -> LanguageModel | None:
    """The community's own model when it has one in use, else None (use the deployment's)."""
    now = deps.clock.now()
    with deps.uow() as uow:
        row = uow.enterprise.get(ecosystem_id)
        if row is None or not row.model_base_url:
            return None
        if not uow.billing.tier(ecosystem_id, now).own_model:
            return None
    if deps.model_factory is None:
        log.warning("ecosystem %s has its own model but this process has no model factory",
                    ecosystem_id)
        return None
    key: str | None = None
    if row.model_key_encrypted:
        box = _box(deps)
        try:
            if box is None:
                raise SecretUnreadable("PERSONAE_SECRETS_KEY is not set")
            key = box.open(row.model_key_encrypted)
        except SecretUnreadable as exc:
            log.error("ecosystem %s: own model key unreadable (%s); using the deployment's "
                      "model", ecosystem_id, exc)
            return None
    digest = hashlib.sha256((key or "").encode()).hexdigest()
    cache_key = (str(ecosystem_id), row.model_base_url, row.model_name or "", digest)
    with _models_lock:
        model = _models.get(cache_key)
        if model is not None:
            _models.move_to_end(cache_key)
            return model
    model = deps.model_factory(row.model_base_url, key, row.model_name or "")
    with _models_lock:
        _models[cache_key] = model
        while len(_models) > _CACHE_SIZE:
            _models.popitem(last=False)
    return model


def renderer_for(deps: Deps, ecosystem_id: int) -> Renderer | None:
    """A renderer voicing the community's characters through its own model, or None."""
    model = model_for(deps, ecosystem_id)
    if model is None:
        return None
    return ModelRenderer(model, fallback=OfflineRenderer(),
                         max_tokens=deps.settings.llm_max_tokens)
