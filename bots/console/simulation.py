"""The non-interactive demo: a fixed number of turns in simulated time, reproducibly.

Time is a ``ManualClock`` moved forward to each job's due time, and the embedded worker runs
one job at a time, so the same seed gives the same messages on every run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bots.console.community import ConsoleCommunity
from engine.clock import ManualClock
from engine.services.initiative import tick
from workers.embedded import EmbeddedWorker

__all__ = ["Simulation", "SimulationReport"]

log = logging.getLogger(__name__)

#: Safety valve: quiet stretches tried in a row before giving up (a cast that cannot talk).
MAX_IDLE_ROUNDS = 50


@dataclass(frozen=True)
class SimulationReport:
    turns: int
    member_lines: int
    skipped: int


class Simulation:
    def __init__(
        self, community: ConsoleCommunity, clock: ManualClock, worker: EmbeddedWorker
    ) -> None:
        self.community = community
        self.clock = clock
        self.worker = worker

    def run(
        self,
        turns: int,
        member_lines: Mapping[int, str] | None = None,
        on_line: Callable[[str], None] | None = None,
    ) -> SimulationReport:
        """Run until ``turns`` character messages were posted.

        Args:
            turns: Character messages to produce.
            member_lines: Lines the member says once that many character turns have passed.
            on_line: Called with each new transcript line as it appears.
        """
        pending_lines = dict(sorted((member_lines or {}).items()))
        deps = self.community.deps
        shown = 0
        idle = 0
        said = 0
        while self.community.character_turns() < turns:
            done = self.community.character_turns()
            due_lines = [k for k in pending_lines if k <= done]
            for key in due_lines:
                self.community.say(pending_lines.pop(key))
                said += 1
            if self.worker.pending() == 0:
                self.clock.advance(deps.settings.idle_initiative_s)
                tick(deps, self.community.ecosystem.id)
                self.worker.container.database.checkpoint()
                if self.worker.pending() == 0:
                    idle += 1
                    if idle > MAX_IDLE_ROUNDS:
                        log.warning("the cast stayed silent; stopping early")
                        break
                    continue
            idle = 0
            self.advance_to_next_job()
            self.worker.run_pending(max_jobs=1)
            if on_line is not None:
                lines = self.community.transcript_lines()
                for line in lines[shown:]:
                    on_line(line)
                shown = len(lines)
        with deps.uow() as uow:
            counts = uow.intents.count_by_status(self.community.ecosystem.id)
        return SimulationReport(self.community.character_turns(), said, counts.get("skipped", 0))

    def advance_to_next_job(self) -> None:
        """Move simulated time to the due time of the job at the head of the queue."""
        job_ids = [j for q in self.worker.container.queues for j in q.job_ids]
        if not job_ids or not job_ids[0].startswith("render-"):
            return
        intent_id = int(job_ids[0].removeprefix("render-"))
        with self.community.deps.uow() as uow:
            intent = uow.intents.get(intent_id)
        if intent is not None:
            self.clock.advance_to(intent.due_at)
