"""Seeded random walks over the whole command set: after every step the stage must still add up.

Each walk is deterministic (fixed seeds), so a failure replays exactly; a refused step must change nothing.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable

import pytest

from bot.domain import errors, moderation
from bot.domain.members import SYSTEM, Actor
from bot.domain.rules import QueueMode
from bot.domain.stage import Stage
from bot.domain.timers import expire_due, next_due
from bot.domain.validation import Visibility
from tests.support.builders import HOST, at, open_stage, snapshot

PEOPLE = ["host", "ann", "bob", "cat", "dan", "eve", "fay", "gus"]
RULE_CHANGES = [
    {"queue_mode": "fair"}, {"queue_mode": "fifo"}, {"must_be_present": "off"}, {"must_be_present": "on"},
    {"max_speakers": "2"}, {"max_speakers": "4"}, {"hand_cooldown": "0"}, {"hand_cooldown": "20s"},
    {"speaking_time_limit": "90s", "warn_before": "20s"}, {"speaking_time_limit": "0"},
    {"grace_period": "30s"}, {"max_queue_length": "3"}, {"max_queue_length": "50"},
    {"auto_approve": "vip"}, {"auto_approve": "off"}, {"hand_mode": "invited"}, {"hand_mode": "everyone"},
]


def _actor(rng: random.Random, user_id: str) -> Actor:
    return Actor(user_id, roles=frozenset({"vip"}) if rng.random() < 0.2 else frozenset(),
                 guest=rng.random() < 0.1, platform_moderator=rng.random() < 0.05)


def _step(rng: random.Random, stage: Stage, now_s: float) -> Callable[[], object]:
    """Picks one command with random arguments; returns it unapplied."""
    now = at(now_s)
    actor = _actor(rng, rng.choice(PEOPLE))
    moderator = rng.choice([HOST, actor])
    target = rng.choice(PEOPLE + ["zed"])
    options: list[Callable[[], object]] = [
        lambda: stage.join(actor, now),
        lambda: stage.leave(actor, now),
        lambda: stage.raise_hand(actor, rng.choice(["", "note"]), now),
        lambda: stage.raise_hand(actor, "", now),
        lambda: stage.lower_hand(actor, now),
        lambda: stage.deny(moderator, target, "", now),
        lambda: stage.approve(moderator, target, now),
        lambda: stage.approve_next(moderator, now),
        lambda: stage.approve_next(HOST, now),
        lambda: stage.move_to_audience(moderator, target, now),
        lambda: stage.move_to_audience(actor, actor.user_id, now),
        lambda: stage.set_rules(moderator, rng.choice(RULE_CHANGES), now),
        lambda: stage.lock_hands(moderator, now, locked=rng.random() < 0.3),
        lambda: moderation.add_moderator(stage, moderator, target, now),
        lambda: moderation.remove_moderator(stage, moderator, target, now),
        lambda: moderation.invite(stage, moderator, target, now),
        lambda: moderation.remove(stage, moderator, target, now, block=rng.random() < 0.4),
        lambda: moderation.unblock(stage, moderator, target, now),
        lambda: expire_due(stage, SYSTEM, now),
    ]
    return rng.choice(options)


def _check(stage: Stage) -> None:
    members = stage.participants.values()
    with_hand = {p.user_id for p in members if p.hand is not None}
    assert set(stage.queue) == with_hand and len(stage.queue) == len(with_hand)
    assert stage.speaking == {p.user_id for p in members if p.speaking}
    assert stage.absent_hands == {p.user_id for p in members  # hands whose member left: a grace clock runs
                                  if p.hand is not None and not p.present and p.left_at is not None}
    assert stage.present_count == sum(p.present for p in members)
    assert stage.peak_audience >= stage.present_count
    assert stage.hands_served <= stage.hands_raised
    assert stage.hands_raised == sum(p.hands_raised for p in members)
    for p in members:
        assert not (p.speaking and p.hand is not None), p
        if p.blocked:
            assert not (p.present or p.speaking or p.moderator or p.invited) and p.hand is None, p
        if p.present:
            assert p.left_at is None, p
    fair = stage.rules.queue_mode is QueueMode.FAIR
    keys = [((stage.participants[u].hand.priority if fair else 0.0), stage.participants[u].hand.raised_at,
             stage.participants[u].hand.seq) for u in stage.queue]
    assert keys == sorted(keys)
    assert [stage.queue.position(u, stage.participants[u].hand) for u in stage.queue] == list(range(1, len(stage.queue) + 1))


def _reloaded(stage: Stage) -> Stage:
    """The stage rebuilt from what persistence stores: its fields and its members, nothing derived."""
    return Stage(
        id=stage.id, platform=stage.platform, space_id=stage.space_id, channel_id=stage.channel_id,
        title=stage.title, host_id=stage.host_id, created_at=stage.created_at, topic=stage.topic,
        state=stage.state, visibility=stage.visibility, capacity=stage.capacity, rules=stage.rules,
        hands_locked=stage.hands_locked, opened_at=stage.opened_at, closed_at=stage.closed_at,
        hand_seq=stage.hand_seq, peak_audience=stage.peak_audience, hands_raised=stage.hands_raised,
        hands_served=stage.hands_served, version=stage.version,
        participants=copy.deepcopy(stage.participants))


@pytest.mark.parametrize("seed", range(20))
def test_random_walk_keeps_the_stage_consistent(seed: int) -> None:
    rng = random.Random(seed)
    stage = open_stage(present=tuple(rng.sample(PEOPLE, 4)), capacity=rng.choice([0, 5]),
                       visibility=rng.choice([Visibility.PUBLIC, Visibility.MEMBERS, Visibility.INVITE_ONLY]))
    now_s = 0.0
    refused = 0
    for _ in range(150):
        now_s += rng.choice([0, 0.5, 1, 5, 30])
        command = _step(rng, stage, now_s)
        stage.pull_events()  # keeps each snapshot small; the events of a refusal still show
        before = snapshot(stage)
        try:
            command()
        except errors.StageError:
            refused += 1
            assert snapshot(stage) == before
        _check(stage)
        due = next_due(stage)
        if due is not None and due <= at(now_s):
            # Anything already due must be applied by expire_due, leaving nothing overdue.
            expire_due(stage, SYSTEM, at(now_s))
            later = next_due(stage)
            assert later is None or later > at(now_s)
            _check(stage)
        reloaded = _reloaded(stage)
        assert list(reloaded.queue) == list(stage.queue)
        assert (reloaded.speaking, reloaded.absent_hands, reloaded.present_count) == (
            stage.speaking, stage.absent_hands, stage.present_count)
    assert 0 < refused < 150  # the walk exercised both paths
