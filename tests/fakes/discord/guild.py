"""Guild-level objects: the guild itself (its GUILD_CREATE shape), stage instances, scheduled events."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .models import Channel, Member, Role, User, VoiceState, _opt, iso

@dataclass
class StageInstance:
    id: int
    guild_id: int
    channel_id: int
    topic: str
    privacy_level: int = 2
    guild_scheduled_event_id: int | None = None

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "guild_id": str(self.guild_id),
            "channel_id": str(self.channel_id),
            "topic": self.topic,
            "privacy_level": self.privacy_level,
            "discoverable_disabled": True,
            "guild_scheduled_event_id": _opt(self.guild_scheduled_event_id),
        }


@dataclass
class ScheduledEvent:
    id: int
    guild_id: int
    creator: User
    name: str
    entity_type: int
    scheduled_start_time: str
    channel_id: int | None = None
    description: str | None = None
    scheduled_end_time: str | None = None
    privacy_level: int = 2
    status: int = 1
    entity_metadata: dict[str, Any] | None = None
    entity_id: int | None = None
    subscribers: set[int] = field(default_factory=set)  # members who pressed "Interested"

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "guild_id": str(self.guild_id),
            "channel_id": _opt(self.channel_id),
            "creator_id": str(self.creator.id),
            "creator": self.creator.payload(),
            "name": self.name,
            "description": self.description,
            "scheduled_start_time": self.scheduled_start_time,
            "scheduled_end_time": self.scheduled_end_time,
            "privacy_level": self.privacy_level,
            "status": self.status,
            "entity_type": self.entity_type,
            "entity_id": _opt(self.entity_id),
            "entity_metadata": self.entity_metadata,
            "user_count": len(self.subscribers),
            "image": None,
            "recurrence_rule": None,
        }


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    preferred_locale: str = "en-US"
    roles: dict[int, Role] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    voice_states: dict[int, VoiceState] = field(default_factory=dict)
    stage_instances: dict[int, StageInstance] = field(default_factory=dict)  # by channel id
    events: dict[int, ScheduledEvent] = field(default_factory=dict)
    premium_tier: int = 0  # boosts: what members may upload grows with it

    def payload(self, *, members: list[Member] | None = None) -> dict[str, Any]:
        """The GUILD_CREATE payload (members: all, or those the intents allow)."""
        shown = list(self.members.values()) if members is None else members
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": self.premium_tier,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": self.preferred_locale,
            "features": [],
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "max_members": 500000,
            "max_video_channel_users": 25,
            "roles": [r.payload() for r in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "joined_at": iso(),
            "large": False,
            "unavailable": False,
            "member_count": len(self.members),
            "members": [m.payload() for m in shown],
            "channels": [c.payload() for c in self.channels.values()],
            "threads": [],
            "presences": [],
            "voice_states": [v.payload() for v in self.voice_states.values() if v.channel_id is not None],
            "stage_instances": [s.payload() for s in self.stage_instances.values()],
            "guild_scheduled_events": [e.payload() for e in self.events.values()],
            "soundboard_sounds": [],
        }
