"""The package format: one JSON document that carries a character, a cast with its
relationships, or scenario templates.

::

    {
      "format": "personae-package", "format_version": 1,
      "manifest": {"kind": "cast", "name": "Longbourn", "version": "1.0.0",
                   "description": "...", "tags": ["regency"], "genre": "romance",
                   "creator": "Jane Austen Fan"},
      "characters": [{"key": "elizabeth", "card": {<Character Card V2 or V3>},
                      "image": "elizabeth.png"}],
      "relationships": [{"source": "elizabeth", "target": "darcy", "affinity": -0.3,
                         "trust": 0.0, "familiarity": 0.2, "romance": 0.1, "rivalry": 0.4,
                         "respect": 0.1, "grudge": 0.0, "label": "rival"}],
      "scenarios": [{<scenario definition: engine.scenarios.to_definition>}],
      "images": {"elizabeth.png": "<base64 PNG, JPEG or WebP>"}
    }

``parse_package`` checks everything (limits, cards, relationships, scenarios, images, the
content check) and raises ``InvalidPackage`` naming the first bad field; nothing is stored
before it returns.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.cards import parse_card
from engine.errors import InvalidCard, InvalidInput
from engine.marketplace.content import check_content
from engine.marketplace.images import decode_image
from engine.marketplace.limits import GENRES, LIMITS, Limits
from engine.marketplace.versioning import parse_version
from engine.personas import Character
from engine.scenarios.model import from_definition

__all__ = ["FORMAT", "FORMAT_VERSION", "KINDS", "REL_FIELDS", "InvalidPackage", "Manifest",
           "Package", "PackagedCharacter", "PackagedRelationship", "build_package",
           "package_bytes", "parse_package"]

FORMAT = "personae-package"
FORMAT_VERSION = 1
KINDS = ("character", "cast", "scenario")
#: Relationship dimensions carried by a package, with their bounds.
REL_FIELDS: dict[str, tuple[float, float]] = {
    "affinity": (-1, 1), "trust": (-1, 1), "familiarity": (0, 1), "romance": (-1, 1),
    "rivalry": (-1, 1), "respect": (-1, 1), "grudge": (0, 1)}


class InvalidPackage(InvalidInput):
    """A package that does not validate; the message names the field."""


@dataclass(frozen=True)
class Manifest:
    kind: str
    name: str
    version: str
    description: str = ""
    tags: tuple[str, ...] = ()
    genre: str = "other"
    creator: str = ""


@dataclass
class PackagedCharacter:
    key: str
    card: dict[str, Any]
    character: Character
    image: str | None = None


@dataclass(frozen=True)
class PackagedRelationship:
    source: str
    target: str
    values: dict[str, float]
    label: str = "stranger"


@dataclass
class Package:
    manifest: Manifest
    characters: list[PackagedCharacter] = field(default_factory=list)
    relationships: list[PackagedRelationship] = field(default_factory=list)
    scenarios: list[dict[str, Any]] = field(default_factory=list)
    images: dict[str, bytes] = field(default_factory=dict)
    size_bytes: int = 0
    doc: dict[str, Any] = field(default_factory=dict)

    def image_of(self, key: str) -> bytes | None:
        c = next((c for c in self.characters if c.key == key), None)
        return self.images.get(c.image) if c is not None and c.image else None


def package_bytes(doc: Mapping[str, Any]) -> bytes:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


def build_package(manifest: Manifest, characters: Sequence[tuple[str, dict[str, Any]]],
                  relationships: Sequence[PackagedRelationship] = (),
                  scenarios: Sequence[dict[str, Any]] = (),
                  images: Mapping[str, str] | None = None,
                  character_images: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The JSON document of a package (``characters`` as ``(key, card)`` pairs)."""
    return {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "manifest": {"kind": manifest.kind, "name": manifest.name, "version": manifest.version,
                     "description": manifest.description, "tags": list(manifest.tags),
                     "genre": manifest.genre, "creator": manifest.creator},
        "characters": [{"key": key, "card": card,
                        **({"image": character_images[key]}
                           if character_images and key in character_images else {})}
                       for key, card in characters],
        "relationships": [{"source": r.source, "target": r.target, **r.values,
                           "label": r.label} for r in relationships],
        "scenarios": list(scenarios),
        "images": dict(images or {}),
    }


def parse_package(raw: bytes | str | Mapping[str, Any], limits: Limits = LIMITS) -> Package:
    """Check a package and read it.

    Raises:
        InvalidPackage: Too large, malformed, or a field that does not validate (named).
    """
    try:
        return _parse(raw, limits)
    except InvalidPackage:
        raise
    except InvalidInput as exc:
        raise InvalidPackage(f"Package rejected: {exc}") from None


def _parse(raw: bytes | str | Mapping[str, Any], limits: Limits) -> Package:
    if isinstance(raw, Mapping):
        doc, size = dict(raw), len(package_bytes(raw))
    else:
        data = raw.encode() if isinstance(raw, str) else bytes(raw)
        size = len(data)
        _check_size(size, limits)
        try:
            doc = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"the package is not valid JSON ({exc}).") from None
    _check_size(size, limits)
    if not isinstance(doc, dict):
        raise InvalidInput("a package is a JSON object.")
    if doc.get("format") != FORMAT:
        raise InvalidInput(f"field 'format' must be {FORMAT!r}.")
    version = doc.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= \
            FORMAT_VERSION:
        raise InvalidInput(f"field 'format_version' must be 1 to {FORMAT_VERSION}; "
                           "a newer Personae may read this package.")
    manifest = _manifest(_object(doc, "manifest"), limits)
    images = _images(doc.get("images"), limits)
    characters = _characters(doc.get("characters"), images, limits)
    relationships = _relationships(doc.get("relationships"), {c.key for c in characters})
    scenarios = _scenarios(doc.get("scenarios"), limits)
    _check_kind(manifest.kind, characters, relationships, scenarios)
    check_content({k: doc.get(k) for k in ("manifest", "characters", "scenarios")})
    return Package(manifest, characters, relationships, scenarios, images, size, doc)


def _check_size(size: int, limits: Limits) -> None:
    if size > limits.package_bytes:
        raise InvalidInput(f"the package is {size / 1048576:.1f} MB; at most "
                           f"{limits.package_bytes // 1048576} MB (images included).")


def _object(doc: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = doc.get(key)
    if not isinstance(value, dict):
        raise InvalidInput(f"field '{key}' must be an object.")
    return value


def _text(src: Mapping[str, Any], key: str, where: str, *, required: bool = False,
          limit: int = 10000) -> str:
    value = src.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(f"field '{where}.{key}' must be text.")
    value = value.strip()
    if required and not value:
        raise InvalidInput(f"field '{where}.{key}' is required.")
    if len(value) > limit:
        raise InvalidInput(f"field '{where}.{key}' is longer than {limit} characters.")
    return value


def _manifest(src: dict[str, Any], limits: Limits) -> Manifest:
    kind = src.get("kind")
    if kind not in KINDS:
        raise InvalidInput(f"field 'manifest.kind' must be one of {', '.join(KINDS)}.")
    name = _text(src, "name", "manifest", required=True, limit=limits.name_chars)
    version = str(parse_version(src.get("version"), "manifest.version"))  # type: ignore[arg-type]
    description = _text(src, "description", "manifest", limit=limits.description_chars)
    tags_raw = src.get("tags") or []
    if not isinstance(tags_raw, list) or not all(isinstance(t, str) for t in tags_raw):
        raise InvalidInput("field 'manifest.tags' must be a list of texts.")
    tags = tuple(dict.fromkeys(t.strip().lower() for t in tags_raw if t.strip()))
    if len(tags) > limits.tags:
        raise InvalidInput(f"field 'manifest.tags' has {len(tags)} tags; at most "
                           f"{limits.tags}.")
    for i, tag in enumerate(tags):
        if len(tag) > limits.tag_chars:
            raise InvalidInput(f"field 'manifest.tags[{i}]' is longer than "
                               f"{limits.tag_chars} characters.")
    genre = _text(src, "genre", "manifest", limit=32).lower() or "other"
    if genre not in GENRES:
        raise InvalidInput(f"field 'manifest.genre' must be one of {', '.join(GENRES)}.")
    creator = _text(src, "creator", "manifest", limit=200)
    return Manifest(kind, name, version, description, tags, genre, creator)


def _images(src: Any, limits: Limits) -> dict[str, bytes]:
    if src is None:
        return {}
    if not isinstance(src, dict):
        raise InvalidInput("field 'images' must be an object of name: base64 image.")
    if len(src) > limits.images:
        raise InvalidInput(f"field 'images' holds {len(src)} images; at most {limits.images}.")
    return {str(name): decode_image(value, f"images.{name}", limits)[1]
            for name, value in src.items()}


def _characters(src: Any, images: dict[str, bytes], limits: Limits
                ) -> list[PackagedCharacter]:
    if src is None:
        return []
    if not isinstance(src, list):
        raise InvalidInput("field 'characters' must be a list.")
    if len(src) > limits.characters:
        raise InvalidInput(f"field 'characters' holds {len(src)} characters; at most "
                           f"{limits.characters}.")
    out: list[PackagedCharacter] = []
    keys: set[str] = set()
    names: set[str] = set()
    for i, entry in enumerate(src):
        where = f"characters[{i}]"
        if not isinstance(entry, dict):
            raise InvalidInput(f"field '{where}' must be an object with a key and a card.")
        key = _text(entry, "key", where, required=True, limit=80)
        if key in keys:
            raise InvalidInput(f"field '{where}.key' repeats {key!r}; keys are unique.")
        card = entry.get("card")
        if not isinstance(card, dict):
            raise InvalidInput(f"field '{where}.card' must be a Character Card V2/V3 object.")
        try:
            character = parse_card(card)
        except InvalidCard as exc:
            raise InvalidInput(f"field '{where}.card.{exc.field}' {exc.problem}.") from None
        if character.name.lower() in names:
            raise InvalidInput(f"field '{where}.card.data.name' repeats {character.name!r}; "
                               "names in a package are unique.")
        image = entry.get("image")
        if image is not None and (not isinstance(image, str) or image not in images):
            raise InvalidInput(f"field '{where}.image' names no image in 'images'.")
        keys.add(key)
        names.add(character.name.lower())
        out.append(PackagedCharacter(key, card, character, image))
    return out


def _relationships(src: Any, keys: set[str]) -> list[PackagedRelationship]:
    if src is None:
        return []
    if not isinstance(src, list):
        raise InvalidInput("field 'relationships' must be a list.")
    out: list[PackagedRelationship] = []
    seen: set[tuple[str, str]] = set()
    for i, entry in enumerate(src):
        where = f"relationships[{i}]"
        if not isinstance(entry, dict):
            raise InvalidInput(f"field '{where}' must be an object.")
        source, target = entry.get("source"), entry.get("target")
        for end, value in (("source", source), ("target", target)):
            if value not in keys:
                raise InvalidInput(f"field '{where}.{end}' names no character of the "
                                   "package.")
        if source == target:
            raise InvalidInput(f"field '{where}' relates a character to itself.")
        pair = (str(source), str(target))
        if pair in seen:
            raise InvalidInput(f"field '{where}' repeats {source} -> {target}.")
        seen.add(pair)
        values: dict[str, float] = {}
        for name, (low, high) in REL_FIELDS.items():
            value = entry.get(name, 0.0)
            if isinstance(value, bool) or not isinstance(value, int | float) or \
                    not low <= value <= high:
                raise InvalidInput(f"field '{where}.{name}' must be a number from {low} to "
                                   f"{high}.")
            values[name] = float(value)
        label = entry.get("label", "stranger")
        if not isinstance(label, str) or not 0 < len(label) <= 24:
            raise InvalidInput(f"field '{where}.label' must be a short text.")
        out.append(PackagedRelationship(pair[0], pair[1], values, label))
    return out


def _scenarios(src: Any, limits: Limits) -> list[dict[str, Any]]:
    if src is None:
        return []
    if not isinstance(src, list):
        raise InvalidInput("field 'scenarios' must be a list.")
    if len(src) > limits.scenarios:
        raise InvalidInput(f"field 'scenarios' holds {len(src)}; at most {limits.scenarios}.")
    for i, entry in enumerate(src):
        try:
            from_definition(entry)
        except InvalidInput as exc:
            raise InvalidInput(f"field 'scenarios[{i}]': {exc}") from None
    return [dict(s) for s in src]


def _check_kind(kind: str, characters: list[PackagedCharacter],
                relationships: list[PackagedRelationship], scenarios: list[dict[str, Any]]
                ) -> None:
    if kind == "character" and len(characters) != 1:
        raise InvalidInput("field 'characters' of a character package holds exactly one.")
    if kind == "cast" and not characters:
        raise InvalidInput("field 'characters' of a cast package holds at least one.")
    if kind == "scenario" and not scenarios:
        raise InvalidInput("field 'scenarios' of a scenario package holds at least one.")
