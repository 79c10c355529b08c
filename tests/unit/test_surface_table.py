"""The one table of commands: the README is written from it, and every row is complete in both languages."""

from __future__ import annotations

from pathlib import Path

from bot.i18n.catalog import catalogue
from bot.surface.readme import refreshed
from bot.surface.rows import Kind, Scope
from bot.surface.table import TABLE

README = Path(__file__).parents[2] / "README.md"


def test_the_readme_command_table_is_the_one_the_table_writes() -> None:
    readme = README.read_text(encoding="utf-8")
    assert refreshed(readme) == readme, "run `python -m bot.surface.readme` after changing bot/surface/table.py"


def test_each_row_has_help_and_option_words_in_french() -> None:
    french = catalogue("fr")
    for row in TABLE:
        assert row.help in french, row.name
        for option in row.options:
            assert option.help in french and option.label in french, (row.name, option.name)


def test_each_row_builds_a_command_or_names_a_read_and_one_tail_at_most() -> None:
    names = [row.name for row in TABLE]
    flats = [row.flat for row in TABLE]
    assert len(set(names)) == len(names) and len(set(flats)) == len(flats)
    for row in TABLE:
        assert row.build is not None or row.read is not None, row.name
        assert sum(1 for o in row.options if o.kind is Kind.TEXT and not o.keyed) <= 1, row.name
        if row.scope is Scope.SERIES:
            assert row.option("series") is not None, row.name


def test_help_and_option_descriptions_fit_every_platform() -> None:
    # 100 characters: Discord's limit for descriptions, in each language shown.
    french = catalogue("fr")
    for row in TABLE:
        for msgid in (row.help, *(o.help for o in row.options)):
            assert len(msgid) <= 100 and len(french.get(msgid, "")) <= 100, msgid
