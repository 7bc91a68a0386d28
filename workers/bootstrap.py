"""The composition root: builds the whole object graph from settings, once per process.

Entry points (the ``personae`` command, RQ workers, the bots) call ``build`` or ``container``;
tests call ``build`` with their own clock, renderer or settings.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import redis
from rq import Queue

from engine.adapters.sql.database import Database
from engine.adapters.sql.uow import UnitOfWorkFactory
from engine.billing.tiers import catalog_from
from engine.clock import Clock, SystemClock
from engine.embedding import make_embedder
from engine.ports import LanguageModel, Outbox, Renderer
from engine.rendering.offline import OfflineRenderer
from engine.services.deps import Deps
from engine.settings import Settings
from workers.console_outbox import ConsoleOutbox
from workers.queue import RQJobQueue
from workers.redis_conn import connect
from workers.stream import RedisEventStream

__all__ = ["Container", "build", "container", "install", "make_model", "make_renderer",
           "model_factory"]

log = logging.getLogger(__name__)


@dataclass
class Container:
    settings: Settings
    database: Database
    redis: redis.Redis
    queue: Queue
    deps: Deps
    console_outbox: ConsoleOutbox
    extras: dict[str, object] = field(default_factory=dict)
    #: ``<queue_name>-priority``: render jobs of tiers with priority processing.
    priority_queue: Queue | None = None

    @property
    def queues(self) -> list[Queue]:
        """The queues a worker listens to, in the order it serves them: priority first."""
        return [q for q in (self.priority_queue, self.queue) if q is not None]

    def close(self) -> None:
        self.database.dispose()


def make_model(settings: Settings) -> LanguageModel | None:
    """The configured chat model (an endpoint or a key is set), else None."""
    if not settings.model_configured:
        return None
    from engine.adapters.openai_model import OpenAIChatModel

    return OpenAIChatModel.from_settings(settings)


def model_factory(settings: Settings) -> Callable[[str, str | None, str], LanguageModel]:
    """Builds chat models for other endpoints (Enterprise communities' own) with the
    deployment's timeout and retries."""

    def build_model(base_url: str, api_key: str | None, model: str) -> LanguageModel:
        from engine.adapters.openai_model import OpenAIChatModel

        return OpenAIChatModel(base_url=base_url, api_key=api_key, model=model,
                               timeout_s=settings.llm_timeout_s,
                               max_retries=settings.llm_max_retries)

    return build_model


def make_renderer(settings: Settings, model: LanguageModel | None = None) -> Renderer:
    """The model renderer when a model is configured (``model``, or built from settings), else
    the offline one."""
    offline = OfflineRenderer()
    model = model or make_model(settings)
    if model is None:
        return offline
    from engine.rendering.model_renderer import ModelRenderer

    return ModelRenderer(model, fallback=offline, max_tokens=settings.llm_max_tokens)


def build(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    renderer: Renderer | None = None,
    outboxes: dict[str, Outbox] | None = None,
    honour_delays: bool = True,
    migrate: bool = True,
) -> Container:
    """Build every dependency from ``settings``.

    Raises:
        ServiceUnavailable: The database or Redis cannot be reached (clear message).
    """
    settings = settings or Settings()
    database = Database(settings.database_url)
    if migrate:
        database.migrate()
    else:
        database.check()
    client = connect(settings.redis_url)
    queue = Queue(settings.queue_name, connection=client)
    priority_queue = Queue(f"{settings.queue_name}-priority", connection=client)
    console = ConsoleOutbox()
    model = make_model(settings)
    uow = UnitOfWorkFactory(database.engine, catalog_from(settings))
    clock = clock or SystemClock()
    stream = RedisEventStream(client)
    all_outboxes: dict[str, Outbox] = {"console": console, **(outboxes or {})}
    if "slack" not in all_outboxes:
        from workers.slack.factory import make_slack_outbox, slack_configured

        if slack_configured(settings):
            all_outboxes["slack"] = make_slack_outbox(settings, database.engine, client, clock)
    if settings.discord_token and "discord" not in all_outboxes:
        from workers.discord.outbox import DiscordOutbox

        all_outboxes["discord"] = DiscordOutbox(settings, uow, client, clock=clock,
                                                stream=stream)
    deps = Deps(
        settings=settings,
        uow=uow,
        clock=clock,
        queue=RQJobQueue(queue, honour_delays=honour_delays, priority_queue=priority_queue),
        stream=stream,
        renderer=renderer or make_renderer(settings, model),
        embedder=make_embedder(settings),
        outboxes=all_outboxes,
        model=model,
        model_factory=model_factory(settings),
    )
    return Container(settings, database, client, queue, deps, console,
                     priority_queue=priority_queue)


_current: Container | None = None
_lock = threading.Lock()


def install(value: Container | None) -> None:
    """Make ``value`` this process's container (the demo and tests build their own)."""
    global _current
    with _lock:
        _current = value


def container() -> Container:
    """This process's container, built from the environment on first use."""
    global _current
    with _lock:
        if _current is None:
            _current = build()
        return _current
