"""Ratings, reviews, reports and moderation (take down, restore), and creators' statistics."""

from __future__ import annotations

from datetime import timedelta

from engine.errors import InvalidInput
from engine.marketplace.model import CreatorStats, Listing, Report, Review
from engine.services.deps import Deps
from engine.services.marketplace_common import ACTIVE_WINDOW, Member, find_listing

__all__ = ["rate", "report", "open_reports", "take_down", "restore", "creator_stats"]


def rate(deps: Deps, ref: str, member: Member, stars: int, review: str = "") -> Review:
    """Rate a package 1-5 stars with an optional review; rating again edits the member's."""
    if isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= 5:
        raise InvalidInput("A rating is 1 to 5 stars.")
    review = review.strip()
    if len(review) > 2000:
        raise InvalidInput("A review is at most 2,000 characters.")
    from engine.marketplace.content import problem_with

    problem = problem_with(review)
    if problem:
        raise InvalidInput(f"That review {problem}.")
    now = deps.clock.now()
    with deps.uow() as uow:
        listing = find_listing(uow, ref, member)
        if listing.creator_key == member.key:
            raise InvalidInput("Creators cannot rate their own packages.")
        uow.marketplace.rate(listing.id, member.key, member.name, stars, review, now)
        out = uow.marketplace.rating_of(listing.id, member.key)
        uow.commit()
    assert out is not None
    return out


def report(deps: Deps, ref: str, member: Member, reason: str) -> int:
    """Report a package to the moderators; returns the report's number."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput("Say what is wrong with the package.")
    with deps.uow() as uow:
        listing = find_listing(uow, ref, member)
        number = uow.marketplace.add_report(listing.id, member.key, reason[:2000],
                                            deps.clock.now())
        uow.commit()
    return number


def open_reports(deps: Deps, moderator: Member) -> list[tuple[Report, Listing]]:
    _check_moderator(moderator)
    with deps.uow() as uow:
        out = []
        for r in uow.marketplace.reports("open"):
            listing = uow.marketplace.get(r.package_id)
            if listing is not None:
                out.append((r, listing))
        return out


def _check_moderator(member: Member) -> None:
    if not member.moderator:
        raise InvalidInput("Only marketplace moderators can do that.")


def take_down(deps: Deps, ref: str, moderator: Member, reason: str) -> Listing:
    """Hide a package from the marketplace and stop new installs (installed copies stay);
    its open reports are resolved."""
    _check_moderator(moderator)
    now = deps.clock.now()
    with deps.uow() as uow:
        listing = find_listing(uow, ref, moderator)
        uow.marketplace.set_status(listing.id, "taken_down", reason.strip(), now)
        uow.marketplace.resolve_reports(listing.id, "actioned", reason.strip(), now)
        out = uow.marketplace.get(listing.id)
        uow.commit()
    assert out is not None
    return out


def restore(deps: Deps, ref: str, moderator: Member) -> Listing:
    _check_moderator(moderator)
    now = deps.clock.now()
    with deps.uow() as uow:
        listing = find_listing(uow, ref, moderator)
        uow.marketplace.set_status(listing.id, "active", "", now)
        uow.marketplace.resolve_reports(listing.id, "dismissed", "restored", now)
        out = uow.marketplace.get(listing.id)
        uow.commit()
    assert out is not None
    return out


def creator_stats(deps: Deps, creator_key: str, window: timedelta = ACTIVE_WINDOW
                  ) -> CreatorStats:
    """A creator's packages with installs, active installs and active use (installed
    characters that spoke within ``window``)."""
    since = deps.clock.now() - window
    with deps.uow() as uow:
        return CreatorStats(creator_key, [uow.marketplace.stats(p, since)
                                          for p in uow.marketplace.of_creator(creator_key)])
