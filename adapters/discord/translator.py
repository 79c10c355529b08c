"""Command names, descriptions and choices in French, read from the same catalogues as every sentence."""

from __future__ import annotations

import re

import discord
from discord import app_commands

from bot.i18n.catalog import catalogue

_NAME = re.compile(r"^[-_'\w]{1,32}$")
_NAMES = {app_commands.TranslationContextLocation.command_name, app_commands.TranslationContextLocation.group_name,
          app_commands.TranslationContextLocation.parameter_name}


def T(msgid: str) -> app_commands.locale_str:  # noqa: N802 - reads like gettext's _()
    """A catalogue msgid (marked with N_ where it is written) that discord.py will ask us to translate."""
    return app_commands.locale_str(msgid)


class CatalogueTranslator(app_commands.Translator):
    async def translate(self, string: app_commands.locale_str, locale: discord.Locale,
                        context: app_commands.TranslationContextTypes) -> str | None:
        if locale is not discord.Locale.french:
            return None
        text = catalogue("fr").get(string.message)
        if text is None:
            return None
        if context.location in _NAMES and not (_NAME.match(text) and text == text.lower()):
            return None  # Discord refuses such a name; the English one stands
        return text
