"""The simulated space the console plays: a few members with roles, and who is in each audio room."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.domain.members import Actor
from bot.surface.members import pick


@dataclass
class Member:
    name: str
    roles: frozenset[str] = frozenset()
    admin: bool = False
    guest: bool = False


@dataclass
class Space:
    id: str = "demo"
    moderator_roles: frozenset[str] = frozenset({"moderators"})
    members: dict[str, Member] = field(default_factory=dict)
    rooms: dict[str, set[str]] = field(default_factory=dict)  # channel -> names in its audio room
    channels: frozenset[str] = frozenset({"stage", "lounge", "backstage", "general"})

    def member(self, name: str) -> Member:
        """By name, or by an unambiguous start of one (`car` is carol)."""
        return self.members[pick(name, ((key, key) for key in self.members))]

    def actor(self, name: str) -> Actor:
        member = self.member(name)
        return Actor(user_id=member.name, roles=member.roles, guest=member.guest,
                     platform_moderator=member.admin or bool(member.roles & self.moderator_roles))

    def room(self, channel: str) -> set[str]:
        return self.rooms.setdefault(channel, set())


def demo_space() -> Space:
    """alice administers the space, bob moderates, carol is a VIP, erin a guest; four are in the room."""
    members = [
        Member("alice", frozenset({"staff"}), admin=True),
        Member("bob", frozenset({"moderators"})),
        Member("carol", frozenset({"vip", "members"})),
        Member("dave", frozenset({"members"})),
        Member("erin", guest=True),
        Member("frank", frozenset({"members"})),
    ]
    space = Space(members={m.name: m for m in members})
    space.room("stage").update({"alice", "bob", "carol", "dave"})
    return space
