"""What time alone does to a live stage: speaking-time warnings and limits, grace periods running out."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain import events as ev
from bot.domain.members import Actor, Participant
from bot.domain.stage import Stage, StageState


def next_due(stage: Stage) -> datetime | None:
    """The earliest moment at which time alone changes this stage."""
    if stage.state is not StageState.LIVE:
        return None
    watched = stage.speaking | stage.absent_hands
    moments = [m for u in watched if (m := _due_at(stage, stage.participants[u])) is not None]
    if (idle := _idle_deadline(stage)) is not None:
        moments.append(idle)
    return min(moments, default=None)


def expire_due(stage: Stage, actor: Actor, now: datetime) -> None:
    """Applies every timer and grace period that has run out by ``now``."""
    if stage.state is not StageState.LIVE:
        return
    rules = stage.rules
    for user_id in sorted(stage.absent_hands):
        member = stage.participants[user_id]
        if member.left_at is not None and member.left_at + timedelta(seconds=rules.grace_period) <= now:
            with stage.watch_head(actor, now):
                stage.take_hand(member, now, cooldown=False)
                stage.record(ev.HandDropped, actor, now, target_id=user_id)
    for user_id in sorted(stage.speaking) if rules.speaking_time_limit else ():
        member = stage.participants[user_id]
        assert member.speaking_since is not None, "every member in stage.speaking has the floor"
        left = rules.speaking_time_limit - (now - member.speaking_since).total_seconds()
        if left <= 0:
            # Expired while nobody looked (the bot was down): the turn ended at the limit, not now.
            stage.end_turn(member, now + timedelta(seconds=left))
            stage.record(ev.SpeakerMovedToAudience, actor, now, target_id=user_id,
                         reason="time_up", talk_seconds=member.talk_seconds)
        elif left <= rules.warn_before and not member.warned:
            member.warned = True
            stage.touch(member)
            stage.record(ev.SpeakerWarned, actor, now, target_id=user_id, seconds_left=round(left))
    idle = _idle_deadline(stage)
    if idle is not None and idle <= now:
        stage.close(actor, now, reason="idle")


def speaking_deadline(stage: Stage, user_id: str) -> datetime | None:
    member = stage.participants.get(user_id)
    if member is None or member.speaking_since is None or not stage.rules.speaking_time_limit:
        return None
    return member.speaking_since + timedelta(seconds=stage.rules.speaking_time_limit)


def _idle_deadline(stage: Stage) -> datetime | None:
    if stage.speaking or not stage.rules.idle_close or stage.idle_since is None:
        return None
    return stage.idle_since + timedelta(seconds=stage.rules.idle_close)


def _due_at(stage: Stage, member: Participant) -> datetime | None:
    moments = []
    rules = stage.rules
    if member.hand is not None and not member.present and member.left_at is not None:
        moments.append(member.left_at + timedelta(seconds=rules.grace_period))
    if member.speaking_since is not None and rules.speaking_time_limit:
        limit = member.speaking_since + timedelta(seconds=rules.speaking_time_limit)
        moments.append(limit if member.warned or not rules.warn_before
                       else limit - timedelta(seconds=rules.warn_before))
    return min(moments, default=None)
