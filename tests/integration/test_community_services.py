"""The services the chat commands call (both backends): community setup, characters from forms
and cards, casting, autonomy levels, pace and quiet hours as the decision honours them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from engine.cards import export_card
from engine.clock import ManualClock
from engine.errors import InvalidCard, InvalidInput, NotFound
from engine.messages import IncomingMessage
from engine.pacing import QuietHours
from engine.services import autonomy_settings, casting, characters, community, setup
from engine.services.ingest import ingest
from engine.services.initiative import tick
from workers.bootstrap import Container

GUILD = "900"


def _eco(container: Container) -> int:
    ecosystem, _ = setup.open_space(container.deps, "discord", GUILD, [], name="Longbourn")
    return ecosystem.id


def _form(name: str, **more: str) -> dict[str, str]:
    return {"name": name, "description": f"{name}, a test character.", **more}


def test_setup_stores_roles_channels_and_lifts_blocked_delivery(container: Container) -> None:
    deps = container.deps
    eco = _eco(container)
    report = community.configure(
        deps, eco, cast_channels=[community.ChannelRef("11", "drawing-room"),
                                  community.ChannelRef("12", "garden")],
        director_role_id="77", admin_channel=community.ChannelRef("13", "admins"))
    assert report.settings.director_role_id == "77"
    assert report.settings.admin_channel_id == "13"
    assert [(c.external_id, c.name) for c in report.settings.cast_channels] == [
        ("11", "drawing-room"), ("12", "garden")]
    with deps.uow() as uow:
        ecosystem = uow.spaces.get_ecosystem(eco)
        garden = uow.spaces.find_channel(eco, "12")
        assert ecosystem is not None and garden is not None
        assert ecosystem.settings["admin_channel_id"] == "13"  # what the delivery worker reads
        uow.spaces.update_channel_settings(garden.id, {"delivery_blocked": True, "x": 1})
        uow.commit()

    again = community.configure(deps, eco, cast_channels=[community.ChannelRef("11", "salon")])
    assert [c.external_id for c in again.unblocked] == ["12"]
    assert [c.external_id for c in again.dropped] == ["12"]
    assert again.settings.director_role_id == "77"  # left out: kept
    assert [(c.external_id, c.name) for c in again.settings.cast_channels] == [("11", "salon")]
    with deps.uow() as uow:
        garden = uow.spaces.find_channel(eco, "12")
        assert garden is not None and garden.settings == {"cast_channel": False, "x": 1}
    cleared = community.configure(deps, eco, director_role_id=None)
    assert cleared.settings.director_role_id is None
    with pytest.raises(InvalidInput, match="at least one channel"):
        community.configure(deps, eco, cast_channels=[])


def test_who_may_direct() -> None:
    base = dict(role_ids=["5"], role_names=["Members", "director"], default_role_name="Director")
    assert community.may_direct(is_admin=True, director_role_id="9", **base)  # type: ignore[arg-type]
    assert not community.may_direct(is_admin=False, director_role_id="9", **base)  # type: ignore[arg-type]
    assert community.may_direct(is_admin=False, director_role_id="5", **base)  # type: ignore[arg-type]
    assert community.may_direct(is_admin=False, director_role_id=None, **base)  # type: ignore[arg-type]
    assert not community.may_direct(is_admin=False, director_role_id=None, role_ids=[],
                                    role_names=["Members"], default_role_name="Director")
    assert community.memory_channel_filter(is_director=False, everywhere=False, here="1") == "1"
    assert community.memory_channel_filter(is_director=True, everywhere=True, here="1") is None
    with pytest.raises(InvalidInput, match="Only directors"):
        community.memory_channel_filter(is_director=False, everywhere=True, here="1")


def test_characters_from_forms_edits_avatars_and_deletion(container: Container) -> None:
    deps = container.deps
    eco = _eco(container)
    jane = characters.create_character(deps, eco, _form("Jane Bennet", first_mes="Good day!"))
    assert jane.id is not None and jane.persona.aliases == ("Jane",)
    with pytest.raises(InvalidInput, match="already lives here"):
        characters.create_character(deps, eco, _form("jane bennet"))
    with pytest.raises(InvalidCard, match="field 'Name' is empty"):
        characters.create_character(deps, eco, _form("   "))
    with pytest.raises(InvalidCard, match="field 'Greeting' is 20,001 characters"):
        characters.create_character(deps, eco, _form("Kitty", first_mes="x" * 20_001))

    edited = characters.edit_character(deps, eco, "Jane", {"name": "Jane Bingley",
                                                           "personality": "serene"})
    assert (edited.name, edited.personality, edited.first_mes) == (
        "Jane Bingley", "serene", "Good day!")
    assert edited.persona.aliases == ("Jane",) and edited.id == jane.id
    characters.create_character(deps, eco, _form("Lydia Bennet"))
    with pytest.raises(InvalidInput, match="already lives here"):
        characters.edit_character(deps, eco, "Jane Bingley", {"name": "Lydia Bennet"})

    with pytest.raises(InvalidCard, match="avatar_url"):
        characters.set_avatar(deps, eco, "Jane", "not a url")
    assert characters.set_avatar(deps, eco, "Jane", "https://img.example/j.png"
                                 ).persona.avatar_url == "https://img.example/j.png"
    assert characters.get_character(deps, eco, "Jane Bingley").persona.avatar_url
    assert characters.set_avatar(deps, eco, "Jane", None).persona.avatar_url is None

    assert characters.delete_character(deps, eco, "Lydia") == "Lydia Bennet"
    assert characters.character_names(deps, eco) == ["Jane Bingley"]
    with pytest.raises(NotFound, match="Jane Bingley"):
        characters.get_character(deps, eco, "Lydia")


def test_card_import_checks_size_first_and_names_broken_fields(container: Container) -> None:
    deps = container.deps
    eco = _eco(container)
    with pytest.raises(InvalidCard, match="10,485,760 bytes; cards are at most"):
        characters.check_card_size(10 * 1024 * 1024)
    card = export_card(characters._from_form(_form("Mary Bennet")))
    card["data"]["extensions"]["personae"]["talkativeness"] = 7
    with pytest.raises(InvalidCard, match="data.extensions.personae.talkativeness"):
        characters.import_card(deps, eco, json.dumps(card).encode())
    card["data"]["extensions"]["personae"]["talkativeness"] = 0.2
    mary = characters.import_card(deps, eco, json.dumps(card))
    assert mary.persona.talkativeness == 0.2
    assert characters.character_names(deps, eco) == ["Mary Bennet"]


def test_casting_by_name(container: Container) -> None:
    deps = container.deps
    eco = _eco(container)
    for name in ("Elizabeth Bennet", "Charles Bingley"):
        characters.create_character(deps, eco, _form(name))
    here = community.ChannelRef("21", "ballroom")
    added = casting.add_to_channel(deps, eco, here, "Elizabeth")
    assert added.changed and added.channel.settings["cast_channel"] is True
    assert not casting.add_to_channel(deps, eco, here, "elizabeth bennet").changed
    casting.add_to_channel(deps, eco, here, "Bingley")
    assert [m.name for m in casting.cast_of_channel(deps, eco, "21")] == [
        "Elizabeth Bennet", "Charles Bingley"]
    profile = characters.profile(deps, eco, "Elizabeth")
    assert [c.name for c in profile.channels] == ["ballroom"]
    removed = casting.remove_from_channel(deps, eco, here, "Elizabeth")
    assert removed.changed and [m.name for m in removed.cast] == ["Charles Bingley"]
    assert not casting.remove_from_channel(deps, eco, here, "Elizabeth").changed
    assert casting.cast_of_channel(deps, eco, "nowhere") == []
    with pytest.raises(NotFound):
        casting.add_to_channel(deps, eco, here, "Napoleon")


def test_autonomy_levels_pace_and_quiet_hours_reach_the_decision(
        make_container) -> None:  # type: ignore[no-untyped-def]
    clock = ManualClock(datetime(2026, 5, 1, 22, 30, tzinfo=UTC))  # 00:30 in Paris
    container = make_container(clock=clock)
    deps = container.deps
    eco = _eco(container)
    here = community.ChannelRef("31", "parlour")
    for name in ("Elizabeth Bennet", "Jane Bennet", "Lydia Bennet"):
        characters.create_character(deps, eco, _form(name))
        casting.add_to_channel(deps, eco, here, name)
    assert autonomy_settings.set_autonomy_level(deps, eco, "Lydia", 3).persona.autonomy_level == 3
    with pytest.raises(InvalidInput, match="from 0 to 3"):
        autonomy_settings.set_autonomy_level(deps, eco, "Lydia", 4)
    autonomy_settings.set_pace(deps, eco, here, 90)
    with pytest.raises(InvalidInput, match="Pace"):
        autonomy_settings.set_pace(deps, eco, here, -1)
    autonomy_settings.set_quiet_hours(deps, eco, None, QuietHours.parse("23:00", "07:00",
                                                                        "Europe/Paris"))
    overview = autonomy_settings.autonomy_overview(deps, eco, "31")
    assert overview.pace_s == 90 and overview.quiet_now
    assert {c.name: c.level for c in overview.characters}["Lydia Bennet"] == 3

    def say(text: str, n: int) -> list[str]:
        result = ingest(deps, IncomingMessage(platform="discord", space_id=GUILD,
                                              channel_id="31", author_id="m1",
                                              author_name="Mary", text=text,
                                              message_id=f"m{n}"))
        return [i.reason for i in result.intents]

    assert say("What a lovely evening everyone.", 1) == []  # quiet hours: nobody unasked
    assert say("Jane, what do you think?", 2) == ["addressed"]
    clock.advance(3600)
    assert tick(deps, eco) == []  # no initiative at night
    # A channel set up later takes the community's quiet hours.
    casting.add_to_channel(deps, eco, community.ChannelRef("32", "library"), "Jane")
    assert autonomy_settings.autonomy_overview(deps, eco, "32").quiet_now

    clock.advance_to(datetime(2026, 5, 2, 10, 0, tzinfo=UTC))  # noon in Paris
    autonomy_settings.set_quiet_hours(deps, eco, here, None)
    assert say("Elizabeth, shall we walk to Meryton?", 3) == ["addressed"]
    assert say("Lydia, will you come too?", 4) == ["addressed"]
    with deps.uow() as uow:
        channel = uow.spaces.find_channel(eco, "31")
        assert channel is not None
        pending = sorted(i.due_at for i in uow.intents.pending(eco) if i.channel_id == channel.id)
    assert pending[-1] - pending[-2] >= timedelta(seconds=90)  # the channel's own pace
