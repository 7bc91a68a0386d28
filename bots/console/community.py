"""A console community: one channel, a bundled cast, and a member typing at the terminal.

The handler only translates: a typed line becomes an ``IncomingMessage``; characters' lines
arrive through the same loop as on any platform (render job → outbox → record → stream).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from engine.adapters.sql.spaces import Channel, Ecosystem
from engine.cards import load_card_file
from engine.content import bundled_cast
from engine.messages import Event, EventKind, IncomingMessage, ParticipantKind
from engine.services import setup
from engine.services.deps import Deps
from engine.services.ingest import IngestResult, ingest
from workers.bootstrap import Container

__all__ = ["ConsoleCommunity", "PLATFORM", "SPACE", "CHANNEL", "MEMBER_ID"]

log = logging.getLogger(__name__)

PLATFORM = "console"
SPACE = "local"
CHANNEL = "drawing-room"
MEMBER_ID = "member"


@dataclass(frozen=True)
class Line:
    speaker: str
    text: str
    is_character: bool


class ConsoleCommunity:
    """The console's ecosystem, its channel and its member."""

    def __init__(self, c: Container, member_name: str = "You") -> None:
        self.container = c
        self.member_name = member_name
        self._ids = itertools.count(1)
        self.ecosystem: Ecosystem
        self.channel: Channel

    @property
    def deps(self) -> Deps:
        return self.container.deps

    def open(self, cards: Iterable[Path] | None = None) -> list[str]:
        """Create the community (once) and move the cast in; returns the cast's names."""
        self.ecosystem, chans = setup.open_space(
            self.deps, PLATFORM, SPACE, [CHANNEL], name="Console community"
        )
        self.channel = chans[0]
        existing = {c.name for c in setup.list_characters(self.deps, self.ecosystem.id)}
        for path in cards if cards is not None else bundled_cast():
            character = load_card_file(path)
            if character.name in existing:
                continue
            cid = setup.add_character(self.deps, self.ecosystem.id, character)
            setup.add_to_cast(self.deps, self.channel.id, cid)
        with self.deps.uow() as uow:
            self._next_message_no = uow.events.count(self.ecosystem.id) + 1
            return [m.name for m in uow.participants.cast_of(self.channel.id)]

    def say(self, text: str) -> IngestResult:
        """The member writes ``text`` in the channel."""
        number = self._next_message_no
        self._next_message_no += 1
        return ingest(
            self.deps,
            IncomingMessage(
                platform=PLATFORM, space_id=SPACE, channel_id=CHANNEL, author_id=MEMBER_ID,
                author_name=self.member_name, text=text, message_id=f"m{number}",
            ),
            channel_name=CHANNEL,
        )

    def messages(self) -> list[Event]:
        with self.deps.uow() as uow:
            return [e for e in uow.events.all(self.ecosystem.id) if e.kind is EventKind.MESSAGE]

    def character_turns(self) -> int:
        return sum(1 for e in self.messages() if e.author_kind is ParticipantKind.CHARACTER)

    def transcript_lines(self) -> list[str]:
        """Markdown, one message per line: ``**Speaker:** text``."""
        return [f"**{e.author_name}:** {' '.join(e.text.split())}" for e in self.messages()]
