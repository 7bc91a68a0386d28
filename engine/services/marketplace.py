"""The marketplace's use cases: publish, view, search, install, uninstall, update, rate,
report, take down, creator stats (rules in ``engine.marketplace``).

Packages are referred to by ``ref``: a share code (``ABCD-EFGH``), a slug, or a numeric id.
Members are named by ``Member`` (``member_key(platform, user_id)`` and a display name).

For billing: ``Listing.premium`` and ``Listing.price_cents`` say what a package costs;
``install(..., entitled=...)`` refuses a premium package (``PaymentRequired``) unless the
callback says the ecosystem owns it. ``get_listing`` resolves a ref for a checkout.

The front doors import everything from here (``mp.<name>``); the code lives by concept:

| module | holds |
|---|---|
| ``marketplace_common`` | ``Member``, the results, ``PaymentRequired``, finding a listing |
| ``marketplace_publishing`` | a package from an ecosystem, publish, new versions, previews |
| ``marketplace_listings`` | view, search, preview image, export |
| ``marketplace_installing`` | install, uninstall, update, installed; images as avatars |
| ``marketplace_moderation`` | ratings, reports, take down, restore, creator statistics |
"""

from __future__ import annotations

from engine.services.marketplace_common import (
    ACTIVE_WINDOW,
    CARD_FIELDS,
    InstallResult,
    ListingView,
    Member,
    Page,
    PaymentRequired,
    Published,
)
from engine.services.marketplace_installing import (
    install,
    installation_of,
    installed,
    refresh_avatars,
    uninstall,
    update,
)
from engine.services.marketplace_listings import (
    export_package,
    get_listing,
    preview_png,
    search,
    view,
)
from engine.services.marketplace_moderation import (
    creator_stats,
    open_reports,
    rate,
    report,
    restore,
    take_down,
)
from engine.services.marketplace_publishing import (
    package_from_ecosystem,
    publish,
    publish_package,
)

__all__ = [
    "Member", "PaymentRequired", "Published", "InstallResult", "ListingView", "Page",
    "CARD_FIELDS", "ACTIVE_WINDOW",
    "package_from_ecosystem", "publish", "publish_package", "get_listing", "view", "search",
    "preview_png", "export_package", "install", "uninstall", "update", "installed",
    "installation_of", "refresh_avatars",
    "rate", "report", "open_reports", "take_down", "restore", "creator_stats",
]
