"""The unit of work: one transaction, with every repository bound to it."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.engine import Connection, Engine

from engine.adapters.sql.billing_store import BillingStore
from engine.adapters.sql.consolidation_store import ConsolidationStore
from engine.adapters.sql.enterprise_store import EnterpriseStore
from engine.adapters.sql.event_log import EventLog
from engine.adapters.sql.goal_store import GoalStore
from engine.adapters.sql.intent_store import IntentStore
from engine.adapters.sql.marketplace_store import MarketplaceStore
from engine.adapters.sql.media import MediaStore
from engine.adapters.sql.memory_browser_store import MemoryBrowserStore
from engine.adapters.sql.memory_store import MemoryStore
from engine.adapters.sql.pacts_store import PactStore
from engine.adapters.sql.participants import ParticipantRepository
from engine.adapters.sql.platform_links import PlatformLinks
from engine.adapters.sql.relationship_store import RelationshipStore
from engine.adapters.sql.scenario_store import ScenarioStore
from engine.adapters.sql.social_store import SocialStore
from engine.adapters.sql.spaces import SpaceRepository
from engine.adapters.sql.story_store import StoryStore
from engine.billing.tiers import Catalog

__all__ = ["UnitOfWork", "UnitOfWorkFactory"]


class UnitOfWork:
    """``with uow: ...`` opens a transaction; ``commit()`` keeps it, leaving without rolls back."""

    spaces: SpaceRepository
    participants: ParticipantRepository
    events: EventLog
    relationships: RelationshipStore
    memories: MemoryStore
    intents: IntentStore
    social: SocialStore
    pacts: PactStore
    consolidation: ConsolidationStore
    browser: MemoryBrowserStore
    links: PlatformLinks
    stories: StoryStore
    goals: GoalStore
    scenarios: ScenarioStore
    marketplace: MarketplaceStore
    media: MediaStore
    billing: BillingStore
    enterprise: EnterpriseStore

    def __init__(self, engine: Engine, catalog: Catalog | None = None) -> None:
        self._engine = engine
        self._catalog = catalog
        self._conn: Connection | None = None

    def __enter__(self) -> UnitOfWork:
        conn = self._engine.connect()
        conn.begin()
        self._conn = conn
        self.spaces = SpaceRepository(conn)
        self.participants = ParticipantRepository(conn)
        self.events = EventLog(conn)
        self.relationships = RelationshipStore(conn)
        self.memories = MemoryStore(conn)
        self.intents = IntentStore(conn)
        self.social = SocialStore(conn)
        self.pacts = PactStore(conn)
        self.consolidation = ConsolidationStore(conn)
        self.browser = MemoryBrowserStore(conn)
        self.links = PlatformLinks(conn)
        self.stories = StoryStore(conn)
        self.goals = GoalStore(conn)
        self.scenarios = ScenarioStore(conn)
        self.marketplace = MarketplaceStore(conn)
        self.media = MediaStore(conn)
        self.billing = BillingStore(conn, self._catalog)
        self.enterprise = EnterpriseStore(conn)
        return self

    def commit(self) -> None:
        assert self._conn is not None
        self._conn.commit()
        self._conn.begin()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._conn is not None
        try:
            self._conn.rollback()
        finally:
            self._conn.close()
            self._conn = None


class UnitOfWorkFactory:
    """Units of work over ``engine``; ``catalog`` is the configured tiers (billing limits)."""

    def __init__(self, engine: Engine, catalog: Catalog | None = None) -> None:
        self.engine = engine
        self.catalog = catalog

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self.engine, self.catalog)
