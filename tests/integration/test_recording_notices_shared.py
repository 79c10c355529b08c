"""Recording notices on a database several processes share: each notice takes the next position in its space's
stream, so two processes writing a consent in one space at the same moment must not take the same one."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select

from bot.bootstrap import App
from bot.domain.members import Actor
from bot.persistence.outbox import outbox_t
from tests.support.apps import Apps
from tests.support.stages import PLATFORM, SPACE

pytestmark = pytest.mark.postgres


@contextmanager
def reading_the_last_position_together(*apps: App) -> Iterator[list[str]]:
    """Holds each App just after it read its stream's last position until the other has read it too (or a
    second has passed: the other waits on a lock), the interleaving that two processes meet by chance."""
    together, seen = threading.Barrier(len(apps)), []

    def after(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        if "max(outbox.position)" in statement:
            seen.append(statement)
            try:
                together.wait(timeout=1.0)
            except threading.BrokenBarrierError:
                pass

    for app in apps:
        event.listen(app.db.engine, "after_cursor_execute", after)
    try:
        yield seen
    finally:
        for app in apps:
            event.remove(app.db.engine, "after_cursor_execute", after)


async def test_two_processes_consenting_in_one_space_at_once_both_succeed(pg_apps: Apps) -> None:
    a, b = await pg_apps.start(), await pg_apps.start()
    await a.recordings.consent(PLATFORM, SPACE, Actor("erin"), accepted=True)  # a stream that already has a notice
    with reading_the_last_position_together(a, b) as seen:
        answers = await asyncio.gather(a.recordings.consent(PLATFORM, SPACE, Actor("carol"), accepted=True),
                                       b.recordings.consent(PLATFORM, SPACE, Actor("dave"), accepted=True),
                                       return_exceptions=True)
    assert len(seen) == 2
    assert [getattr(answer, "msgid", answer) for answer in answers] == [
        "You accepted being recorded on stages here, until you take it back."] * 2
    assert await b.recordings.consented(PLATFORM, SPACE) == {"carol", "dave", "erin"}
    with a.db.engine.connect() as conn:
        written = conn.execute(select(outbox_t.c.stream, outbox_t.c.position).where(
            outbox_t.c.stream == f"recording:{PLATFORM}:{SPACE}")).all()
    # No platform here delivers them: the three notices wait, in order, at the three first positions.
    assert sorted(position for _, position in written) == [1, 2, 3]
