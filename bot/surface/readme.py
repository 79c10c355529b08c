"""The README's command table, written from the table: `python -m bot.surface.readme` refreshes it.

A test fails when the README and the table differ, so the table is the one place a command is described.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.i18n.catalog import render
from bot.surface.grammar import Grammar
from bot.surface.rows import Access
from bot.surface.table import TABLE

BEGIN = "<!-- commands: generated from bot/surface/table.py by `python -m bot.surface.readme`; do not edit -->"
END = "<!-- end of commands -->"
WHO = {Access.EVERYONE: "anyone", Access.MODERATORS: "moderators", Access.HOSTS: "the host, moderators",
       Access.ADMINS: "administrators"}


def command_table() -> str:
    grammar = Grammar(TABLE)
    lines = ["| command | who | what |", "| --- | --- | --- |"]
    for row in TABLE:
        usage = render(grammar.usage(row), "en").replace("|", "\\|")
        lines.append(f"| `{usage}` | {WHO[row.access]} | {row.help.replace('|', chr(92) + '|')} |")
    return "\n".join(lines)


def refreshed(readme: str) -> str:
    head, found, rest = readme.partition(BEGIN)
    if not found:
        raise ValueError("the README has no generated command table")
    _, found, tail = rest.partition(END)
    if not found:
        raise ValueError("the README's command table has no end marker")
    return f"{head}{BEGIN}\n{command_table()}\n{END}{tail}"


def main(path: str = "README.md") -> None:
    readme = Path(path)
    readme.write_text(refreshed(readme.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:])
