"""Message catalogues (gettext .po files read with Babel) and rendering in a reader's locale.

English is the source language: msgids are the English sentences, so English needs no catalogue.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_datetime, format_timedelta, get_day_names
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from bot.i18n.babel_locale import babel_locale
from bot.i18n.markers import N_
from bot.i18n.humane import duration_text
from bot.i18n.message import Duration, Mention, Message, Weekdays

LOCALES = ("en", "fr")
SOURCE_LOCALE = "en"
CATALOGUES = Path(__file__).with_name("locales")

MentionFormatter = Callable[[str], str]
Hints = Callable[[str], str]  # a platform's way of writing the commands a sentence names (`/help` on Slack)


@cache
def catalogue(locale: str) -> dict[str, str]:
    """msgid → translated sentence for one locale; untranslated entries fall back to English."""
    if locale == SOURCE_LOCALE:
        return {}
    path = CATALOGUES / locale / "LC_MESSAGES" / "podium.po"
    with path.open("rb") as handle:
        entries = read_po(handle, locale=locale)
    # Podium's sentences are singular (no ngettext): an entry's id and translation are plain strings.
    return {m.id: m.string for m in entries
            if isinstance(m.id, str) and isinstance(m.string, str) and m.id and m.string and not m.fuzzy}


def supported_locale(tag: object) -> str | None:
    """Ours for a platform's language tag (Discord's `en-GB`, Slack's `fr-FR`); None for one we do not speak."""
    if not tag:
        return None
    language = str(tag).replace("_", "-").split("-")[0].lower()
    return language if language in LOCALES else None


def translate(msgid: str, locale: str) -> str:
    return catalogue(locale if locale in LOCALES else SOURCE_LOCALE).get(msgid, msgid)


def render(message: Message, locale: str, mention: MentionFormatter = lambda user_id: user_id,
           hints: Hints = lambda sentence: sentence) -> str:
    """The sentence in ``locale`` with its named values formatted the way that locale writes them.

    ``hints`` rewrites the commands the catalogue's own sentence names, before any value goes in, so a member's
    text that looks like a command is never touched."""
    locale = locale if locale in LOCALES else SOURCE_LOCALE
    values = {name: _value(value, locale, mention, hints) for name, value in message.params.items()}
    try:
        return hints(translate(message.msgid, locale)).format(**values)
    except (KeyError, IndexError, ValueError):
        # A translation with a broken placeholder must not hide the message itself.
        return hints(message.msgid).format(**values)


def _value(value: Any, locale: str, mention: MentionFormatter, hints: Hints) -> str:
    if isinstance(value, Message):
        return render(value, locale, mention, hints)
    if isinstance(value, Mention):
        return mention(value.user_id)
    if isinstance(value, Weekdays):
        names = get_day_names("wide", locale=babel_locale(locale))
        return ", ".join(names[day] for day in value.days)
    if isinstance(value, Duration):
        if not value.seconds and value.zero:
            return translate(value.zero, locale)
        return duration_text(value.seconds, locale, translate)
    if isinstance(value, bool):
        return render(Message.of(_ON if value else _OFF), locale, mention, hints)
    if isinstance(value, int | float):
        return format_decimal(value, locale=babel_locale(locale))
    if isinstance(value, timedelta):
        return format_timedelta(value, locale=babel_locale(locale), threshold=1.1)
    if isinstance(value, datetime):
        return format_datetime(value, format="medium", locale=babel_locale(locale))
    if isinstance(value, date):  # a day alone (a replay kept until): `Jan 3, 2027`, `3 janv. 2027`
        return format_date(value, format="medium", locale=babel_locale(locale))
    return str(value)


_ON, _OFF = N_("on"), N_("off")
