"""Which language each reader gets: their own choice, else their space's, else the default."""

from __future__ import annotations

import logging

from sqlalchemy import Column, Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from bot.domain.errors import InvalidArgument
from bot.i18n.catalog import LOCALES
from bot.i18n.markers import N_
from bot.i18n.message import Message
from bot.persistence.database import Database
from bot.persistence.tables import MemberSettingRow, SpaceSettingRow, table_of

log = logging.getLogger(__name__)

member_t = table_of(MemberSettingRow)
space_t = table_of(SpaceSettingRow)


class Locales:
    def __init__(self, db: Database, default: str, default_timezone: str = "UTC") -> None:
        self._db, self.default, self.default_timezone = db, default, default_timezone
        self._members: dict[tuple[str, str], str | None] = {}
        self._spaces: dict[tuple[str, str], str | None] = {}

    async def for_member(self, platform: str, space_id: str, user_id: str) -> str:
        key = (platform, user_id)
        if key not in self._members:
            self._members[key] = await self._db.run(self._read, member_t, member_t.c.user_id, platform, user_id)
        return self._members[key] or await self.for_space(platform, space_id)

    async def for_space(self, platform: str, space_id: str) -> str:
        key = (platform, space_id)
        if key not in self._spaces:
            self._spaces[key] = await self._db.run(self._read, space_t, space_t.c.space_id, platform, space_id)
        return self._spaces[key] or self.default

    async def timezone(self, platform: str, space_id: str) -> str:
        """The space's time zone for dates members type without one."""
        zone = await self._db.run(self._read_zone, platform, space_id)
        return zone or self.default_timezone

    def _read_zone(self, platform: str, space_id: str) -> str | None:
        with self._db.engine.connect() as conn:
            return conn.execute(select(space_t.c.timezone).where(
                space_t.c.platform == platform, space_t.c.space_id == space_id)).scalar()

    async def set_member(self, platform: str, user_id: str, locale: str) -> None:
        _check(locale)
        await self._db.run(self._write, member_t, {"platform": platform, "user_id": user_id, "locale": locale})
        self._members[(platform, user_id)] = locale

    async def learn_member(self, platform: str, user_id: str, locale: str) -> None:
        """Keeps the language a member's platform reports for them (Discord's client, Slack's profile)."""
        await self._learn(self._members, member_t, member_t.c.user_id, platform, user_id, locale)

    async def learn_space(self, platform: str, space_id: str, locale: str) -> None:
        """Keeps the language a space's platform reports for it (a Discord server's preferred locale)."""
        await self._learn(self._spaces, space_t, space_t.c.space_id, platform, space_id, locale)

    async def _learn(self, known: dict[tuple[str, str], str | None], table: Table, column: Column[str], platform: str,
                     key: str, locale: str) -> None:
        """Written only when it changed. A convenience for later messages: if the database cannot take it
        now, whatever was being answered still goes out."""
        try:
            if (platform, key) not in known:
                known[(platform, key)] = await self._db.run(self._read, table, column, platform, key)
            if known[(platform, key)] != locale:
                _check(locale)
                await self._db.run(self._write, table, {"platform": platform, column.name: key, "locale": locale})
                known[(platform, key)] = locale
        except SQLAlchemyError:
            log.warning("could not keep the language %s of %s:%s", locale, platform, key, exc_info=True)

    async def set_space(self, platform: str, space_id: str, locale: str) -> None:
        _check(locale)
        await self._db.run(self._write, space_t, {"platform": platform, "space_id": space_id, "locale": locale})
        self._spaces[(platform, space_id)] = locale

    def _read(self, table: Table, column: Column[str], platform: str, key: str) -> str | None:
        with self._db.engine.connect() as conn:
            return conn.execute(select(table.c.locale).where(table.c.platform == platform, column == key)).scalar()

    def _write(self, table: Table, values: dict[str, str]) -> None:
        # One upsert: two first choices of one member at the same moment (two processes, or two workers on
        # PostgreSQL) must not collide on the insert.
        flavour = postgresql if self._db.dialect == "postgresql" else sqlite
        keys = [c.name for c in table.primary_key.columns]
        upsert = flavour.insert(table).values(**values).on_conflict_do_update(
            index_elements=keys, set_={"locale": values["locale"]})
        with self._db.engine.begin() as conn:
            conn.execute(upsert)


def _check(locale: str) -> None:
    if locale not in LOCALES:
        raise InvalidArgument(name="locale", value=locale, expected=Message.of(
            N_("one of {choices}"), choices=", ".join(LOCALES)))
