"""Serves replay files at /replays/{id}.ogg to whoever holds a signed link that has not expired (from REPLAY_DIR,
or by sending them on to the bucket the replay is kept in).

Anything else gets 404 (an unknown or deleted replay) or 403 (a wrong or expired signature), never a listing.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from aiohttp import web

from bot.domain.recording import ReplayNotFound
from bot.services.recordings import Recordings
from bot.services.replay_links import valid

_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


def replay_app(recordings: Recordings, secret: str, *, now: Callable[[], float] = time.time) -> web.Application:
    async def serve(request: web.Request) -> web.StreamResponse:
        replay_id = request.match_info["replay_id"]
        if not _ID.match(replay_id):
            raise web.HTTPNotFound()
        if not valid(replay_id, request.query.get("expires", ""), request.query.get("signature", ""), secret,
                     now=now()):
            raise web.HTTPForbidden(text="This link is not valid or has expired.")
        try:
            replay = await recordings.replay(replay_id)
        except ReplayNotFound:
            raise web.HTTPNotFound() from None
        path = recordings.folder / replay.file
        if not path.is_file():
            # Kept in a bucket: sent on to it with a short presigned link; this link stays the one to share.
            url = await recordings.store.link(replay.file, seconds=300) if recordings.store.remote else None
            if url is None:
                raise web.HTTPNotFound()
            raise web.HTTPFound(url)
        return web.FileResponse(path, headers={"Content-Type": "audio/ogg",
                                               "Content-Disposition": f'inline; filename="replay-{replay_id}.ogg"'})

    app = web.Application()
    app.router.add_get("/replays/{replay_id}.ogg", serve)
    return app


async def start(recordings: Recordings, secret: str, port: int, *, host: str = "0.0.0.0") -> web.AppRunner:
    runner = web.AppRunner(replay_app(recordings, secret))
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
