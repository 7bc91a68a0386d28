"""The marketplace's pure rules: the package format (``format``), its validation (``limits``,
``images``, ``content``), versions (``versioning``) and search (``search``).

The use cases (publish, install, update, ratings, reports) are in
``engine.services.marketplace``; storage in ``engine.adapters.sql.marketplace_store``.
"""

from engine.marketplace.format import (
    FORMAT,
    FORMAT_VERSION,
    KINDS,
    InvalidPackage,
    Manifest,
    Package,
    PackagedCharacter,
    PackagedRelationship,
    build_package,
    package_bytes,
    parse_package,
)
from engine.marketplace.limits import GENRES, LIMITS, Limits
from engine.marketplace.model import (
    VISIBILITIES,
    CreatorStats,
    Installation,
    Listing,
    PackageStats,
    Report,
    Review,
    member_key,
)
from engine.marketplace.search import SORTS, SearchQuery, bayesian_score, search_words
from engine.marketplace.versioning import Version, next_version, parse_version

__all__ = [
    "FORMAT", "FORMAT_VERSION", "GENRES", "KINDS", "LIMITS", "SORTS", "InvalidPackage", "Limits",
    "Manifest", "Package", "PackagedCharacter", "PackagedRelationship", "SearchQuery", "Version",
    "bayesian_score", "build_package", "next_version", "package_bytes", "parse_package",
    "parse_version", "search_words", "VISIBILITIES", "CreatorStats", "Installation", "Listing",
    "PackageStats", "Report", "Review", "member_key",
]
