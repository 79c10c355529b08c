"""Who a Slack member is to Podium: the facts only Slack knows, read once and kept a few minutes.

Admins and owners, the users in SLACK_MODERATORS and the members of the user groups in it moderate every
stage; guests (restricted accounts) are not full members; the user groups a member belongs to are their
roles (rules name them by id). A member's Slack language becomes their stored locale, so the direct
messages the core sends read in it too; their Slack time zone is the one of the dates they type.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk.errors import SlackApiError

from adapters.slack.errors import UnknownUser
from adapters.slack.text import is_group_id
from bot.i18n.catalog import supported_locale
from bot.domain.members import Actor
from bot.services.locales import Locales

PLATFORM = "slack"
MAX_MISSING = 10_000  # ids remembered as unknown; beyond, the memory starts over


@dataclass(frozen=True, slots=True)
class SlackMember:
    user_id: str
    admin: bool  # workspace admin or owner
    guest: bool  # multi- or single-channel guest
    locale: str | None  # ours, from the member's Slack language
    timezone: str | None = None  # the member's Slack time zone, when it is one we know
    name: str = ""  # the name others see (display name, else real name, else handle): typed names match it


class Directory:
    def __init__(self, client: Any, *, moderators: Iterable[str], locales: Locales, ttl: float = 300.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._client, self._locales, self._ttl, self._clock = client, locales, ttl, clock
        entries = [m.strip() for m in moderators if m.strip()]
        self.moderator_groups = frozenset(m for m in entries if is_group_id(m))
        self.moderator_users = frozenset(m for m in entries if not is_group_id(m))
        self._members: dict[str, tuple[float, SlackMember]] = {}
        self._missing: dict[str, float] = {}
        self._groups: dict[str, tuple[float, frozenset[str]]] = {}
        self._pending: dict[str, asyncio.Future[Any]] = {}

    async def member(self, user_id: str) -> SlackMember:
        """The member as Slack knows them; UnknownUser (a refusal) for an id Slack knows no member by, which
        is remembered as long as a member is, so a flood of forged ids asks Slack once each."""
        cached = self._members.get(user_id)
        if cached is not None and self._clock() - cached[0] < self._ttl:
            return cached[1]
        missing = self._missing.get(user_id)
        if missing is not None and self._clock() - missing < self._ttl:
            raise UnknownUser(user=user_id)
        member: SlackMember = await self._once(f"user:{user_id}", lambda: self._fetch_member(user_id))
        return member

    async def actor(self, user_id: str, *, groups: Iterable[str] = ()) -> Actor:
        """The member as the core sees them; `groups` are the user groups the stage's rules name."""
        member = await self.member(user_id)
        roles = frozenset([g for g in {*groups, *self.moderator_groups} if user_id in await self.group(g)])
        moderator = member.admin or user_id in self.moderator_users or bool(roles & self.moderator_groups)
        return Actor(user_id, roles=roles, platform_moderator=moderator, guest=member.guest)

    async def group(self, group_id: str) -> frozenset[str]:
        cached = self._groups.get(group_id)
        if cached is not None and self._clock() - cached[0] < self._ttl:
            return cached[1]
        users: frozenset[str] = await self._once(f"group:{group_id}", lambda: self._fetch_group(group_id))
        return users

    async def locale(self, team_id: str, user_id: str) -> str:
        """Slack's language for the member when we have it, else their stored or their space's locale."""
        try:
            member = await self.member(user_id)
        except Exception:  # Slack unreachable: a reply in the stored language is better than none
            member = None
        if member is not None and member.locale is not None:
            return member.locale
        return await self._locales.for_member(PLATFORM, team_id, user_id)

    async def timezone(self, user_id: str) -> str | None:
        """The member's own time zone from their Slack profile, for dates they type without one."""
        return (await self.member(user_id)).timezone

    async def _once(self, key: str, fetch: Callable[[], Awaitable[Any]]) -> Any:
        """One request per key at a time: a burst of clicks by one member asks Slack once."""
        pending = self._pending.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            result = await fetch()
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved: waiters get it, nobody logs it as lost
            raise
        else:
            future.set_result(result)
            return result
        finally:
            del self._pending[key]

    async def _fetch_member(self, user_id: str) -> SlackMember:
        try:
            user = (await self._client.users_info(user=user_id, include_locale=True))["user"]
        except SlackApiError as error:
            if error.response.get("error") not in ("user_not_found", "user_not_visible", "invalid_arguments"):
                raise
            if len(self._missing) > MAX_MISSING:
                self._missing.clear()
            self._missing[user_id] = self._clock()
            raise UnknownUser(user=user_id) from None
        member = SlackMember(
            user_id=user_id, admin=bool(user.get("is_admin") or user.get("is_owner")),
            guest=bool(user.get("is_restricted") or user.get("is_ultra_restricted")),
            locale=supported_locale(user.get("locale")), timezone=_known_zone(user.get("tz")),
            name=(user.get("profile") or {}).get("display_name") or user.get("real_name") or user.get("name") or "")
        self._members[user_id] = (self._clock(), member)
        if member.locale is not None:
            await self._locales.learn_member(PLATFORM, user_id, member.locale)
        return member

    async def _fetch_group(self, group_id: str) -> frozenset[str]:
        users = frozenset((await self._client.usergroups_users_list(usergroup=group_id))["users"])
        self._groups[group_id] = (self._clock(), users)
        return users


def _known_zone(name: str | None) -> str | None:
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name
