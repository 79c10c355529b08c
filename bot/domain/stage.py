"""The Stage aggregate: one live audio room, its roles, its hand queue and its rules.

Every method checks first and changes state after, so a refused command leaves the stage untouched.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.domain import errors
from bot.domain import events as ev
from bot.domain.access import counts_as_here, is_moderator, require_entry, require_hand_allowed, require_moderator
from bot.domain.head import HeadWatch
from bot.domain.members import Actor, Hand, Participant, Recap, SpeakerRecap
from bot.domain.queue import HandQueue
from bot.domain.rules import Rules
from bot.domain.tags import parse_tags
from bot.domain.validation import Visibility, check_capacity, check_text, check_visibility
from bot.i18n.message import Mention, Message


class StageState(StrEnum):
    SCHEDULED = "scheduled"
    LIVE = "live"
    ENDED = "ended"


class Stage:
    def __init__(
        self, *, id: str, platform: str, space_id: str, channel_id: str, title: str, host_id: str,
        created_at: datetime, topic: str = "", state: StageState = StageState.LIVE,
        visibility: str = Visibility.PUBLIC, capacity: int = 0, rules: Rules | None = None,
        hands_locked: bool = False, opened_at: datetime | None = None, closed_at: datetime | None = None,
        hand_seq: int = 0, peak_audience: int = 0, hands_raised: int = 0, hands_served: int = 0,
        version: int = 0, participants: dict[str, Participant] | None = None,
        idle_since: datetime | None = None, schedule_id: str | None = None, presence_known: bool = True,
        tags: tuple[str, ...] = (),
    ) -> None:
        self.id, self.platform, self.space_id, self.channel_id = id, platform, space_id, channel_id
        self.title, self.topic, self.host_id, self.state = title, topic, host_id, state
        self.visibility, self.capacity, self.rules = visibility, capacity, rules or Rules()
        self.hands_locked, self.created_at = hands_locked, created_at
        self.opened_at, self.closed_at = opened_at, closed_at
        self.hand_seq, self.peak_audience = hand_seq, peak_audience
        self.hands_raised, self.hands_served, self.version = hands_raised, hands_served, version
        self.participants: dict[str, Participant] = participants or {}
        self.idle_since, self.schedule_id = idle_since, schedule_id  # nobody speaking since; series opened from
        self.presence_known = presence_known  # whether the platform sees who is in the audio room
        self.tags = tags  # what it is about, as people follow it (bot.domain.tags)
        self.queue = HandQueue()
        self.queue.reorder(self.rules.queue_mode, self._hands())
        self.present_count = sum(1 for p in self.participants.values() if p.present)
        # Kept in step by touch(): what timers and speaker caps look at, without scanning every member.
        self.speaking: set[str] = set()
        self.absent_hands: set[str] = set()  # hands whose member left the room: a grace clock runs
        self.moderators: set[str] = set()  # delegated ones; the host and platform moderators are not listed
        for member in self.participants.values():
            self._index(member)
        self.events: list[ev.Event] = []
        self.dirty: set[str] = set()  # members whose stored row must be written

    # ---- lifecycle -------------------------------------------------------------------------------

    @classmethod
    def open(
        cls, *, id: str, platform: str, space_id: str, channel_id: str, title: str, host: Actor,
        now: datetime, rules: Rules, topic: str = "", visibility: str = Visibility.PUBLIC,
        capacity: int = 0, present: frozenset[str] = frozenset(), schedule_id: str | None = None,
        presence_known: bool = True, tags: Sequence[str] = (),
    ) -> Stage:
        title = check_text("title", title, low=1, high=100)
        topic = check_text("topic", topic, low=0, high=120)
        kept = parse_tags(tags)
        check_visibility(visibility)
        check_capacity(capacity)
        stage = cls(id=id, platform=platform, space_id=space_id, channel_id=channel_id, title=title,
                    host_id=host.user_id, created_at=now, topic=topic, visibility=visibility,
                    capacity=capacity, rules=rules, opened_at=now, idle_since=now, schedule_id=schedule_id,
                    presence_known=presence_known, tags=kept)
        stage.record(ev.StageOpened, host, now, title=title, topic=topic, tags=kept)
        for user_id in sorted(present):
            stage._arrive(user_id, now)
        return stage

    def close(self, actor: Actor, now: datetime, *, reason: str = "") -> Recap:
        self.require_live()
        require_moderator(self, actor)
        still_speaking = tuple(p.user_id for p in self.participants.values() if p.speaking)
        for user_id in still_speaking:
            self.end_turn(self.member(user_id), now)
        recap = self.recap(now)
        self.state, self.closed_at = StageState.ENDED, now
        self.idle_since = None
        self.record(ev.StageClosed, actor, now, recap=recap, speakers=still_speaking, reason=reason)
        return recap

    def recap(self, now: datetime) -> Recap:
        speakers = sorted((SpeakerRecap(p.user_id, round(p.talk_seconds, 1), p.turns)
                           for p in self.participants.values() if p.turns), key=lambda s: (-s.talk_seconds, s.user_id))
        started = self.opened_at or self.created_at
        return Recap(duration_seconds=round((now - started).total_seconds(), 1),
                     peak_audience=self.peak_audience, speakers=tuple(speakers),
                     hands_raised=self.hands_raised, hands_served=self.hands_served,
                     still_waiting=tuple(self.queue))

    # ---- settings --------------------------------------------------------------------------------

    def set_topic(self, actor: Actor, topic: str, now: datetime) -> None:
        self.require_live()
        require_moderator(self, actor)
        topic = check_text("topic", topic, low=0, high=120)
        self.topic = topic
        self.record(ev.TopicChanged, actor, now, topic=topic)

    def set_tags(self, actor: Actor, tags: Sequence[str], now: datetime) -> None:
        self.require_live()
        require_moderator(self, actor)
        self.tags = parse_tags(tags)
        self.record(ev.TagsChanged, actor, now, tags=self.tags)

    def set_rules(self, actor: Actor, changes: dict[str, str], now: datetime) -> Rules:
        self.require_live()
        require_moderator(self, actor)
        new_rules = self.rules.changed(changes)
        old_mode = self.rules.queue_mode
        self.rules = new_rules
        if new_rules.queue_mode is not old_mode:
            with self.watch_head(actor, now):
                self.queue.reorder(new_rules.queue_mode, self._hands())
        applied = {name: getattr(new_rules, name) for name in changes}
        self.record(ev.RulesChanged, actor, now,
                     changes={k: ",".join(v) if isinstance(v, tuple) else str(v) for k, v in applied.items()})
        return new_rules

    def lock_hands(self, actor: Actor, now: datetime, *, locked: bool) -> None:
        self.require_live()
        require_moderator(self, actor)
        self.hands_locked = locked
        self.record(ev.HandsLocked if locked else ev.HandsUnlocked, actor, now)

    # ---- presence --------------------------------------------------------------------------------

    def join(self, actor: Actor, now: datetime) -> None:
        self.require_live()
        member = self.participants.get(actor.user_id)
        if member is not None and member.present:
            return
        require_entry(self, actor, member)
        if self.capacity and self.present_count >= self.capacity and not is_moderator(self, actor):
            raise errors.StageFull(capacity=self.capacity)
        self._see_room(True, actor, now)  # the platform reports who comes and goes: it sees the room
        self._arrive(actor.user_id, now)

    def leave(self, actor: Actor, now: datetime) -> None:
        self.require_live()
        member = self.participants.get(actor.user_id)
        if member is None or not member.present:
            return
        self._see_room(True, actor, now)
        member.present, member.left_at = False, now
        self.present_count -= 1
        self.touch(member)
        self.record(ev.MemberLeft, actor, now, target_id=actor.user_id)
        if member.speaking:
            self.end_turn(member, now)
            self.record(ev.SpeakerMovedToAudience, actor, now, target_id=member.user_id,
                         reason="left", talk_seconds=member.talk_seconds)

    def sync_presence(self, actor: Actor, room: Sequence[Actor], now: datetime, *, known: bool = True) -> None:
        """The whole audio room as the platform sees it: those gone leave, then newcomers join (or are kept
        out, each refusal an event); with ``known=False`` the platform no longer sees the room at all."""
        self.require_live()
        inside = {} if not known else {member.user_id: member for member in room}
        # Leaving first: the room never held both, so the peak audience and the capacity count it as it was.
        for user_id in sorted(u for u, p in self.participants.items() if p.present and u not in inside):
            self.leave(Actor(user_id), now)
        for user_id in sorted(inside):
            member = self.participants.get(user_id)
            if member is not None and member.present:
                continue
            try:
                self.join(inside[user_id], now)
            except errors.StageError as refusal:
                self.record(ev.MemberKeptOut, actor, now, target_id=user_id,
                            refusal=Message(refusal.message, refusal.params))
        self._see_room(known, actor, now)

    def _see_room(self, known: bool, actor: Actor, now: datetime) -> None:
        if self.presence_known != known:
            self.presence_known = known
            self.record(ev.RoomSeen if known else ev.RoomLost, actor, now)

    # ---- hands -----------------------------------------------------------------------------------

    def raise_hand(self, actor: Actor, note: str, now: datetime, *, native: bool = False) -> int | None:
        """Returns the queue position, or None when the member was approved at once."""
        self.require_live()
        note = check_text("note", note, low=0, high=100)
        member = self.participants.get(actor.user_id)
        require_hand_allowed(self, actor, member, now)
        auto = self._auto_approves(actor, member)
        # Only a hand that waits takes a place in the queue; one approved at once never does.
        if not auto and len(self.queue) >= self.rules.max_queue_length:
            raise errors.QueueFull(limit=self.rules.max_queue_length)
        member = member or self.member(actor.user_id)
        member.hands_raised += 1
        self.hands_raised += 1
        if auto:
            self.hands_served += 1
            self.start_turn(member, now)
            self.record(ev.SpeakerApproved, actor, now, target_id=actor.user_id, auto=True, note=note)
            return None
        self.hand_seq += 1
        hand = Hand(raised_at=now, seq=self.hand_seq, note=note, priority=member.talk_seconds, native=native)
        with self.watch_head(actor, now):
            member.hand = hand
            position = self.queue.add(actor.user_id, hand)
            self.touch(member)
            self.record(ev.HandRaised, actor, now, target_id=actor.user_id, note=note, position=position)
        return position

    def lower_hand(self, actor: Actor, now: datetime) -> None:
        self.require_live()
        member = self._with_hand(actor.user_id)
        with self.watch_head(actor, now):
            self.take_hand(member, now, cooldown=True)
            self.record(ev.HandLowered, actor, now, target_id=actor.user_id)

    def deny(self, actor: Actor, user_id: str, reason: str, now: datetime) -> None:
        self.require_live()
        require_moderator(self, actor)
        reason = check_text("reason", reason, low=0, high=200)
        member = self._with_hand(user_id)
        with self.watch_head(actor, now):
            self.take_hand(member, now, cooldown=True)
            self.record(ev.HandDenied, actor, now, target_id=user_id, reason=reason)

    # ---- speakers --------------------------------------------------------------------------------

    def approve(self, actor: Actor, user_id: str, now: datetime) -> None:
        self.require_live()
        require_moderator(self, actor)
        member = self.participants.get(user_id)
        if member is not None and member.blocked:
            raise errors.TargetBlocked(member=Mention(user_id))
        if member is not None and member.speaking:
            raise errors.AlreadySpeaker(member=Mention(user_id))
        if not counts_as_here(self, member):
            raise errors.MemberNotHere(member=Mention(user_id))
        self._require_speaker_room()
        member = member or self.member(user_id)
        note = member.hand.note if member.hand else ""
        with self.watch_head(actor, now):
            if member.hand is not None:
                self.hands_served += 1
                self.take_hand(member, now, cooldown=False)
            self.start_turn(member, now)
            self.record(ev.SpeakerApproved, actor, now, target_id=user_id, note=note)

    def approve_next(self, actor: Actor, now: datetime) -> str:
        self.require_live()
        require_moderator(self, actor)
        self._require_speaker_room()
        chosen = next((u for u in self.queue if counts_as_here(self, self.participants[u])), None)
        if chosen is None:
            raise errors.QueueEmpty()
        self.approve(actor, chosen, now)
        return chosen

    def move_to_audience(self, actor: Actor, user_id: str, now: datetime) -> None:
        self.require_live()
        if user_id != actor.user_id:
            require_moderator(self, actor)
        member = self.participants.get(user_id)
        if member is None or not member.speaking:
            raise errors.NotSpeaker(member=Mention(user_id))
        self.end_turn(member, now)
        self.record(ev.SpeakerMovedToAudience, actor, now, target_id=user_id,
                     reason="self" if user_id == actor.user_id else "moderator",
                     talk_seconds=member.talk_seconds)

    # ---- reading ---------------------------------------------------------------------------------

    @property
    def speakers(self) -> list[Participant]:
        return sorted((self.participants[u] for u in self.speaking),
                      key=lambda p: (p.speaking_since, p.user_id))

    def position(self, user_id: str) -> int | None:
        """Where a member's hand stands in the queue (1 is next), or None without a hand."""
        member = self.participants.get(user_id)
        return None if member is None else self.queue.position(user_id, member.hand)

    def pull_events(self) -> list[ev.Event]:
        pulled, self.events = self.events, []
        return pulled

    # ---- internals -------------------------------------------------------------------------------

    def require_live(self) -> None:
        if self.state is not StageState.LIVE:
            raise errors.StageNotLive(title=self.title)

    def _require_speaker_room(self) -> None:
        if len(self.speaking) >= self.rules.max_speakers:
            raise errors.SpeakersFull(limit=self.rules.max_speakers)

    def _with_hand(self, user_id: str) -> Participant:
        member = self.participants.get(user_id)
        if member is None or member.hand is None:
            raise errors.NoHandRaised(member=Mention(user_id))
        return member

    def _auto_approves(self, actor: Actor, member: Participant | None) -> bool:
        if not self.rules.auto_approve or not actor.roles & set(self.rules.auto_approve):
            return False
        return len(self.speaking) < self.rules.max_speakers and counts_as_here(self, member)

    def member(self, user_id: str) -> Participant:
        member = self.participants.get(user_id)
        if member is None:
            member = self.participants[user_id] = Participant(user_id=user_id)
            self.dirty.add(user_id)
        return member

    def touch(self, member: Participant) -> None:
        """Marks a changed member: its row is written at commit and the indexes follow it."""
        self.dirty.add(member.user_id)
        self._index(member)

    def _index(self, member: Participant) -> None:
        user_id = member.user_id
        if member.speaking:
            self.speaking.add(user_id)
        else:
            self.speaking.discard(user_id)
        if member.hand is not None and not member.present and member.left_at is not None:
            self.absent_hands.add(user_id)
        else:
            self.absent_hands.discard(user_id)
        if member.moderator:
            self.moderators.add(user_id)
        else:
            self.moderators.discard(user_id)

    def _arrive(self, user_id: str, now: datetime) -> None:
        member = self.member(user_id)
        member.present, member.left_at = True, None
        self.present_count += 1
        self.peak_audience = max(self.peak_audience, self.present_count)
        self.touch(member)
        self.record(ev.MemberJoined, Actor(user_id), now, target_id=user_id)

    def take_hand(self, member: Participant, now: datetime, *, cooldown: bool) -> None:
        if member.hand is not None:
            self.queue.remove(member.user_id, member.hand)
        member.hand = None
        if cooldown and self.rules.hand_cooldown:
            member.cooldown_until = now + timedelta(seconds=self.rules.hand_cooldown)
        self.touch(member)

    def start_turn(self, member: Participant, now: datetime) -> None:
        member.speaking_since, member.warned = now, False
        self.touch(member)
        self.idle_since = None

    def end_turn(self, member: Participant, now: datetime) -> None:
        assert member.speaking_since is not None, "only a speaker's turn ends"
        member.talk_seconds += max(0.0, (now - member.speaking_since).total_seconds())
        member.turns += 1
        member.speaking_since, member.warned = None, False
        self.touch(member)
        if not self.speaking:
            self.idle_since = now

    def evict(self, actor: Actor, member: Participant, now: datetime) -> None:
        if member.hand is not None:
            with self.watch_head(actor, now):
                self.take_hand(member, now, cooldown=False)
        if member.speaking:
            self.end_turn(member, now)
            self.record(ev.SpeakerMovedToAudience, actor, now, target_id=member.user_id,
                         reason="removed", talk_seconds=member.talk_seconds)
        if member.present:
            member.present, member.left_at = False, now
            self.present_count -= 1

    def _hands(self) -> dict[str, Hand]:
        return {p.user_id: p.hand for p in self.participants.values() if p.hand is not None}

    def watch_head(self, actor: Actor, now: datetime) -> HeadWatch:
        return HeadWatch(self.queue, self.record, actor, now)

    def record(self, kind: type[ev.Event], actor: Actor, now: datetime, **values: Any) -> None:
        self.events.append(kind(stage_id=self.id, at=now, actor_id=actor.user_id, **values))
