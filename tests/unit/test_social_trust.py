"""Confidences, reveals and grudges: secrets kept earn trust, secrets spilled are betrayals."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.errors import InvalidInput
from engine.social.confidences import (
    GRUDGE_HALF_LIFE_S,
    MAX_TRUST_BONUS,
    Confidence,
    ConfidenceBook,
    content_words,
    damp_trust_gain,
    grudge_after_betrayal,
    grudge_decay,
    is_secret_mention,
    trust_bonus,
)

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)
LYDIA, LIZZY, JANE, DARCY, WICKHAM = 1, 2, 3, 4, 5


def book_with_secret() -> tuple[ConfidenceBook, Confidence]:
    book = ConfidenceBook()
    secret = book.confide(LYDIA, LIZZY, "Lydia eloped with Wickham", NOW, event_id=10)
    return book, secret


def test_a_confidant_repeating_the_secret_to_a_third_person_betrays_the_owner() -> None:
    book, secret = book_with_secret()
    later = NOW + timedelta(hours=2)
    reveals = book.detect_reveals(LIZZY, "Did you hear? Lydia has eloped with Mr. Wickham!",
                                  [LIZZY, DARCY, LYDIA], later, event_id=11)
    assert len(reveals) == 1
    reveal = reveals[0]
    assert (reveal.betrayer, reveal.owner, reveal.audience) == (LIZZY, LYDIA, (DARCY,))
    assert reveal.event_id == 11 and 0.5 <= reveal.severity <= 1.0
    stored = book.confidences[0]
    assert stored.status == "revealed" and stored.revealed_by == LIZZY
    assert stored.revealed_to == (DARCY,) and stored.revealed_at == later
    assert stored.subject == secret.subject
    # Already out: saying it again is not a second betrayal of the same confidence.
    assert book.detect_reveals(LIZZY, "Lydia eloped with Wickham, truly", [DARCY, JANE],
                               later, event_id=12) == []


def test_the_owner_telling_their_own_secret_is_not_a_betrayal() -> None:
    book, _ = book_with_secret()
    assert book.detect_reveals(LYDIA, "I eloped with Wickham and I don't care who knows!",
                               [DARCY, JANE, LIZZY], NOW, event_id=11) == []
    assert book.confidences[0].status == "kept"


def test_an_unrelated_message_is_not_a_reveal() -> None:
    book, secret = book_with_secret()
    text = "The weather at Netherfield is lovely and Wickham wears a red coat."
    assert not is_secret_mention(text, secret)  # one of three content words is not enough
    assert book.detect_reveals(LIZZY, text, [DARCY, JANE], NOW, event_id=11) == []
    assert book.confidences[0].status == "kept"


def test_talking_about_it_with_the_owner_or_others_in_on_it_is_not_a_reveal() -> None:
    book, _ = book_with_secret()
    book.confide(LYDIA, JANE, "Lydia eloped with Wickham", NOW)
    assert book.detect_reveals(LIZZY, "So Lydia eloped with Wickham...", [LYDIA, JANE],
                               NOW, event_id=11) == []
    assert all(c.status == "kept" for c in book.confidences)


def test_each_betrayed_confidence_is_reported_once() -> None:
    book = ConfidenceBook()
    book.confide(LYDIA, LIZZY, "Lydia eloped with Wickham", NOW)
    book.confide(JANE, LIZZY, "Jane loves Bingley", NOW)
    reveals = book.detect_reveals(LIZZY, "Jane loves Bingley and Lydia eloped with Wickham",
                                  [DARCY], NOW, event_id=3)
    assert sorted(r.owner for r in reveals) == [LYDIA, JANE]


def test_confiding_is_idempotent_and_rejects_nonsense() -> None:
    book, secret = book_with_secret()
    assert book.confide(LYDIA, LIZZY, "lydia ELOPED with wickham!", NOW) == secret
    assert len(book.confidences) == 1
    with pytest.raises(InvalidInput):
        book.confide(LYDIA, LYDIA, "my own secret garden", NOW)
    with pytest.raises(InvalidInput):
        book.confide(LYDIA, LIZZY, "the", NOW)


def test_a_long_kept_secret_earns_a_small_saturating_trust_bonus() -> None:
    book, secret = book_with_secret()
    bonuses = [trust_bonus(secret, NOW + timedelta(days=d)) for d in (0, 1, 7, 30, 365)]
    assert bonuses[0] == 0.0
    assert bonuses == sorted(bonuses) and bonuses[-1] <= MAX_TRUST_BONUS
    assert bonuses[-1] - bonuses[-2] < bonuses[2] - bonuses[1]  # saturating
    assert book.kept_for(LYDIA, LIZZY, NOW + timedelta(days=1)) == [secret]
    assert book.kept_for(LIZZY, LYDIA, NOW + timedelta(days=1)) == []
    for i in range(10):
        book.confide(LYDIA, LIZZY, f"secret number {i} about ribbons", NOW)
    assert book.trust_bonus_for(LYDIA, LIZZY, NOW + timedelta(days=400)) <= 2 * MAX_TRUST_BONUS
    book.detect_reveals(LIZZY, "Lydia eloped with Wickham", [DARCY], NOW, event_id=2)
    revealed = book.confidences[0]
    assert trust_bonus(revealed, NOW + timedelta(days=30)) == 0.0


def test_betrayal_builds_a_grudge_that_fades_and_slows_trust_recovery() -> None:
    once = grudge_after_betrayal(0.0, 0.6)
    twice = grudge_after_betrayal(once, 0.6)
    assert 0 < once < twice <= 1.0
    assert grudge_decay(twice, GRUDGE_HALF_LIFE_S) == pytest.approx(twice / 2)
    assert grudge_decay(twice, -5) == twice
    assert damp_trust_gain(0.1, 0.0) == pytest.approx(0.1)
    assert damp_trust_gain(0.1, twice) < damp_trust_gain(0.1, once) < 0.1
    assert damp_trust_gain(-0.2, twice) == -0.2  # losses are never softened


unit_or_wild = st.floats(allow_nan=True, allow_infinity=True)


@given(unit_or_wild, unit_or_wild, st.floats(allow_nan=True), st.floats(allow_nan=True))
def test_grudges_stay_in_unit_interval(previous: float, severity: float, elapsed: float,
                                       half_life: float) -> None:
    grudge = grudge_after_betrayal(previous, severity)
    decayed = grudge_decay(grudge, elapsed, half_life)
    for value in (grudge, decayed):
        assert 0.0 <= value <= 1.0 and not math.isnan(value)
    damped = damp_trust_gain(0.3, grudge)
    assert 0.0 <= damped <= 0.3


@given(st.text(max_size=80), st.text(min_size=1, max_size=40))
def test_mention_detection_never_crashes(text: str, subject: str) -> None:
    confidence = Confidence(owner_id=1, confidant_id=2, subject=subject, told_at=NOW)
    assert isinstance(is_secret_mention(text, confidence), bool)
    # Saying the subject itself always mentions it (when it has any content words).
    assert is_secret_mention(subject, confidence) == bool(content_words(subject))
