"""Character Card import and export: V1, V2 and V3 in, V2 (with ``extensions.personae``) out.

A card imports into a ``Character``; every part of it the engine does not model is kept verbatim
in ``Character.card_extra`` so the card exports back as it came in. ``card_extra`` holds up to
seven sections, each present only when it has something in it:

``"spec"``
    The card's own ``spec`` and ``spec_version`` (provenance only: export always writes V2).
``"top"``
    Unknown top-level keys (for a V1 card: every key besides its six fields). Exported beside
    ``spec`` and ``data``, as SillyTavern does with its V1 mirror fields.
``"data"``
    Unknown keys of ``data`` (``character_book``, V3's ``assets``, ``nickname``...).
``"extensions"``
    Every ``data.extensions`` entry but ``personae`` (SillyTavern's ``talkativeness``,
    ``depth_prompt``, other tools' entries).
``"personae"``, ``"personae.big_five"``, ``"personae.speech"``
    Unknown keys inside our own extension and its two nested objects (written by a newer
    version of Personae, say).

So ``export_card(parse_card(card)) == card`` for a V2 card carrying every V2 field and a
``personae`` extension in the normalized form ``export_card`` writes; unknown keys always survive.
"""

from __future__ import annotations

import copy
import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from engine.card_validation import (
    describe,
    join,
    read_level,
    read_name,
    read_object,
    read_text,
    read_text_list,
    read_unit,
    read_url,
)
from engine.errors import InvalidCard
from engine.personas import AUTONOMY_LEVELS, BigFive, Character, Persona, SpeechStyle

__all__ = [
    "MAX_CARD_BYTES",
    "SPEC_V2",
    "SPEC_V3",
    "parse_card",
    "export_card",
    "load_card_file",
    "dump_card_file",
]

#: Largest card accepted, in bytes of UTF-8 JSON (checked before parsing).
MAX_CARD_BYTES = 2 * 1024 * 1024
SPEC_V2 = "chara_card_v2"
SPEC_V3 = "chara_card_v3"
_SPEC_VERSION_V2 = "2.0"
_FILE = "(file)"
_EXT = "data.extensions"
_PERSONAE = "data.extensions.personae"

_V1_TEXT = ("name", "description", "personality", "scenario", "first_mes", "mes_example")
_V2_TEXT = (*_V1_TEXT, "creator_notes", "system_prompt", "post_history_instructions")
_V2_LISTS = ("alternate_greetings", "tags")
_V2_TAIL = ("creator", "character_version")
_V2_KNOWN = frozenset((*_V2_TEXT, *_V2_LISTS, *_V2_TAIL, "extensions"))
_TRAITS = ("openness", "conscientiousness", "extraversion", "agreeableness", "neuroticism")
_PERSONAE_KNOWN = frozenset(("big_five", "values", "goals", "talkativeness", "autonomy_level",
                             "social_energy", "aliases", "avatar_url", "speech"))
_SPEECH_KNOWN = frozenset(("formality", "catchphrases", "interjections", "quirks", "lines"))
# Leading words that are not what friends call someone ("Mr. William Collins" -> "William").
_HONORIFICS = frozenset(("mr", "mrs", "miss", "ms", "mx", "dr", "sir", "lady", "lord", "dame",
                         "captain", "colonel", "professor", "prof", "rev", "reverend"))


def parse_card(raw: bytes | str | Mapping[str, Any]) -> Character:
    """Import a Character Card (V1, V2 or V3) as a ``Character``.

    Args:
        raw: The card as JSON bytes or text, or an already decoded JSON object.

    Returns:
        The character, with everything not modelled kept in ``card_extra``.

    Raises:
        InvalidCard: The card is too large, not a JSON object, of an unknown spec, or a field
            does not validate; ``field`` is the dotted path (``data.tags[2]``).
    """
    card = _decode(raw)
    extra: dict[str, Any] = {}
    if "spec" not in card:
        if "data" in card:
            raise InvalidCard("spec", f"is missing; a card with 'data' must say '{SPEC_V2}'")
        fields = {k: v for k, v in card.items() if k in _V1_TEXT}
        _put(extra, "top", {k: v for k, v in card.items() if k not in _V1_TEXT})
        return _character(fields, "", {}, card.get("talkativeness"), extra)
    if card["spec"] not in (SPEC_V2, SPEC_V3):
        shown = repr(card["spec"]) if isinstance(card["spec"], str) else describe(card["spec"])
        raise InvalidCard("spec", f"is {shown}; expected '{SPEC_V2}' or '{SPEC_V3}'")
    data = card.get("data")
    if not isinstance(data, dict):
        problem = "is missing" if data is None else f"must be an object, not {describe(data)}"
        raise InvalidCard("data", problem)
    _put(extra, "spec", {k: card[k] for k in ("spec", "spec_version") if k in card})
    _put(extra, "top", {k: v for k, v in card.items() if k not in ("spec", "spec_version", "data")})
    _put(extra, "data", {k: v for k, v in data.items() if k not in _V2_KNOWN})
    extensions = read_object(data, "extensions", "data")
    _put(extra, "extensions", {k: v for k, v in extensions.items() if k != "personae"})
    return _character(data, "data", extensions, extensions.get("talkativeness"), extra)


def export_card(character: Character) -> dict[str, Any]:
    """Export a character as a Character Card V2 with our fields in ``extensions.personae``.

    Args:
        character: The character (imported or built in code).

    Returns:
        A JSON-ready card; the sections of ``card_extra`` are copied back where they came from.
    """
    extra = character.card_extra
    data: dict[str, Any] = {key: getattr(character, key) for key in _V2_TEXT}
    data.update({key: list(getattr(character, key)) for key in _V2_LISTS})
    data.update({key: getattr(character, key) for key in _V2_TAIL})
    _merge(data, extra.get("data"))
    extensions: dict[str, Any] = {"personae": _export_persona(character.persona, extra)}
    _merge(extensions, extra.get("extensions"))
    data["extensions"] = extensions
    card: dict[str, Any] = {"spec": SPEC_V2, "spec_version": _SPEC_VERSION_V2, "data": data}
    _merge(card, extra.get("top"))
    return card


def load_card_file(path: str | Path) -> Character:
    """Import a card from a JSON file.

    Raises:
        InvalidCard: The file cannot be read, is larger than ``MAX_CARD_BYTES`` (checked
            before reading it), or the card does not validate.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_CARD_BYTES:
            raise InvalidCard(_FILE, _too_large(size))
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidCard(_FILE, f"cannot be read: {exc.strerror or exc} ({path.name})") from exc
    return parse_card(raw)


def dump_card_file(character: Character, path: str | Path) -> None:
    """Write ``export_card(character)`` as UTF-8 JSON (indent 2), replacing the file atomically."""
    path = Path(path)
    text = json.dumps(export_card(character), indent=2, ensure_ascii=False) + "\n"
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _decode(raw: bytes | str | Mapping[str, Any]) -> dict[str, Any]:
    """The card as a fresh JSON object, its size checked before it is parsed."""
    if isinstance(raw, Mapping):
        try:  # a deep, JSON-only copy: card_extra must store and export as JSON
            raw = json.dumps(raw, ensure_ascii=False)
        except (TypeError, ValueError, RecursionError) as exc:
            raise InvalidCard(_FILE, f"is not a JSON-compatible object: {exc}") from exc
    if isinstance(raw, str):
        if len(raw) > MAX_CARD_BYTES:  # every character is at least one byte
            raise InvalidCard(_FILE, _too_large(len(raw)))
        raw = raw.encode("utf-8", errors="surrogatepass")
    if len(raw) > MAX_CARD_BYTES:
        raise InvalidCard(_FILE, _too_large(len(raw)))
    if raw.startswith(b"\x89PNG"):
        raise InvalidCard(_FILE, "is a PNG card; export the card as JSON and import that")
    try:
        card = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InvalidCard(_FILE, f"is not UTF-8 text (byte {exc.start})") from exc
    except json.JSONDecodeError as exc:
        reason = f"{exc.msg} at line {exc.lineno}, column {exc.colno}"
        raise InvalidCard(_FILE, f"is not valid JSON: {reason}") from exc
    except (ValueError, RecursionError) as exc:
        raise InvalidCard(_FILE, f"is not valid JSON: {exc}") from exc
    if not isinstance(card, dict):
        raise InvalidCard(_FILE, f"must be a JSON object, not {describe(card)}")
    _reject_non_finite(card)
    return card


def _reject_non_finite(card: dict[str, Any]) -> None:
    """Refuse NaN and Infinity anywhere, naming the field: they are not JSON and break export."""
    # Iterative, with paths built only on failure: cards nest deeply, and paths can be long.
    stack: list[tuple[Any, Any]] = [(card, None)]
    while stack:
        value, crumb = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            keys: list[str | int] = []
            while crumb is not None:
                crumb, key = crumb
                keys.append(key)
            field = ""
            for key in reversed(keys):
                field = join(field, key)
            raise InvalidCard(field, f"must be a finite number, not {value!r}")
        if isinstance(value, dict):
            stack.extend((v, (crumb, k)) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, (crumb, i)) for i, v in enumerate(value))


def _too_large(size: int) -> str:
    return f"is {size:,} bytes; cards are at most {MAX_CARD_BYTES:,} bytes (2 MB)"


def _put(extra: dict[str, Any], section: str, values: dict[str, Any]) -> None:
    if values:
        extra[section] = values


def _merge(target: dict[str, Any], kept: Any) -> None:
    """Add kept keys after the modelled ones; a modelled key always wins."""
    for key, value in (kept or {}).items():
        target.setdefault(key, copy.deepcopy(value))


def _character(
    fields: Mapping[str, Any],
    path: str,
    extensions: Mapping[str, Any],
    tavern_talkativeness: Any,
    extra: dict[str, Any],
) -> Character:
    character = Character(name=read_name(fields, "name", path), card_extra=extra)
    for key in _V2_TEXT[1:] + _V2_TAIL:
        setattr(character, key, read_text(fields, key, path))
    for key in _V2_LISTS:
        setattr(character, key, read_text_list(fields, key, path))
    nickname = fields.get("nickname")  # V3
    character.persona = _persona(
        read_object(extensions, "personae", _EXT),
        _talkativeness(tavern_talkativeness),
        _aliases(character.name, nickname if isinstance(nickname, str) else ""),
        extra,
    )
    return character


def _talkativeness(value: Any) -> float:
    """SillyTavern's ``talkativeness`` (a number, often as a string); 0.5 when unusable."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return 0.5
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return 0.5
    return min(1.0, max(0.0, number)) if math.isfinite(number) else 0.5


def _aliases(name: str, nickname: str) -> tuple[str, ...]:
    words = name.split()
    plain = [w for w in words if w.lower().rstrip(".") not in _HONORIFICS]
    found: list[str] = []
    if plain and len(words) > 1:
        found.append(plain[0])
    if len(plain) < len(words) and len(plain) > 1:  # "Mr. William Collins" -> "Mr. Collins"
        found.append(f"{words[0]} {plain[-1]}")
    if nickname.strip() and len(nickname) <= 80:
        found.append(nickname.strip())
    return tuple(dict.fromkeys(a for a in found if a != name))


def _persona(
    src: dict[str, Any], talkativeness: float, aliases: tuple[str, ...], extra: dict[str, Any]
) -> Persona:
    """Our extension; a missing key takes the default (talkativeness and aliases: derived)."""
    path = _PERSONAE
    _put(extra, "personae", {k: v for k, v in src.items() if k not in _PERSONAE_KNOWN})
    traits = read_object(src, "big_five", path)
    traits_path = join(path, "big_five")
    _put(extra, "personae.big_five", {k: v for k, v in traits.items() if k not in _TRAITS})
    big_five = BigFive(**{t: read_unit(traits, t, traits_path, 0.5) for t in _TRAITS})
    if src.get("aliases") is not None:
        aliases = tuple(read_text_list(src, "aliases", path))
    return Persona(
        big_five=big_five,
        values=tuple(read_text_list(src, "values", path)),
        goals=tuple(read_text_list(src, "goals", path)),
        talkativeness=read_unit(src, "talkativeness", path, talkativeness),
        autonomy_level=read_level(src, "autonomy_level", path, 2, AUTONOMY_LEVELS),
        social_energy=read_unit(src, "social_energy", path, 0.7),
        speech=_speech(read_object(src, "speech", path), join(path, "speech"), extra),
        aliases=aliases,
        avatar_url=read_url(src, "avatar_url", path),
    )


def _speech(src: dict[str, Any], path: str, extra: dict[str, Any]) -> SpeechStyle:
    _put(extra, "personae.speech", {k: v for k, v in src.items() if k not in _SPEECH_KNOWN})
    lines_path = join(path, "lines")
    lines = read_object(src, "lines", path)
    return SpeechStyle(
        formality=read_unit(src, "formality", path, 0.5),
        catchphrases=tuple(read_text_list(src, "catchphrases", path)),
        interjections=tuple(read_text_list(src, "interjections", path)),
        quirks=read_text(src, "quirks", path),
        lines={act: tuple(read_text_list(lines, act, lines_path)) for act in lines},
    )


def _export_persona(persona: Persona, extra: Mapping[str, Any]) -> dict[str, Any]:
    speech = persona.speech
    speech_out: dict[str, Any] = {
        "formality": speech.formality,
        "catchphrases": list(speech.catchphrases),
        "interjections": list(speech.interjections),
        "quirks": speech.quirks,
        "lines": {act: list(lines) for act, lines in speech.lines.items()},
    }
    _merge(speech_out, extra.get("personae.speech"))
    big_five: dict[str, Any] = dict(persona.big_five.as_dict())
    _merge(big_five, extra.get("personae.big_five"))
    out: dict[str, Any] = {
        "big_five": big_five,
        "values": list(persona.values),
        "goals": list(persona.goals),
        "talkativeness": persona.talkativeness,
        "autonomy_level": persona.autonomy_level,
        "social_energy": persona.social_energy,
        "aliases": list(persona.aliases),
        "avatar_url": persona.avatar_url,
        "speech": speech_out,
    }
    _merge(out, extra.get("personae"))
    return out
