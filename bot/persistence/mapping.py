"""Rows to domain objects and back. The domain never sees a row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.domain.events import Event, StageClosed
from bot.domain.members import Hand, Participant
from bot.domain.recurrence import Recurrence
from bot.domain.rules import Rules
from bot.domain.schedule import ScheduledStage, ScheduleState
from bot.domain.schedule_events import ScheduleEvent
from bot.domain.stage import Stage, StageState


def stage_values(stage: Stage) -> dict[str, Any]:
    return {
        "id": stage.id, "platform": stage.platform, "space_id": stage.space_id,
        "channel_id": stage.channel_id, "title": stage.title, "topic": stage.topic,
        "state": stage.state.value, "visibility": stage.visibility, "capacity": stage.capacity,
        "host_id": stage.host_id, "rules": stage.rules.as_dict(), "hands_locked": stage.hands_locked,
        "created_at": stage.created_at, "opened_at": stage.opened_at, "closed_at": stage.closed_at,
        "hand_seq": stage.hand_seq, "peak_audience": stage.peak_audience,
        "hands_raised": stage.hands_raised, "hands_served": stage.hands_served,
        "idle_since": stage.idle_since, "schedule_id": stage.schedule_id,
        "presence_known": stage.presence_known, "tags": list(stage.tags),
    }


def participant_values(stage_id: str, p: Participant) -> dict[str, Any]:
    hand = p.hand
    return {
        "stage_id": stage_id, "user_id": p.user_id, "present": p.present, "left_at": p.left_at,
        "hand_raised_at": hand.raised_at if hand else None, "hand_seq": hand.seq if hand else None,
        "hand_note": hand.note if hand else None, "hand_priority": hand.priority if hand else None,
        "hand_native": hand.native if hand else None,
        "speaking_since": p.speaking_since, "warned": p.warned, "talk_seconds": p.talk_seconds,
        "turns": p.turns, "hands_raised": p.hands_raised, "cooldown_until": p.cooldown_until,
        "invited": p.invited, "blocked": p.blocked, "moderator": p.moderator,
    }


def participant_from(row: Any) -> Participant:
    hand = None
    if row.hand_raised_at is not None:
        hand = Hand(raised_at=row.hand_raised_at, seq=row.hand_seq, note=row.hand_note or "",
                    priority=row.hand_priority or 0.0, native=bool(row.hand_native))
    return Participant(
        user_id=row.user_id, present=row.present, left_at=row.left_at, hand=hand,
        speaking_since=row.speaking_since, warned=row.warned, talk_seconds=row.talk_seconds,
        turns=row.turns, hands_raised=row.hands_raised, cooldown_until=row.cooldown_until,
        invited=row.invited, blocked=row.blocked, moderator=row.moderator,
    )


def stage_from(row: Any, participants: list[Participant]) -> Stage:
    return Stage(
        id=row.id, platform=row.platform, space_id=row.space_id, channel_id=row.channel_id,
        title=row.title, topic=row.topic, state=StageState(row.state), visibility=row.visibility,
        capacity=row.capacity, host_id=row.host_id, rules=Rules.from_dict(row.rules),
        hands_locked=row.hands_locked, created_at=row.created_at, opened_at=row.opened_at,
        closed_at=row.closed_at, hand_seq=row.hand_seq, peak_audience=row.peak_audience,
        hands_raised=row.hands_raised, hands_served=row.hands_served, version=row.version,
        participants={p.user_id: p for p in participants}, idle_since=row.idle_since,
        schedule_id=row.schedule_id, presence_known=row.presence_known, tags=tuple(row.tags or ()),
    )


def audit_values(event: Event) -> dict[str, Any]:
    return {"stage_id": event.stage_id, "schedule_id": None, "at": event.at, "kind": event.kind,
            "actor_id": event.actor_id, "target_id": event.target_id, "reason": event.reason, "data": event.data()}


def schedule_audit_values(event: ScheduleEvent) -> dict[str, Any]:
    return {"stage_id": None, "schedule_id": event.schedule_id, "at": event.at, "kind": event.kind,
            "actor_id": event.actor_id, "target_id": event.target_id, "reason": event.reason, "data": event.data()}


def schedule_values(schedule: ScheduledStage) -> dict[str, Any]:
    return {
        "id": schedule.id, "platform": schedule.platform, "space_id": schedule.space_id,
        "channel_id": schedule.channel_id, "title": schedule.title, "topic": schedule.topic,
        "host_id": schedule.host_id, "timezone": schedule.timezone, "first_at": schedule.first_at,
        "duration": schedule.duration, "recurrence": schedule.recurrence.as_dict(),
        "reminder_lead": schedule.reminder_lead, "state": schedule.state.value, "next_at": schedule.next_at,
        "skipped": sorted(moment.isoformat() for moment in schedule.skipped), "reminded": schedule.reminded,
        "last_opened": schedule.last_opened, "platform_event_id": schedule.platform_event_id,
        "created_at": schedule.created_at, "record": schedule.record, "tags": list(schedule.tags),
    }


def schedule_from(row: Any, rsvps: list[Any]) -> ScheduledStage:
    attending: dict[datetime, set[str]] = {}
    for rsvp in rsvps:
        attending.setdefault(rsvp.occurrence, set()).add(rsvp.user_id)
    return ScheduledStage(
        id=row.id, platform=row.platform, space_id=row.space_id, channel_id=row.channel_id, title=row.title,
        topic=row.topic, host_id=row.host_id, timezone=row.timezone, first_at=row.first_at, duration=row.duration,
        recurrence=Recurrence.from_dict(row.recurrence), reminder_lead=row.reminder_lead,
        created_at=row.created_at, state=ScheduleState(row.state), next_at=row.next_at,
        skipped=frozenset(datetime.fromisoformat(m) for m in row.skipped), reminded=row.reminded,
        last_opened=row.last_opened, platform_event_id=row.platform_event_id, rsvps=attending,
        version=row.version, record=bool(row.record), tags=tuple(row.tags or ()),
    )


def recap_values(event: StageClosed) -> dict[str, Any]:
    recap = event.recap
    return {
        "stage_id": event.stage_id, "created_at": event.at, "duration_seconds": recap.duration_seconds,
        "peak_audience": recap.peak_audience, "hands_raised": recap.hands_raised,
        "hands_served": recap.hands_served, "still_waiting": list(recap.still_waiting),
        "speakers": [{"user_id": s.user_id, "talk_seconds": s.talk_seconds, "turns": s.turns}
                     for s in recap.speakers],
    }
