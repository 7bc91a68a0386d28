"""The package format's rules: what validates, what is rejected and with which message."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest

from engine.errors import InvalidInput
from engine.marketplace import (
    LIMITS,
    InvalidPackage,
    Manifest,
    PackagedRelationship,
    build_package,
    package_bytes,
    parse_package,
    parse_version,
)
from engine.marketplace.content import problem_with
from engine.marketplace.images import decode_image, sniff


def _card(name: str, **data: Any) -> dict[str, Any]:
    return {"spec": "chara_card_v2", "spec_version": "2.0",
            "data": {"name": name, "description": f"{name} of the manor.", **data}}


def _png(side: int = 4) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (side, side), "red").save(out, format="PNG")
    return out.getvalue()


def _doc(**changes: Any) -> dict[str, Any]:
    doc = build_package(
        Manifest("cast", "Manor", "1.0.0", "A small cast.", ("Gothic", "gothic"), "horror",
                 "Cass"),
        [("ann", _card("Ann")), ("bob", _card("Bob"))],
        [PackagedRelationship("ann", "bob", {"affinity": 0.5, "trust": 0.2}, "friend")],
        [{"title": "The Will", "cast": ["Ann", "Bob"]}],
        {"ann.png": base64.b64encode(_png()).decode()}, {"ann": "ann.png"})
    doc.update(changes)
    return doc


def test_a_valid_package_reads_back() -> None:
    package = parse_package(package_bytes(_doc()))
    assert package.manifest.tags == ("gothic",) and package.manifest.genre == "horror"
    assert [c.character.name for c in package.characters] == ["Ann", "Bob"]
    assert package.relationships[0].values["affinity"] == 0.5
    assert package.relationships[0].values["grudge"] == 0.0
    assert package.image_of("ann") == _png() and package.image_of("bob") is None
    assert package.scenarios[0]["title"] == "The Will"


@pytest.mark.parametrize(("change", "message"), [
    ({"format": "zip"}, "field 'format'"),
    ({"format_version": 99}, "field 'format_version'"),
    ({"manifest": {"kind": "cast", "version": "1.0.0"}}, "field 'manifest.name' is required"),
    ({"manifest": {"kind": "movie", "name": "X", "version": "1.0.0"}}, "manifest.kind"),
    ({"manifest": {"kind": "cast", "name": "X", "version": "v1"}}, "manifest.version"),
    ({"manifest": {"kind": "cast", "name": "X", "version": "1.0.0", "genre": "jazz"}},
     "manifest.genre"),
    ({"manifest": {"kind": "cast", "name": "X", "version": "1.0.0",
                   "tags": [f"t{i}" for i in range(11)]}}, "at most 10"),
    ({"characters": [{"key": "a", "card": {"spec": "chara_card_v2", "data": {"name": 3}}}]},
     "characters[0].card.data.name"),
    ({"characters": [{"key": "a", "card": "nope"}]}, "characters[0].card"),
    ({"characters": [{"key": "a", "card": _card("A")}, {"key": "a", "card": _card("B")}]},
     "characters[1].key"),
    ({"characters": [{"key": "a", "card": _card("A")}, {"key": "b", "card": _card("a")}]},
     "names in a package are unique"),
    ({"relationships": [{"source": "ann", "target": "zed"}]}, "relationships[0].target"),
    ({"relationships": [{"source": "ann", "target": "bob", "trust": 3}]},
     "relationships[0].trust"),
    ({"scenarios": [{"cast": ["Ann"]}]}, "scenarios[0]"),
    ({"images": {"x.png": "!!!"}}, "images.x.png' is not valid base64"),
    ({"images": {"x.png": base64.b64encode(b"hello, I am text").decode()}},
     "is not an image"),
    ({"images": {"x.png": base64.b64encode(b"\x89PNG\r\n\x1a\ngarbage").decode()}},
     "does not decode"),
])
def test_bad_packages_name_the_field(change: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidPackage) as info:
        parse_package(_doc(**change))
    assert message in str(info.value) and str(info.value).startswith("Package rejected:")


def test_size_limits() -> None:
    big = _doc()
    big["characters"][0]["card"]["data"]["description"] = "x" * LIMITS.package_bytes
    with pytest.raises(InvalidPackage, match="at most 5 MB"):
        parse_package(package_bytes(big))
    many = _doc(characters=[{"key": f"k{i}", "card": _card(f"C{i}")} for i in range(101)],
                relationships=[], scenarios=[])
    with pytest.raises(InvalidPackage, match="at most 100"):
        parse_package(many)
    huge = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"0" * (LIMITS.image_bytes + 10)).decode()
    with pytest.raises(InvalidPackage, match="over 1024 KB"):
        parse_package(_doc(images={"h.png": huge}))
    with pytest.raises(InvalidInput, match="2048 on a side"):
        decode_image(base64.b64encode(_png(2049)).decode(), "images.big")


def test_kinds() -> None:
    with pytest.raises(InvalidPackage, match="exactly one"):
        parse_package(_doc(manifest={"kind": "character", "name": "X", "version": "1.0.0"}))
    with pytest.raises(InvalidPackage, match="at least one"):
        parse_package(_doc(manifest={"kind": "scenario", "name": "X", "version": "1.0.0"},
                           scenarios=[]))


def test_magic_bytes() -> None:
    assert sniff(_png()) == "png" and sniff(b"\xff\xd8\xff\xe0") == "jpeg"
    assert sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "webp" and sniff(b"GIF89a") is None


@pytest.mark.parametrize(("text", "bad"), [
    ("A kind old nurse who looks after the children.", False),
    ("Explicit content with a minor", True),
    ("Click here for FREE NITRO", True),
    ("my key is sk-abcdefghijklmnopqrstuvwxyz123456", True),
    ("-----BEGIN RSA PRIVATE KEY-----", True),
    ("A sexual tension between two adult rivals.", False),
])
def test_content_check(text: str, bad: bool) -> None:
    assert (problem_with(text) is not None) == bad


def test_content_check_names_the_field() -> None:
    doc = _doc()
    doc["characters"][1]["card"]["data"]["first_mes"] = "Get your free nitro here!"
    with pytest.raises(InvalidPackage, match=r"characters\[1\]\.card\.data\.first_mes"):
        parse_package(doc)


def test_versions_order() -> None:
    assert parse_version("1.2.0-beta") < parse_version("1.2.0") < parse_version("1.10.0")
    assert str(parse_version("2.0.1-rc.1")) == "2.0.1-rc.1"
    for bad in ("1.0", "01.0.0", "1.0.0+x", ""):
        with pytest.raises(InvalidInput):
            parse_version(bad)
