"""The Stage aggregate driven by Hypothesis against a small reference model of its queue, speakers, blocks,
moderators and rules.

Each step is a command by some member; the model says whether the rules allow it and what it changes. After
every step the stage and the model agree, the stage's own indexes agree with its members, and a refused step
changed nothing at all (its full snapshot, no event recorded).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from bot.domain import errors
from bot.domain.members import Actor
from bot.domain.moderation import add_moderator, remove, unblock
from bot.domain.stage import Stage, StageState
from tests.support.builders import NOW, open_stage

PEOPLE = ("host", "ann", "bob", "cat", "dan", "pm")  # pm: a platform moderator
members = st.sampled_from(PEOPLE)


def actor(user_id: str) -> Actor:
    return Actor(user_id, platform_moderator=user_id == "pm")


@dataclass
class Model:
    """What the rules say a stage is, in the plainest terms."""

    present: set[str] = field(default_factory=lambda: {"host", "ann", "bob", "cat"})
    queue: list[str] = field(default_factory=list)  # first come, first served
    speakers: set[str] = field(default_factory=set)
    blocked: set[str] = field(default_factory=set)
    moderators: set[str] = field(default_factory=set)  # delegated
    max_speakers: int = 2
    locked: bool = False
    live: bool = True

    def moderates(self, who: str) -> bool:
        if who == "host":
            return True
        return who not in self.blocked and (who == "pm" or who in self.moderators)


def state(stage: Stage) -> dict[str, Any]:
    """Everything about a stage a refused command must leave as it was."""
    return {
        "participants": copy.deepcopy(stage.participants), "queue": list(stage.queue),
        "speaking": set(stage.speaking), "moderators": set(stage.moderators), "rules": stage.rules,
        "locked": stage.hands_locked, "state": stage.state, "present_count": stage.present_count,
        "counters": (stage.hand_seq, stage.hands_raised, stage.hands_served, stage.peak_audience),
        "topic": stage.topic,
    }


class StageMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.stage = open_stage(present=("host", "ann", "bob", "cat"), max_speakers=2, hand_cooldown=0)
        self.model = Model()
        self.seconds = 0
        self.steps = self.refused = 0

    # ---- running one step against both ------------------------------------------------------------

    def step(self, allowed: bool, run: Any, change: Any = None) -> None:
        self.seconds += 1
        before = state(self.stage)
        self.steps += 1
        try:
            run(NOW + timedelta(seconds=self.seconds))
        except errors.StageError as refusal:
            self.refused += 1
            assert not allowed, f"refused {refusal.code} where the model allows it"
            assert state(self.stage) == before, f"{refusal.code} changed the stage"
            assert self.stage.pull_events() == [], f"{refusal.code} recorded events"
            return
        assert allowed, "allowed where the model refuses it"
        self.stage.pull_events()
        if change is not None:
            change()

    # ---- members -----------------------------------------------------------------------------------

    @rule(who=members)
    def join(self, who: str) -> None:
        m = self.model
        allowed = m.live and (who in m.present or who not in m.blocked)
        self.step(allowed, lambda now: self.stage.join(actor(who), now), lambda: m.present.add(who))

    @rule(who=members)
    def leave(self, who: str) -> None:
        m = self.model

        def change() -> None:
            m.present.discard(who)
            m.speakers.discard(who)
        self.step(m.live, lambda now: self.stage.leave(actor(who), now), change)

    @rule(who=members)
    def raise_hand(self, who: str) -> None:
        m = self.model
        allowed = (m.live and not m.locked and who not in m.blocked and who not in m.speakers
                   and who not in m.queue and who in m.present)
        self.step(allowed, lambda now: self.stage.raise_hand(actor(who), "", now), lambda: m.queue.append(who))

    @rule(who=members)
    def lower_hand(self, who: str) -> None:
        m = self.model
        self.step(m.live and who in m.queue, lambda now: self.stage.lower_hand(actor(who), now),
                  lambda: m.queue.remove(who))

    # ---- moderation ----------------------------------------------------------------------------------

    @rule(by=members)
    def approve_next(self, by: str) -> None:
        m = self.model
        chosen = next((u for u in m.queue if u in m.present), None)
        allowed = m.live and m.moderates(by) and len(m.speakers) < m.max_speakers and chosen is not None

        def change() -> None:
            assert chosen is not None
            m.queue.remove(chosen)
            m.speakers.add(chosen)
        self.step(allowed, lambda now: self.stage.approve_next(actor(by), now), change)

    @rule(by=members, who=members)
    def approve(self, by: str, who: str) -> None:
        m = self.model
        allowed = (m.live and m.moderates(by) and who not in m.blocked and who not in m.speakers
                   and who in m.present and len(m.speakers) < m.max_speakers)

        def change() -> None:
            if who in m.queue:
                m.queue.remove(who)
            m.speakers.add(who)
        self.step(allowed, lambda now: self.stage.approve(actor(by), who, now), change)

    @rule(by=members, who=members)
    def to_audience(self, by: str, who: str) -> None:
        m = self.model
        allowed = m.live and (by == who or m.moderates(by)) and who in m.speakers
        self.step(allowed, lambda now: self.stage.move_to_audience(actor(by), who, now),
                  lambda: m.speakers.discard(who))

    @rule(by=members, who=members)
    def block(self, by: str, who: str) -> None:
        m = self.model
        allowed = m.live and m.moderates(by) and who != "host" and who not in m.blocked

        def change() -> None:
            m.blocked.add(who)
            m.present.discard(who)
            m.speakers.discard(who)
            m.moderators.discard(who)
            if who in m.queue:
                m.queue.remove(who)
        self.step(allowed, lambda now: remove(self.stage, actor(by), who, now, block=True), change)

    @rule(by=members, who=members)
    def lift_block(self, by: str, who: str) -> None:
        m = self.model
        allowed = m.live and m.moderates(by) and who in m.blocked
        self.step(allowed, lambda now: unblock(self.stage, actor(by), who, now), lambda: m.blocked.discard(who))

    @rule(by=members, who=members)
    def delegate(self, by: str, who: str) -> None:
        m = self.model
        allowed = m.live and m.moderates(by) and who != "host" and who not in m.moderators and who not in m.blocked
        self.step(allowed, lambda now: add_moderator(self.stage, actor(by), who, now),
                  lambda: m.moderators.add(who))

    @rule(by=members, limit=st.integers(min_value=-1, max_value=4))
    def cap_speakers(self, by: str, limit: int) -> None:
        m = self.model
        allowed = m.live and m.moderates(by) and 1 <= limit <= 100

        def change() -> None:
            m.max_speakers = limit
        self.step(allowed, lambda now: self.stage.set_rules(actor(by), {"max_speakers": str(limit)}, now), change)

    @rule(by=members, locked=st.booleans())
    def lock(self, by: str, locked: bool) -> None:
        m = self.model

        def change() -> None:
            m.locked = locked
        self.step(m.live and m.moderates(by), lambda now: self.stage.lock_hands(actor(by), now, locked=locked),
                  change)

    @rule(by=members)
    def close(self, by: str) -> None:
        m = self.model

        def change() -> None:
            m.live = False
            m.speakers.clear()
        self.step(m.live and m.moderates(by), lambda now: self.stage.close(actor(by), now), change)

    # ---- what always holds -----------------------------------------------------------------------------

    @invariant()
    def agrees_with_the_model(self) -> None:
        s, m = self.stage, self.model
        assert list(s.queue) == m.queue
        assert s.speaking == m.speakers
        assert {u for u, p in s.participants.items() if p.blocked} == m.blocked
        assert s.moderators == m.moderators
        assert {u for u, p in s.participants.items() if p.present} == m.present
        assert s.hands_locked == m.locked and (s.state is StageState.LIVE) == m.live

    @invariant()
    def indexes_follow_the_members(self) -> None:
        s = self.stage
        members_ = s.participants.values()
        assert s.present_count == sum(p.present for p in members_)
        assert s.speaking == {p.user_id for p in members_ if p.speaking}
        assert s.absent_hands == {p.user_id for p in members_ if p.hand is not None and not p.present}
        assert not set(s.queue) & s.speaking
        assert all(not (p.present or p.hand or p.speaking or p.moderator) for p in members_ if p.blocked)
        assert s.peak_audience >= s.present_count



TestStageMachine = StageMachine.TestCase
