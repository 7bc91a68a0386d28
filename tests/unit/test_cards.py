"""Character Card import/export (engine.cards) and the bundled Pride and Prejudice cast."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.acts import Act
from engine.card_validation import MAX_TEXT_CHARS
from engine.cards import MAX_CARD_BYTES, dump_card_file, export_card, load_card_file, parse_card
from engine.content import BUNDLED_CASTS, bundled_cast
from engine.errors import InvalidCard, NotFound
from engine.personas import Character

CAST = bundled_cast()
PERSONAE = ("data", "extensions", "personae")


def _raw(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _card(name: str = "elizabeth_bennet") -> dict[str, Any]:
    return _raw(next(p for p in CAST if p.stem == name))


_DELETE = object()


def _set(card: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    target = card
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return card


def _cast_by_name() -> dict[str, Character]:
    return {c.name: c for c in map(load_card_file, CAST)}


# --- the bundled cast ---------------------------------------------------------------------------


def test_the_pride_and_prejudice_cast_is_bundled_with_six_cards() -> None:
    assert "pride_and_prejudice" in BUNDLED_CASTS
    assert [p.name for p in CAST] == sorted(p.name for p in CAST)
    assert {c.name for c in _cast_by_name().values()} == {
        "Elizabeth Bennet", "Fitzwilliam Darcy", "Jane Bennet", "Charles Bingley",
        "Lydia Bennet", "William Collins",
    }


def test_an_unknown_cast_is_not_found() -> None:
    with pytest.raises(NotFound, match="pride_and_prejudice"):
        bundled_cast("war_and_peace")


@pytest.mark.parametrize("path", CAST, ids=lambda p: p.stem)
def test_every_bundled_card_is_complete_and_round_trips(path: Path, tmp_path: Path) -> None:
    raw = _raw(path)
    character = load_card_file(path)

    assert export_card(character) == raw
    assert character.card_extra == {"spec": {"spec": "chara_card_v2", "spec_version": "2.0"}}
    dump_card_file(character, tmp_path / path.name)
    assert (tmp_path / path.name).read_text(encoding="utf-8") == path.read_text(encoding="utf-8")

    for act in Act:
        assert len(character.persona.speech.lines.get(act.value, ())) >= 3, act
    assert len(character.alternate_greetings) >= 3
    assert character.mes_example.count("<START>") >= 3
    assert "Netherfield" in character.scenario
    assert character.creator == "Personae (adapted from Jane Austen, public domain)"
    assert character.character_version == "1.0"
    assert character.persona.aliases and character.persona.avatar_url is None
    assert character.persona.speech.catchphrases and character.persona.speech.quirks


def test_the_cast_has_distinct_temperaments() -> None:
    cast = _cast_by_name()
    talk = {name: c.persona.talkativeness for name, c in cast.items()}
    assert talk == {
        "Lydia Bennet": 0.9, "William Collins": 0.8, "Elizabeth Bennet": 0.7,
        "Charles Bingley": 0.7, "Jane Bennet": 0.4, "Fitzwilliam Darcy": 0.3,
    }

    def trait(name: str, key: str) -> float:
        return float(cast[name].persona.big_five.as_dict()[key])

    def highest(key: str) -> str:
        return max(cast, key=lambda n: trait(n, key))

    assert highest("extraversion") == "Lydia Bennet"
    assert highest("agreeableness") == "Jane Bennet"
    assert min(cast, key=lambda n: trait(n, "extraversion")) == "Fitzwilliam Darcy"
    assert min(cast, key=lambda n: trait(n, "conscientiousness")) == "Lydia Bennet"
    assert min(cast, key=lambda n: trait(n, "openness")) == "William Collins"
    assert highest("neuroticism") == "Lydia Bennet"
    lines = [line for c in cast.values() for ls in c.persona.speech.lines.values() for line in ls]
    assert len(lines) == len(set(lines)), "every line belongs to one character"


# --- preservation and the other specs ------------------------------------------------------------


def test_unknown_fields_everywhere_survive_a_round_trip() -> None:
    card = _card()
    card["create_date"] = "2024-1-1 @12h"
    card["avatar"] = "none"
    card["data"]["character_book"] = {"entries": [{"keys": ["Pemberley"], "content": "A house"}]}
    card["data"]["extensions"]["talkativeness"] = "0.5"
    card["data"]["extensions"]["depth_prompt"] = {"prompt": "", "depth": 4, "role": "system"}
    card["data"]["extensions"]["someone_else"] = {"nested": [1, 2.5, None, {"x": True}]}
    personae = card["data"]["extensions"]["personae"]
    personae["unknown"] = ["kept", {"exactly": 1}]
    personae["big_five"]["honesty_humility"] = 0.4
    personae["speech"]["rhythm"] = "iambic"
    personae["speech"]["lines"]["curtsey"] = ["*curtseys*"]
    original = copy.deepcopy(card)

    character = parse_card(json.dumps(card))

    assert export_card(character) == original
    assert character.card_extra == {
        "spec": {"spec": "chara_card_v2", "spec_version": "2.0"},
        "top": {"create_date": "2024-1-1 @12h", "avatar": "none"},
        "data": {"character_book": original["data"]["character_book"]},
        "extensions": {
            "talkativeness": "0.5",
            "depth_prompt": {"prompt": "", "depth": 4, "role": "system"},
            "someone_else": {"nested": [1, 2.5, None, {"x": True}]},
        },
        "personae": {"unknown": ["kept", {"exactly": 1}]},
        "personae.big_five": {"honesty_humility": 0.4},
        "personae.speech": {"rhythm": "iambic"},
    }
    exported = export_card(character)
    exported["data"]["extensions"]["someone_else"]["nested"].append("mutated")
    assert export_card(character) == original, "an export shares nothing with the character"


def test_a_card_given_as_a_mapping_is_copied_not_shared() -> None:
    card = _card("jane_bennet")
    card["data"]["extensions"]["other"] = {"list": [1]}
    character = parse_card(card)
    card["data"]["extensions"]["other"]["list"].append(2)
    assert export_card(character)["data"]["extensions"]["other"] == {"list": [1]}


def _tavern_card(**extensions: Any) -> dict[str, Any]:
    return {
        "spec": "chara_card_v2",
        "spec_version": "2.0",
        "data": {
            "name": "Mr. William Collins", "description": "A clergyman.", "personality": "",
            "scenario": "", "first_mes": "Good evening.", "mes_example": "",
            "creator_notes": "", "system_prompt": "", "post_history_instructions": "",
            "alternate_greetings": [], "tags": ["clergy"], "creator": "someone",
            "character_version": "2", "extensions": {"fav": False, **extensions},
        },
    }


@pytest.mark.parametrize(
    ("stored", "expected"),
    [("0.85", 0.85), (0.3, 0.3), ("1.7", 1.0), ("loud", 0.5), ("nan", 0.5), (None, 0.5)],
)
def test_a_sillytavern_card_takes_its_talkativeness(stored: Any, expected: float) -> None:
    card = _tavern_card(talkativeness=stored)
    character = parse_card(card)

    assert character.persona.talkativeness == pytest.approx(expected)
    assert character.card_extra["extensions"] == {"fav": False, "talkativeness": stored}
    exported = export_card(character)
    assert exported["data"]["extensions"]["talkativeness"] == stored
    assert exported["data"]["extensions"]["personae"]["talkativeness"] == pytest.approx(expected)
    assert {k: v for k, v in exported["data"].items() if k != "extensions"} == {
        k: v for k, v in card["data"].items() if k != "extensions"
    }


def test_a_card_without_our_extension_gets_sensible_defaults() -> None:
    persona = parse_card(_tavern_card()).persona
    assert persona.aliases == ("William", "Mr. Collins")
    assert 0 <= persona.autonomy_level <= 3
    assert persona.big_five.openness == 0.5
    assert parse_card({"name": "Elizabeth Bennet"}).persona.aliases == ("Elizabeth",)
    assert parse_card({"name": "Lizzy"}).persona.aliases == ()


def test_our_talkativeness_wins_over_sillytaverns() -> None:
    card = _tavern_card(talkativeness="0.1", personae={"talkativeness": 0.9})
    assert parse_card(card).persona.talkativeness == 0.9


def test_a_v1_card_imports_and_exports_as_v2() -> None:
    v1 = {
        "name": "Jane Bennet", "description": "The eldest.", "personality": "Kind.",
        "scenario": "Longbourn.", "first_mes": "Good morning!", "mes_example": "<START>\n...",
        "talkativeness": "0.4", "avatar": "none", "chat": "Jane - 2024", "fav": False,
    }
    character = parse_card(json.dumps(v1).encode())

    assert (character.name, character.description, character.personality) == (
        "Jane Bennet", "The eldest.", "Kind.")
    assert (character.scenario, character.first_mes) == ("Longbourn.", "Good morning!")
    assert character.mes_example == "<START>\n..."
    assert character.persona.talkativeness == 0.4
    assert character.persona.aliases == ("Jane",)
    card = export_card(character)
    assert card["spec"] == "chara_card_v2" and card["spec_version"] == "2.0"
    assert card["data"]["name"] == "Jane Bennet"
    assert {k: card[k] for k in ("talkativeness", "avatar", "chat", "fav")} == {
        "talkativeness": "0.4", "avatar": "none", "chat": "Jane - 2024", "fav": False}
    assert export_card(parse_card(card)) == card


def test_a_v3_card_imports_and_keeps_its_extra_data_on_export() -> None:
    v3 = _tavern_card(talkativeness="0.6")
    v3["spec"], v3["spec_version"] = "chara_card_v3", "3.0"
    v3_only = {
        "nickname": "Collins", "group_only_greetings": ["Cousins!"],
        "assets": [{"type": "icon", "uri": "ccdefault:", "name": "main", "ext": "png"}],
        "creator_notes_multilingual": {"fr": "Un pasteur."}, "source": [],
        "creation_date": 1700000000, "modification_date": 1700000001,
    }
    v3["data"].update(v3_only)

    character = parse_card(v3)
    card = export_card(character)

    assert character.name == "Mr. William Collins"
    assert character.tags == ["clergy"]
    assert "Collins" in character.persona.aliases
    assert character.card_extra["spec"] == {"spec": "chara_card_v3", "spec_version": "3.0"}
    assert (card["spec"], card["spec_version"]) == ("chara_card_v2", "2.0")
    assert {k: card["data"][k] for k in v3_only} == v3_only


def test_names_discord_forbids_are_not_the_cards_business() -> None:
    assert parse_card({"name": "Clyde the Discord Bard"}).name == "Clyde the Discord Bard"


# --- validation -----------------------------------------------------------------------------------

BAD_FIELDS: list[tuple[tuple[str, ...], Any, str]] = [
    (("data", "name"), _DELETE, "data.name"),
    (("data", "name"), None, "data.name"),
    (("data", "name"), "", "data.name"),
    (("data", "name"), "   ", "data.name"),
    (("data", "name"), "E" * 81, "data.name"),
    (("data", "name"), 123, "data.name"),
    (("data", "description"), ["a"], "data.description"),
    (("data", "description"), "x" * (MAX_TEXT_CHARS + 1), "data.description"),
    (("data", "first_mes"), {"text": "hi"}, "data.first_mes"),
    (("data", "creator"), True, "data.creator"),
    (("data", "tags"), "regency,romance", "data.tags"),
    (("data", "tags"), ["regency", "romance", 3], "data.tags[2]"),
    (("data", "alternate_greetings"), ["hi", "y" * (MAX_TEXT_CHARS + 1)],
     "data.alternate_greetings[1]"),
    (("data", "extensions"), [], "data.extensions"),
    (PERSONAE, "friendly", "data.extensions.personae"),
    ((*PERSONAE, "big_five"), [0.5], "data.extensions.personae.big_five"),
    ((*PERSONAE, "big_five", "openness"), 1.5, "data.extensions.personae.big_five.openness"),
    ((*PERSONAE, "big_five", "neuroticism"), -0.1,
     "data.extensions.personae.big_five.neuroticism"),
    ((*PERSONAE, "big_five", "extraversion"), "high",
     "data.extensions.personae.big_five.extraversion"),
    ((*PERSONAE, "big_five", "agreeableness"), True,
     "data.extensions.personae.big_five.agreeableness"),
    ((*PERSONAE, "big_five", "openness"), float("nan"),
     "data.extensions.personae.big_five.openness"),
    ((*PERSONAE, "big_five", "openness"), float("inf"),
     "data.extensions.personae.big_five.openness"),
    ((*PERSONAE, "talkativeness"), "0.5", "data.extensions.personae.talkativeness"),
    ((*PERSONAE, "social_energy"), 2, "data.extensions.personae.social_energy"),
    ((*PERSONAE, "autonomy_level"), 4, "data.extensions.personae.autonomy_level"),
    ((*PERSONAE, "autonomy_level"), -1, "data.extensions.personae.autonomy_level"),
    ((*PERSONAE, "autonomy_level"), 1.5, "data.extensions.personae.autonomy_level"),
    ((*PERSONAE, "autonomy_level"), "2", "data.extensions.personae.autonomy_level"),
    ((*PERSONAE, "autonomy_level"), True, "data.extensions.personae.autonomy_level"),
    ((*PERSONAE, "values"), "wit", "data.extensions.personae.values"),
    ((*PERSONAE, "goals"), ["ok", None], "data.extensions.personae.goals[1]"),
    ((*PERSONAE, "aliases"), [7], "data.extensions.personae.aliases[0]"),
    ((*PERSONAE, "avatar_url"), "ftp://example.com/a.png", "data.extensions.personae.avatar_url"),
    ((*PERSONAE, "avatar_url"), "javascript:alert(1)", "data.extensions.personae.avatar_url"),
    ((*PERSONAE, "avatar_url"), "not a url", "data.extensions.personae.avatar_url"),
    ((*PERSONAE, "avatar_url"), 5, "data.extensions.personae.avatar_url"),
    ((*PERSONAE, "speech"), "formal", "data.extensions.personae.speech"),
    ((*PERSONAE, "speech", "formality"), 1.01, "data.extensions.personae.speech.formality"),
    ((*PERSONAE, "speech", "catchphrases"), "La!", "data.extensions.personae.speech.catchphrases"),
    ((*PERSONAE, "speech", "quirks"), "q" * (MAX_TEXT_CHARS + 1),
     "data.extensions.personae.speech.quirks"),
    ((*PERSONAE, "speech", "lines"), ["hi"], "data.extensions.personae.speech.lines"),
    ((*PERSONAE, "speech", "lines", "greet"), "Hello!",
     "data.extensions.personae.speech.lines.greet"),
    ((*PERSONAE, "speech", "lines", "tease"), ["fine", 5],
     "data.extensions.personae.speech.lines.tease[1]"),
    (("spec",), "chara_card_v9", "spec"),
    (("spec",), None, "spec"),
    (("data",), _DELETE, "data"),
    (("data",), "Elizabeth", "data"),
    (("data", "character_book", "scan_depth"), float("nan"), "data.character_book.scan_depth"),
]


def _assert_readable(err: InvalidCard, field: str) -> None:
    assert err.field == field
    message = str(err)
    assert message.startswith(f"Invalid character card: field '{field}' ")
    assert err.problem and len(message) < 300 and "Traceback" not in message


@pytest.mark.parametrize(("path", "value", "field"), BAD_FIELDS,
                         ids=[f"{f}={str(v)[:12]!r}" for _, v, f in BAD_FIELDS])
def test_an_invalid_field_is_named_by_its_dotted_path(
    path: tuple[str, ...], value: Any, field: str
) -> None:
    card = _card()
    card["data"]["character_book"] = {"scan_depth": 2}
    _set(card, path, value)
    for raw in (card, json.dumps(card)):
        with pytest.raises(InvalidCard) as caught:
            parse_card(raw)
        _assert_readable(caught.value, field)


@pytest.mark.parametrize(
    ("raw", "field", "fragment"),
    [
        (b'{"name": "Lizzy",\n "description": }', "(file)", "not valid JSON: "),
        ("{not json", "(file)", "line 1, column 2"),
        (b"", "(file)", "not valid JSON"),
        (b"[1, 2]", "(file)", "must be a JSON object, not a list"),
        ('"a card"', "(file)", "not a string"),
        (b"\xff\xfe{}", "(file)", "not UTF-8"),
        (b"\x89PNG\r\n\x1a\n...", "(file)", "PNG"),
        ({"name": "x", "bad": {1, 2}}, "(file)", "JSON-compatible"),
        ({"description": "no name"}, "name", "missing"),
        ({"name": ["Jane"]}, "name", "must be a string, not a list"),
        ({"name": "Jane", "data": {}}, "spec", "missing"),
        ({"spec": "chara_card_v2", "data": {"name": "X", "extensions": {"personae": 1}}},
         "data.extensions.personae", "must be an object, not a number"),
    ],
)
def test_malformed_input_is_refused_with_a_readable_message(
    raw: Any, field: str, fragment: str
) -> None:
    with pytest.raises(InvalidCard) as caught:
        parse_card(raw)
    _assert_readable(caught.value, field)
    assert fragment in caught.value.problem


def test_a_3_mb_card_is_rejected_before_parsing(tmp_path: Path) -> None:
    huge = b"{" + b" " * (3 * 1024 * 1024)  # not even JSON: the size check must come first
    assert len(huge) > MAX_CARD_BYTES
    for raw in (huge, huge.decode(), {"name": "Big", "description": "x" * (3 * 1024 * 1024)}):
        with pytest.raises(InvalidCard, match="2 MB") as caught:
            parse_card(raw)
        assert caught.value.field == "(file)"
    (tmp_path / "huge.json").write_bytes(huge)
    with pytest.raises(InvalidCard, match="2 MB"):
        load_card_file(tmp_path / "huge.json")


def test_a_missing_file_is_an_invalid_card(tmp_path: Path) -> None:
    with pytest.raises(InvalidCard, match="cannot be read") as caught:
        load_card_file(tmp_path / "nobody.json")
    assert caught.value.field == "(file)"


def test_a_utf8_file_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"name": "Kitty Bennet"}).encode())
    assert load_card_file(path).name == "Kitty Bennet"


# --- properties -------------------------------------------------------------------------------

_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                 max_size=4),
    max_leaves=20,
)
_text = st.text(max_size=40)
_unit = st.floats(0, 1)
_texts = st.lists(_text, max_size=3)


def _mostly(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Usually a valid value, sometimes any JSON value: reaches both the checks and success."""
    return st.integers(0, 3).flatmap(lambda n: valid if n else _json)


_big_five = st.fixed_dictionaries(
    {}, optional={k: _mostly(_unit) for k in ("openness", "neuroticism", "x")})
_speech = st.fixed_dictionaries({}, optional={
    "formality": _mostly(_unit), "quirks": _mostly(_text), "catchphrases": _mostly(_texts),
    "lines": _mostly(st.dictionaries(st.sampled_from(["greet", "tease", "zzz"]),
                                     _mostly(_texts))),
    "y": _json,
})
_personae = st.fixed_dictionaries({}, optional={
    "big_five": _mostly(_big_five), "speech": _mostly(_speech),
    "values": _mostly(_texts), "goals": _mostly(_texts), "aliases": _mostly(_texts),
    "talkativeness": _mostly(_unit), "social_energy": _mostly(_unit),
    "autonomy_level": _mostly(st.integers(0, 3)),
    "avatar_url": _mostly(st.sampled_from(["https://x.example/a.png", "http://h/p"])),
    "other": _json,
})
_TEXT_KEYS = ("description", "personality", "scenario", "first_mes", "mes_example",
              "creator_notes", "system_prompt", "post_history_instructions", "creator",
              "character_version", "nickname")
_data = st.fixed_dictionaries(
    {"name": _mostly(st.text(min_size=1, max_size=90))},
    optional={
        **{k: _mostly(_text) for k in _TEXT_KEYS},
        "alternate_greetings": _mostly(_texts), "tags": _mostly(_texts), "other": _json,
        "extensions": _mostly(st.fixed_dictionaries({}, optional={
            "personae": _mostly(_personae), "talkativeness": _json, "theirs": _json})),
    },
)
_cards = st.one_of(
    st.dictionaries(st.text(max_size=12), _json, max_size=6),
    st.fixed_dictionaries({}, optional={
        **{k: _mostly(_text) for k in ("name", "description", "first_mes")},
        "talkativeness": _json, "spec": _json, "other": _json}),
    st.fixed_dictionaries(
        {"spec": _mostly(st.sampled_from(["chara_card_v2", "chara_card_v3"])),
         "data": _mostly(_data)},
        optional={"spec_version": _json, "other": _json},
    ),
)


def _check(raw: Any) -> None:
    try:
        character = parse_card(raw)
    except InvalidCard as err:
        assert err.field and err.problem
        return
    card = export_card(character)
    assert json.loads(json.dumps(card, allow_nan=False)) == card
    assert export_card(parse_card(card)) == card, "exports are a fixed point"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_cards)
def test_arbitrary_json_objects_only_ever_raise_invalid_card(card: dict[str, Any]) -> None:
    _check(card)
    _check(json.dumps(card))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200))
def test_arbitrary_bytes_and_text_only_ever_raise_invalid_card(raw: bytes | str) -> None:
    _check(raw)
