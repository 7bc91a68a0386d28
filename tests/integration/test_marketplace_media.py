"""Package images become avatars on both backends: kept once in the media store, served by the
WSGI app at ``/media/<sha256>.<ext>`` (404 unknown, 400 malformed), set as the installed
characters' avatars under ``PERSONAE_PUBLIC_BASE_URL``, carried by publishing from an
ecosystem, and not forced over an avatar the community chose when a package updates."""

from __future__ import annotations

import base64
import copy
import dataclasses
import hashlib
import io
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from bots.billing.webhook import app as http_app
from bots.billing.webhook import serve
from bots.console.community import ConsoleCommunity
from bots.web.media import CACHE_CONTROL
from engine.adapters.sql.tables import characters, media, package_versions, packages
from engine.errors import InvalidInput
from engine.marketplace import InvalidPackage, member_key
from engine.services import characters as character_service
from engine.services import marketplace as mp
from engine.services import setup
from engine.services.deps import Deps
from engine.settings import Settings
from workers.bootstrap import Container

BASE = "https://personae.example.com"
CREATOR = mp.Member(member_key("console", "creator"), "Cassandra")
OTHER = mp.Member(member_key("console", "other"), "Otto")


def _png(color: tuple[int, int, int], size: int = 8) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (size, size), color).save(out, format="PNG")
    return out.getvalue()


RED, BLUE = _png((200, 30, 30)), _png((30, 30, 200))


@pytest.fixture
def container(make_container: Callable[..., Container]) -> Container:
    unlimited = {"characters": None, "relationships": None}
    return make_container(tiers={"free": unlimited}, public_base_url=BASE)


def _with_base(deps: Deps, base: str | None) -> Deps:
    return dataclasses.replace(deps, settings=deps.settings.model_copy(
        update={"public_base_url": base}))


def _count(container: Container, table: Any) -> int:
    with container.database.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _source(container: Container) -> int:
    community = ConsoleCommunity(container, member_name="Mary")
    community.open()
    return community.ecosystem.id


def _elsewhere(container: Container, name: str) -> tuple[int, int]:
    eco, chans = setup.open_space(container.deps, "console", name, ["hall"])
    return eco.id, chans[0].id


def _doc_with_images(container: Container, source: int, name: str,
                     images: dict[str, bytes], version: str = "1.0.0") -> dict[str, Any]:
    """A cast package of Jane and Elizabeth whose characters carry ``images`` (by name)."""
    doc = mp.package_from_ecosystem(container.deps, source, "cast", name=name, version=version,
                                    characters=["Jane Bennet", "Elizabeth Bennet"])
    keys = {c["card"]["data"]["name"]: c for c in doc["characters"]}
    for n, (who, data) in enumerate(images.items()):
        filename = f"img{n}.png"
        doc["images"][filename] = base64.b64encode(data).decode()
        keys[who]["image"] = filename
    return doc


def _get(app: Any, path: str, method: str = "GET", **headers: str
         ) -> tuple[str, dict[str, str], bytes]:
    environ: dict[str, Any] = {"REQUEST_METHOD": method, "PATH_INFO": path,
                               "wsgi.input": io.BytesIO(b"")}
    environ.update({f"HTTP_{k.upper()}": v for k, v in headers.items()})
    seen: dict[str, Any] = {}

    def start_response(status: str, hdrs: list[tuple[str, str]]) -> None:
        seen["status"], seen["headers"] = status, dict(hdrs)

    body = b"".join(app(environ, start_response))
    return seen["status"], seen["headers"], body


def _avatar(container: Container, eco: int, name: str) -> str | None:
    return setup.find_character(container.deps, eco, name).persona.avatar_url


def test_install_sets_avatars_at_our_media_endpoint_which_serves_the_exact_png(
        container: Container) -> None:
    source = _source(container)
    doc = _doc_with_images(container, source, "Portraits", {"Jane Bennet": RED})
    code = mp.publish_package(container.deps, doc, creator=CREATOR).listing.share_code
    target, hall = _elsewhere(container, "netherfield")
    result = mp.install(container.deps, target, code, channel_ids=[hall])

    sha = hashlib.sha256(RED).hexdigest()
    url = f"{BASE}/media/{sha}.png"
    assert result.avatars == {"Jane Bennet": url} and result.notes == []
    assert _avatar(container, target, "Jane Bennet") == url
    assert _avatar(container, target, "Elizabeth Bennet") is None  # no image, no card URL

    app = http_app(container.deps, None)
    status, headers, body = _get(app, url.removeprefix(BASE))
    assert status.startswith("200") and body == RED
    assert headers["Content-Type"] == "image/png" and headers["Cache-Control"] == CACHE_CONTROL
    assert headers["Content-Length"] == str(len(RED)) and headers["ETag"] == f'"{sha}"'
    status, _, body = _get(app, url.removeprefix(BASE), If_None_Match=f'"{sha}"')
    assert status.startswith("304") and body == b""
    status, headers, body = _get(app, url.removeprefix(BASE), "HEAD")
    assert status.startswith("200") and body == b"" and headers["Content-Type"] == "image/png"
    assert _get(app, url.removeprefix(BASE), "POST")[0].startswith("405")


def test_unknown_image_is_404_and_a_malformed_name_is_400(container: Container) -> None:
    app = http_app(container.deps, None)
    unknown = hashlib.sha256(b"nothing stored").hexdigest()
    assert _get(app, f"/media/{unknown}.png")[0].startswith("404")
    for bad in ("/media/", "/media/abc.png", f"/media/{unknown}.gif", f"/media/{unknown}",
                f"/media/{unknown.upper()}.png", f"/media/{unknown}.png/x",
                "/media/../../etc/passwd", f"/media/{unknown}.png?.png"):
        status, headers, body = _get(app, bad)
        assert status.startswith("400"), bad
        assert "sha256" in json.loads(body)["error"]
    assert _get(app, "/elsewhere")[0].startswith("404")
    assert _get(app, "/healthz")[0].startswith("200")


def test_a_stored_image_under_another_extension_is_not_found(container: Container) -> None:
    source = _source(container)
    doc = _doc_with_images(container, source, "Portraits", {"Jane Bennet": RED})
    code = mp.publish_package(container.deps, doc, creator=CREATOR).listing.share_code
    target, _ = _elsewhere(container, "netherfield")
    mp.install(container.deps, target, code)
    sha = hashlib.sha256(RED).hexdigest()
    assert _get(http_app(container.deps, None), f"/media/{sha}.jpg")[0].startswith("404")


def test_the_same_image_in_two_packages_is_stored_once(container: Container) -> None:
    source = _source(container)
    first = _doc_with_images(container, source, "Portraits", {"Jane Bennet": RED})
    second = _doc_with_images(container, source, "More portraits",
                              {"Elizabeth Bennet": RED, "Jane Bennet": BLUE})
    codes = [mp.publish_package(container.deps, d, creator=CREATOR).listing.share_code
             for d in (first, second)]
    target, _ = _elsewhere(container, "netherfield")
    other, _ = _elsewhere(container, "pemberley")
    for eco in (target, other):
        for code in codes:
            mp.install(container.deps, eco, code)
    assert _count(container, media) == 2  # RED and BLUE, however often installed
    red_url = f"{BASE}/media/{hashlib.sha256(RED).hexdigest()}.png"
    assert _avatar(container, other, "Jane Bennet") == red_url
    assert _avatar(container, other, "Elizabeth Bennet (2)") == red_url
    # Uninstalling leaves the (shared) images.
    mp.uninstall(container.deps, target, codes[0])
    assert _count(container, media) == 2


def test_without_a_public_url_images_are_kept_and_the_install_says_so(
        container: Container) -> None:
    source = _source(container)
    doc = _doc_with_images(container, source, "Portraits", {"Jane Bennet": RED})
    code = mp.publish_package(container.deps, doc, creator=CREATOR).listing.share_code
    target, _ = _elsewhere(container, "netherfield")
    unset = _with_base(container.deps, None)
    result = mp.install(unset, target, code)
    assert result.avatars == {}
    assert len(result.notes) == 1 and "PERSONAE_PUBLIC_BASE_URL" in result.notes[0]
    assert "1 image" in result.notes[0]
    assert _avatar(container, target, "Jane Bennet") is None
    assert _count(container, media) == 1
    # Once the address is set, an update gives the avatar (the community had not set one).
    mp.publish_package(container.deps, {**doc, "manifest": {**doc["manifest"],
                                                           "version": "1.0.1"}},
                       creator=CREATOR)
    result = mp.update(container.deps, target, code)
    url = f"{BASE}/media/{hashlib.sha256(RED).hexdigest()}.png"
    assert result.avatars == {"Jane Bennet": url} and result.notes == []
    assert _avatar(container, target, "Jane Bennet") == url


def test_refresh_avatars_gives_kept_images_their_address_once_it_is_set(
        container: Container) -> None:
    """Installed without a public address, the images wait; ``refresh_avatars`` makes them the
    avatars once it is set, keeps an avatar the community chose, and changes nothing twice."""
    source = _source(container)
    doc = _doc_with_images(container, source, "Portraits",
                           {"Jane Bennet": RED, "Elizabeth Bennet": BLUE})
    code = mp.publish_package(container.deps, doc, creator=CREATOR).listing.share_code
    target, _ = _elsewhere(container, "netherfield")
    other, _ = _elsewhere(container, "rosings")
    unset = _with_base(container.deps, None)
    mp.install(unset, target, code)
    mp.install(unset, other, code)
    own = "https://cdn.example.net/our-lizzy.webp"
    character_service.set_avatar(container.deps, target, "Elizabeth Bennet", own)

    with pytest.raises(InvalidInput, match="PERSONAE_PUBLIC_BASE_URL is not set"):
        mp.refresh_avatars(unset)
    assert _avatar(container, target, "Jane Bennet") is None  # nothing changed

    red = f"{BASE}/media/{hashlib.sha256(RED).hexdigest()}.png"
    blue = f"{BASE}/media/{hashlib.sha256(BLUE).hexdigest()}.png"
    assert sorted(mp.refresh_avatars(container.deps, [target])) == ["Jane Bennet"]
    assert _avatar(container, target, "Jane Bennet") == red
    assert _avatar(container, target, "Elizabeth Bennet") == own  # the community's choice
    assert _avatar(container, other, "Jane Bennet") is None  # another community: not asked
    assert sorted(mp.refresh_avatars(container.deps)) == ["Elizabeth Bennet", "Jane Bennet"]
    assert (_avatar(container, other, "Jane Bennet"),
            _avatar(container, other, "Elizabeth Bennet")) == (red, blue)
    assert mp.refresh_avatars(container.deps) == []  # already shown: nothing to do
    # The image is served at that address, and an update later still knows it as installed.
    status, _, body = _get(http_app(container.deps, None), red.removeprefix(BASE))
    assert status.startswith("200") and body == RED
    newer = _doc_with_images(container, source, "Portraits",
                             {"Jane Bennet": BLUE, "Elizabeth Bennet": BLUE}, version="1.1.0")
    mp.publish_package(container.deps, newer, creator=CREATOR)
    mp.update(container.deps, target, code)
    assert _avatar(container, target, "Jane Bennet") == blue  # left as refreshed: updated
    assert _avatar(container, target, "Elizabeth Bennet") == own


def test_an_image_that_is_not_an_image_is_rejected_at_publish_and_nothing_is_stored(
        container: Container) -> None:
    source = _source(container)
    doc = _doc_with_images(container, source, "Portraits", {"Jane Bennet": RED})
    before = (_count(container, packages), _count(container, package_versions))
    cases = {
        b"GIF89a\x01\x00\x01\x00": "is not an image: only PNG, JPEG and WebP",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 40: "says PNG but does not decode",
        b"<svg xmlns='http://www.w3.org/2000/svg'/>": "is not an image",
    }
    for data, message in cases.items():
        bad = copy.deepcopy(doc)
        bad["images"]["img0.png"] = base64.b64encode(data).decode()
        with pytest.raises(InvalidPackage) as info:
            mp.publish_package(container.deps, bad, creator=CREATOR)
        assert "images.img0.png" in str(info.value) and message in str(info.value)
    assert (_count(container, packages), _count(container, package_versions)) == before
    assert _count(container, media) == 0


def test_a_failed_install_keeps_no_image_and_no_character(
        container: Container, monkeypatch: pytest.MonkeyPatch) -> None:
    source = _source(container)
    doc = _doc_with_images(container, source, "Portraits", {"Jane Bennet": RED})
    code = mp.publish_package(container.deps, doc, creator=CREATOR).listing.share_code
    target, _ = _elsewhere(container, "netherfield")
    from engine.adapters.sql.marketplace_store import MarketplaceStore

    def boom(self: Any, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(MarketplaceStore, "add_installation", boom)
    with pytest.raises(RuntimeError):
        mp.install(container.deps, target, code)
    monkeypatch.undo()
    assert _count(container, media) == 0
    with container.database.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(characters).where(
            characters.c.ecosystem_id == target)).scalar_one() == 0


def test_publishing_from_an_ecosystem_carries_media_avatars_and_round_trips(
        container: Container) -> None:
    source = _source(container)
    doc = _doc_with_images(container, source, "Portraits", {"Jane Bennet": RED})
    code = mp.publish_package(container.deps, doc, creator=CREATOR).listing.share_code
    middle, _ = _elsewhere(container, "netherfield")
    mp.install(container.deps, middle, code)
    # Elizabeth's avatar is somebody else's URL: carried in the card, never fetched.
    elsewhere = "https://images.example.org/lizzy.png"
    character_service.set_avatar(container.deps, middle, "Elizabeth Bennet", elsewhere)

    published = mp.publish(container.deps, middle, "cast", name="Second hand", creator=OTHER)
    exported = mp.export_package(container.deps, published.listing.share_code)
    sha = hashlib.sha256(RED).hexdigest()
    assert list(exported["images"]) == [f"{sha}.png"]
    assert base64.b64decode(exported["images"][f"{sha}.png"]) == RED
    by_name = {c["card"]["data"]["name"]: c for c in exported["characters"]}
    assert by_name["Jane Bennet"]["image"] == f"{sha}.png"
    assert "image" not in by_name["Elizabeth Bennet"]
    assert by_name["Elizabeth Bennet"]["card"]["data"]["extensions"]["personae"][
        "avatar_url"] == elsewhere

    last, _ = _elsewhere(container, "pemberley")
    result = mp.install(container.deps, last, published.listing.share_code)
    assert result.avatars == {"Jane Bennet": f"{BASE}/media/{sha}.png"}
    assert _avatar(container, last, "Elizabeth Bennet") == elsewhere
    status, _, body = _get(http_app(container.deps, None), f"/media/{sha}.png")
    assert status.startswith("200") and body == RED
    assert _count(container, media) == 1


def test_update_keeps_an_avatar_the_community_changed(container: Container) -> None:
    source = _source(container)
    doc = _doc_with_images(container, source, "Portraits",
                           {"Jane Bennet": RED, "Elizabeth Bennet": RED})
    code = mp.publish_package(container.deps, doc, creator=CREATOR).listing.share_code
    target, _ = _elsewhere(container, "netherfield")
    mp.install(container.deps, target, code)
    own = "https://cdn.example.net/our-jane.webp"
    character_service.set_avatar(container.deps, target, "Jane Bennet", own)

    newer = _doc_with_images(container, source, "Portraits",
                             {"Jane Bennet": BLUE, "Elizabeth Bennet": BLUE}, version="1.1.0")
    mp.publish_package(container.deps, newer, creator=CREATOR)
    result = mp.update(container.deps, target, code)
    blue = f"{BASE}/media/{hashlib.sha256(BLUE).hexdigest()}.png"
    assert _avatar(container, target, "Jane Bennet") == own  # the community's choice
    assert _avatar(container, target, "Elizabeth Bennet") == blue  # left as installed
    assert result.avatars == {"Elizabeth Bennet": blue}
    # ...and still kept at the next version.
    newest = _doc_with_images(container, source, "Portraits", {"Jane Bennet": RED},
                              version="1.2.0")
    mp.publish_package(container.deps, newest, creator=CREATOR)
    mp.update(container.deps, target, code)
    assert _avatar(container, target, "Jane Bennet") == own


def test_one_process_serves_the_stripe_webhook_and_media(container: Container) -> None:
    from engine.adapters.stripe_billing import StripeBilling

    source = _source(container)
    doc = _doc_with_images(container, source, "Portraits", {"Jane Bennet": RED})
    code = mp.publish_package(container.deps, doc, creator=CREATOR).listing.share_code
    target, _ = _elsewhere(container, "netherfield")
    url = mp.install(container.deps, target, code).avatars["Jane Bennet"]
    settings: Settings = container.settings.model_copy(update={
        "stripe_api_key": "sk_test_x", "stripe_webhook_secret": "whsec_test",
        "stripe_api_base": "http://127.0.0.1:9"})
    server = serve(container.deps, StripeBilling.from_settings(settings), "127.0.0.1", 0,
                   background=True)
    try:
        local = f"http://127.0.0.1:{server.port}"
        with urllib.request.urlopen(local + url.removeprefix(BASE), timeout=5) as response:
            assert response.status == 200 and response.read() == RED
            assert response.headers["Content-Type"] == "image/png"
        unsigned = urllib.request.Request(local + "/stripe/webhook", data=b"{}",
                                          method="POST")
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(unsigned, timeout=5)
        assert info.value.code == 401  # the webhook is still there, still checking
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(local + "/media/nope.png", timeout=5)
        assert info.value.code == 400
    finally:
        server.stop()


def test_update_of_an_install_made_before_avatars_were_recorded(container: Container) -> None:
    """Installs made before this change recorded no avatars: the old cards' avatars count as
    "as installed"."""
    from sqlalchemy import update as sql_update

    from engine.adapters.sql.tables import installations

    source = _source(container)
    card_url = "https://images.example.org/old.png"
    for who in ("Jane Bennet", "Elizabeth Bennet"):
        character_service.set_avatar(container.deps, source, who, card_url)
    code = mp.publish(container.deps, source, "cast", name="Old", creator=CREATOR,
                      characters=["Jane Bennet", "Elizabeth Bennet"]).listing.share_code
    target, _ = _elsewhere(container, "netherfield")
    mp.install(container.deps, target, code)
    with container.database.engine.begin() as conn:
        row = conn.execute(select(installations.c.id, installations.c.created)).one()
        legacy = {k: v for k, v in row.created.items() if k not in ("avatars", "images")}
        conn.execute(sql_update(installations).where(installations.c.id == row.id)
                     .values(created=legacy))
    own = "https://cdn.example.net/our-lizzy.png"
    character_service.set_avatar(container.deps, target, "Elizabeth Bennet", own)
    newer = _doc_with_images(container, source, "Old",
                             {"Jane Bennet": BLUE, "Elizabeth Bennet": BLUE}, version="1.1.0")
    mp.publish_package(container.deps, newer, creator=CREATOR)
    mp.update(container.deps, target, code)
    assert _avatar(container, target, "Jane Bennet") == \
        f"{BASE}/media/{hashlib.sha256(BLUE).hexdigest()}.png"
    assert _avatar(container, target, "Elizabeth Bennet") == own
