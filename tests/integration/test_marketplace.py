"""The marketplace on both backends: publish → install elsewhere → the same cast and
relationships; bad packages rejected with nothing stored; clashes, uninstall, update keeping
memories, ratings, reports and takedown, search and creator stats."""

from __future__ import annotations

import base64
import copy
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bots.console.community import ConsoleCommunity
from engine.adapters.sql.tables import (
    characters,
    installations,
    memories,
    package_versions,
    packages,
    relationships,
    scenarios,
)
from engine.errors import InvalidInput, NotFound
from engine.marketplace import InvalidPackage, SearchQuery, member_key
from engine.messages import IncomingMessage
from engine.personas import Character
from engine.relationships import Relationship
from engine.services import marketplace as mp
from engine.services import setup
from engine.services.forgetting import forget_member
from engine.services.ingest import ingest
from engine.settings import Settings
from workers.bootstrap import Container

CREATOR = mp.Member(member_key("console", "creator"), "Cassandra")
FAN = mp.Member(member_key("console", "fan"), "Fanny")
MOD = mp.Member(member_key("console", "mod"), "Moderator", moderator=True)
REL_VIEW = ("affinity", "trust", "familiarity", "romance", "rivalry", "respect", "grudge",
            "label")


@pytest.fixture
def container(make_container: Callable[..., Container]) -> Container:
    """The demo cast is larger than a free tier allows: these tests are about packages."""
    if "tiers" in Settings.model_fields:
        unlimited = {"characters": None, "relationships": None}
        return make_container(tiers={"free": unlimited})
    return make_container()


def _count(container: Container, stmt: Any) -> int:
    with container.database.engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def _community(container: Container) -> ConsoleCommunity:
    community = ConsoleCommunity(container, member_name="Mary")
    community.open()
    return community


def _elsewhere(container: Container, name: str = "netherfield") -> tuple[int, int]:
    eco, chans = setup.open_space(container.deps, "console", name, ["hall"])
    return eco.id, chans[0].id


def _cast_and_ties(container: Container, eco: int) -> tuple[dict[str, Any], set[tuple]]:
    deps = container.deps
    with deps.uow() as uow:
        cast = {c.name: c for c in uow.participants.list_characters(eco)}
        by_id = {c.id: c.name for c in cast.values()}
        rels = uow.relationships.for_ecosystem(eco)
    ties = {(by_id[r.source_id], by_id[r.target_id],
             *(round(v, 4) if isinstance(v, float) else v
               for v in (getattr(r, f) for f in REL_VIEW)))
            for r in rels if r.source_id in by_id and r.target_id in by_id}
    return cast, ties


def _tie(container: Container, eco: int, a: str, b: str, **values: Any) -> None:
    deps = container.deps
    first, second = setup.find_character(deps, eco, a), setup.find_character(deps, eco, b)
    with deps.uow() as uow:
        uow.relationships.upsert(Relationship(first.id or 0, second.id or 0, eco, **values,
                                              updated_at=deps.clock.now()))
        uow.commit()


def _publish_cast(container: Container, eco: int, **kw: Any) -> mp.Published:
    return mp.publish(container.deps, eco, "cast", name=kw.pop("name", "Longbourn Family"),
                      creator=CREATOR, description="The Bennets and their circle.",
                      tags=["regency", "austen"], genre="romance", **kw)


def test_round_trip_publish_install_elsewhere_identical_cast_and_relationships(
        container: Container) -> None:
    community = _community(container)
    source = community.ecosystem.id
    _tie(container, source, "Elizabeth Bennet", "Fitzwilliam Darcy", affinity=-0.4,
         rivalry=0.5, respect=0.2, label="rival")
    _tie(container, source, "Jane Bennet", "Elizabeth Bennet", affinity=0.8, trust=0.7,
         familiarity=0.9, label="close friend")
    published = _publish_cast(container, source)
    assert published.new_package and published.version == "1.0.0"
    assert published.listing.share_code and published.listing.creator_name == "Cassandra"
    assert mp.preview_png(container.deps, published.listing.share_code, FAN or None)[:4] == \
        b"\x89PNG"

    target, hall = _elsewhere(container)
    result = mp.install(container.deps, target, published.listing.share_code, by=FAN,
                        channel_ids=[hall])
    original_cast, original_ties = _cast_and_ties(container, source)
    copy_cast, copy_ties = _cast_and_ties(container, target)
    assert set(copy_cast) == set(original_cast)
    for name, c in original_cast.items():
        d = copy_cast[name]
        assert (d.description, d.personality, d.first_mes, d.persona, d.tags) == \
            (c.description, c.personality, c.first_mes, c.persona, c.tags)
    assert copy_ties == original_ties and result.relationships == len(original_ties) > 0
    with container.deps.uow() as uow:
        assert {m.name for m in uow.participants.cast_of(hall)} == set(original_cast)
    view = mp.view(container.deps, published.listing.share_code)
    assert view.listing.install_count == 1 and view.has_preview
    assert {n for n, _ in view.cast} == set(original_cast)


def test_bad_packages_are_rejected_with_a_clear_message_and_nothing_stored(
        container: Container) -> None:
    community = _community(container)
    doc = mp.package_from_ecosystem(container.deps, community.ecosystem.id, "cast",
                                    name="Bad", version="1.0.0")
    before = _count(container, select(func.count()).select_from(packages))
    malformed = copy.deepcopy(doc)
    malformed["characters"][1]["card"]["data"]["tags"] = "not a list"
    not_image = copy.deepcopy(doc)
    not_image["images"] = {"a.png": base64.b64encode(b"\x89PNG\r\n\x1a\nnot really").decode()}
    not_image["characters"][0]["image"] = "a.png"
    text_image = copy.deepcopy(doc)
    text_image["images"] = {"b.png": base64.b64encode(b"GIF89a hello").decode()}
    oversized = copy.deepcopy(doc)
    oversized["characters"][0]["card"]["data"]["description"] = "x" * (6 * 1024 * 1024)
    cases = {
        "characters[1].card.data.tags": malformed,
        "images.a.png": not_image,
        "is not an image": text_image,
        "MB": oversized,
    }
    for expected, bad in cases.items():
        with pytest.raises(InvalidPackage) as info:
            mp.publish_package(container.deps, bad, creator=CREATOR)
        assert expected in str(info.value)
    with pytest.raises(InvalidPackage, match="not valid JSON"):
        mp.publish_package(container.deps, b"{nope", creator=CREATOR)
    assert _count(container, select(func.count()).select_from(packages)) == before
    assert _count(container, select(func.count()).select_from(package_versions)) == 0


def test_install_failure_leaves_nothing_half_installed(container: Container,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    community = _community(container)
    published = _publish_cast(container, community.ecosystem.id)
    target, hall = _elsewhere(container)
    from engine.adapters.sql.marketplace_store import MarketplaceStore

    def boom(self: Any, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    # The last write of an install fails: the characters already added must go too.
    monkeypatch.setattr(MarketplaceStore, "add_installation", boom)
    with pytest.raises(RuntimeError):
        mp.install(container.deps, target, published.listing.share_code, channel_ids=[hall])
    monkeypatch.undo()
    assert _count(container, select(func.count()).select_from(characters)
                  .where(characters.c.ecosystem_id == target)) == 0
    assert _count(container, select(func.count()).select_from(installations)) == 0
    assert mp.get_listing(container.deps, published.listing.share_code).install_count == 0
    # ...and it installs cleanly afterwards.
    mp.install(container.deps, target, published.listing.share_code, channel_ids=[hall])


def test_name_clash_gets_a_suffix_and_nothing_is_overwritten(container: Container) -> None:
    community = _community(container)
    eco = community.ecosystem.id
    jane_before = setup.find_character(container.deps, eco, "Jane Bennet")
    published = mp.publish(container.deps, eco, "character", name="Jane alone",
                           creator=CREATOR, characters=["Jane Bennet"], genre="romance")
    first = mp.install(container.deps, eco, published.listing.share_code)
    assert first.names == {"Jane Bennet": "Jane Bennet (2)"}
    assert setup.find_character(container.deps, eco, "Jane Bennet").id == jane_before.id
    with pytest.raises(InvalidInput, match="already installed"):
        mp.install(container.deps, eco, published.listing.share_code)


def test_uninstall_removes_exactly_what_it_added(container: Container) -> None:
    community = _community(container)
    source = community.ecosystem.id
    published = _publish_cast(container, source)
    target, hall = _elsewhere(container)
    setup.add_character(container.deps, target, Character(name="Mr. Bingley"))
    result = mp.install(container.deps, target, published.listing.share_code,
                        channel_ids=[hall])
    removed = mp.uninstall(container.deps, target, published.listing.share_code)
    assert set(removed) == set(result.names.values())
    with container.deps.uow() as uow:
        left = [c.name for c in uow.participants.list_characters(target)]
    assert left == ["Mr. Bingley"]
    assert _count(container, select(func.count()).select_from(relationships)
                  .where(relationships.c.ecosystem_id == target)) == 0
    assert mp.installed(container.deps, target) == []
    with pytest.raises(NotFound):
        mp.uninstall(container.deps, target, published.listing.share_code)


def test_update_keeps_lived_memories_and_updates_cards_in_place(container: Container) -> None:
    community = _community(container)
    source = community.ecosystem.id
    published = _publish_cast(container, source)
    code = published.listing.share_code
    target, hall = _elsewhere(container)
    mp.install(container.deps, target, code, channel_ids=[hall])
    jane = setup.find_character(container.deps, target, "Jane Bennet")
    ingest(container.deps, IncomingMessage(
        platform="console", space_id="netherfield", channel_id="hall", author_id="kitty",
        author_name="Kitty", text="Jane, I found your lost bonnet by the pond!",
        message_id="k1"))
    lived = _count(container, select(func.count()).select_from(memories)
                   .where(memories.c.owner_id == jane.id))
    assert lived > 0
    # The creator edits Jane and publishes 1.1.0.
    with container.deps.uow() as uow:
        j = uow.participants.find_character(source, "Jane Bennet")
        assert j is not None
        j.description = "Jane, now engaged to Mr. Bingley."
        uow.participants.update_character(j)
        uow.commit()
    again = _publish_cast(container, source)
    assert again.version == "1.1.0" and not again.new_package
    result = mp.update(container.deps, target, code)
    assert result.installation.version == "1.1.0" and "Jane Bennet" in result.updated
    after = setup.find_character(container.deps, target, "Jane Bennet")
    assert after.id == jane.id and after.description == "Jane, now engaged to Mr. Bingley."
    assert _count(container, select(func.count()).select_from(memories)
                  .where(memories.c.owner_id == jane.id)) == lived
    with pytest.raises(InvalidInput, match="latest version"):
        mp.update(container.deps, target, code)


def test_ratings_one_per_member_editable_and_reviews_shown(container: Container) -> None:
    community = _community(container)
    code = _publish_cast(container, community.ecosystem.id).listing.share_code
    mp.rate(container.deps, code, FAN, 2, "Too many Bennets.")
    mp.rate(container.deps, code, FAN, 5, "Grew on me.")
    mp.rate(container.deps, code, mp.Member("console:other", "Other"), 4)
    view = mp.view(container.deps, code)
    assert view.listing.rating_count == 2 and view.listing.rating == 4.5
    assert [(r.member_name, r.stars, r.review) for r in view.reviews][-1:] in (
        [("Fanny", 5, "Grew on me.")], [("Other", 4, "")])
    assert {(r.member_name, r.stars) for r in view.reviews} == {("Fanny", 5), ("Other", 4)}
    with pytest.raises(InvalidInput, match="1 to 5"):
        mp.rate(container.deps, code, FAN, 6)
    with pytest.raises(InvalidInput, match="own packages"):
        mp.rate(container.deps, code, CREATOR, 5)


def test_reports_and_takedown_hide_the_package(container: Container) -> None:
    community = _community(container)
    code = _publish_cast(container, community.ecosystem.id).listing.share_code
    assert mp.search(container.deps, SearchQuery(text="bennets")).listings
    mp.report(container.deps, code, FAN, "Impersonates a real person.")
    with pytest.raises(InvalidInput, match="moderators"):
        mp.take_down(container.deps, code, FAN, "no")
    assert [r.reason for r, _ in mp.open_reports(container.deps, MOD)] == \
        ["Impersonates a real person."]
    mp.take_down(container.deps, code, MOD, "Impersonation.")
    assert mp.search(container.deps, SearchQuery(text="bennets")).listings == []
    assert mp.open_reports(container.deps, MOD) == []
    target, _ = _elsewhere(container)
    with pytest.raises(NotFound, match="taken down"):
        mp.install(container.deps, target, code)
    with pytest.raises(NotFound):
        mp.view(container.deps, code, FAN)
    assert mp.view(container.deps, code, CREATOR).listing.status == "taken_down"
    mp.restore(container.deps, code, MOD)
    assert mp.search(container.deps, SearchQuery(text="bennets")).listings


def test_search_by_text_tag_genre_and_rating_order(container: Container) -> None:
    deps = container.deps
    community = _community(container)
    eco = community.ecosystem.id
    specs = [("Vampire Court", "horror", ["gothic", "vampires"], "Blood and velvet."),
             ("Space Pirates", "sci-fi", ["space"], "Plunder among the stars."),
             ("Regency Ball", "romance", ["regency"], "A ball at Netherfield."),
             ("Gothic Abbey", "horror", ["gothic"], "A ruined abbey, with vampires.")]
    codes = {}
    for name, genre, tags, description in specs:
        codes[name] = mp.publish(deps, eco, "character", name=name, creator=CREATOR,
                                 characters=["Jane Bennet"], genre=genre, tags=tags,
                                 description=description).listing.share_code
    mp.publish(deps, eco, "character", name="Hidden Vampires", creator=CREATOR,
               characters=["Jane Bennet"], genre="horror", visibility="unlisted")
    for stars, who in ((5, "a"), (5, "b"), (4, "c")):
        mp.rate(deps, codes["Gothic Abbey"], mp.Member(f"console:{who}", who), stars)
    mp.rate(deps, codes["Vampire Court"], FAN, 5)

    def names(**kw: Any) -> list[str]:
        return [p.name for p in mp.search(deps, SearchQuery(**kw)).listings]

    assert names(text="vamp") == ["Gothic Abbey", "Vampire Court"]  # prefix; rating order
    assert names(text="VAMPIRES gothic") == ["Gothic Abbey", "Vampire Court"]
    assert names(tag="Gothic") == ["Gothic Abbey", "Vampire Court"]
    assert names(genre="sci-fi") == ["Space Pirates"]
    assert names(text="netherfield ball") == ["Regency Ball"]
    assert names(min_rating=4.5) == ["Gothic Abbey", "Vampire Court"]  # 4.67 and 5.0
    assert names(min_rating=4.7) == ["Vampire Court"]
    assert "Hidden Vampires" not in names(text="vampires")
    target, _ = _elsewhere(container)
    mp.install(deps, target, codes["Space Pirates"])
    assert names(sort="popular")[0] == "Space Pirates"
    page1 = mp.search(deps, SearchQuery(sort="new", per_page=2))
    page2 = mp.search(deps, SearchQuery(sort="new", per_page=2, page=2))
    assert page1.has_more and not page2.has_more
    assert [p.name for p in page1.listings + page2.listings] == \
        ["Gothic Abbey", "Regency Ball", "Space Pirates", "Vampire Court"]


def test_premium_needs_an_entitlement_and_creators_see_active_use(
        container: Container) -> None:
    deps = container.deps
    community = _community(container)
    published = _publish_cast(container, community.ecosystem.id, premium=True,
                              price_cents=499)
    code = published.listing.share_code
    assert published.listing.premium and published.listing.price_cents == 499
    target, hall = _elsewhere(container)
    with pytest.raises(mp.PaymentRequired, match="premium"):
        mp.install(deps, target, code)
    result = mp.install(deps, target, code, channel_ids=[hall],
                        entitled=lambda listing: listing.id == published.listing.id)
    with deps.uow() as uow:
        some = next(iter(result.installation.character_ids))
        uow.participants.set_last_spoke(some, deps.clock.now() - timedelta(days=2))
        uow.commit()
    stats = mp.creator_stats(deps, CREATOR.key)
    assert [(p.installs, p.active_installs, p.active_characters) for p in stats.packages] == \
        [(1, 1, 1)]


def test_scenario_package_installs_its_scenario_and_cast(container: Container) -> None:
    from engine.services import scenarios as scenario_service

    deps = container.deps
    community = _community(container)
    eco = community.ecosystem.id
    s = scenario_service.create(deps, eco, "garden-conspiracy",
                                channel_id=community.channel.id)
    published = mp.publish(deps, eco, "scenario", name="Garden Conspiracy", creator=CREATOR,
                           scenarios=[s.slug], genre="mystery")
    target, hall = _elsewhere(container)
    result = mp.install(deps, target, published.listing.share_code, channel_ids=[hall])
    assert result.scenarios == [s.title]
    assert _count(container, select(func.count()).select_from(scenarios)
                  .where(scenarios.c.ecosystem_id == target)) == 1
    mp.uninstall(deps, target, published.listing.share_code)
    assert _count(container, select(func.count()).select_from(scenarios)
                  .where(scenarios.c.ecosystem_id == target)) == 0


def test_forgetting_a_member_removes_their_ratings_and_reports(container: Container) -> None:
    deps = container.deps
    community = _community(container)
    code = _publish_cast(container, community.ecosystem.id).listing.share_code
    community.say("Jane, what a lovely day.")  # Mary is a member of this community...
    mary = mp.Member(member_key("console", "member"), "Mary")
    ghost = mp.Member(member_key("console", "ghost"), "Ghost")  # ...the ghost never spoke
    for who in (mary, ghost):
        mp.rate(deps, code, who, 1, "Dull.")
        mp.report(deps, code, who, "Spam.")
    erased = forget_member(deps, "console", "local", "member")
    assert (erased.ratings, erased.reports) == (1, 1)
    assert [r.member_name for r in mp.view(deps, code).reviews] == ["Ghost"]
    erased = forget_member(deps, "console", "local", "ghost")
    assert (erased.ratings, erased.reports) == (1, 1)
    view = mp.view(deps, code)
    assert view.reviews == [] and view.listing.rating_count == 0
    assert mp.open_reports(deps, MOD) == []
    # A creator who is forgotten leaves their packages, unattributed.
    forget_member(deps, "console", "local", "creator")
    listing = mp.get_listing(deps, code)
    assert (listing.creator_name, listing.creator_key) == ("someone", None)
