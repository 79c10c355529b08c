"""A recorded stage of one simulated hour: memory while capturing and mixing, CPU per speaker.

Every speaker talks for the whole hour (the worst case: a real stage has one or two at a time). Packets are
sealed as Discord seals them and fed to the capture on a simulated clock, as the socket-reader thread would;
then the replay is mixed and encoded as at close. Resident memory is sampled every simulated five minutes while
capturing and every second while mixing: flat means the work streams to and from disk.
Run with `make bench-replays` (PODIUM_BENCH_MINUTES and PODIUM_BENCH_SPEAKERS change the stage).
"""

from __future__ import annotations

import math
import os
import statistics
import struct
import tempfile
import threading
import time
from array import array
from pathlib import Path

import nacl.secret
from discord import opus

from adapters.discord.recording.capture import Capture, Gate
from adapters.discord.recording.mixdown import mixdown
from adapters.discord.recording.oggopus import Chapter
from bench.machine import describe

RATE, FRAME = 48_000, 960
KEY = os.urandom(32)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def speech_frames(seconds: int = 5) -> list[bytes]:
    """Opus frames of a voice-like signal (a vowel's harmonics, wobbling), encoded once and looped."""
    encoder, frames = opus.Encoder(), []
    for n in range(seconds * 50):
        samples = array("h")
        for i in range(FRAME):
            t = (n * FRAME + i) / RATE
        # three harmonics of a pitch that moves, as a voice does
            f0 = 140 + 20 * math.sin(2 * math.pi * 0.5 * t)
            v = sum(a * math.sin(2 * math.pi * f0 * k * t) for k, a in ((1, 0.5), (2, 0.25), (3, 0.12)))
            s = int(9000 * v)
            samples.extend((s, s))
        frames.append(encoder.encode(samples.tobytes(), FRAME))
    return frames


def capture_hour(folder: Path, speakers: int, minutes: int, frames: list[bytes]) -> dict[str, object]:
    now = [0.0]
    gate = Gate()
    gate.allowed = frozenset(f"member{s}" for s in range(speakers))
    capture = Capture(folder, gate, clock=lambda: now[0])
    for s in range(speakers):
        capture.speaking(1000 + s, f"member{s}")
    box = nacl.secret.Aead(KEY)
    ticks = minutes * 60 * 50
    memory, cpu = [], 0.0
    for tick in range(ticks):
        now[0] = tick * 0.02
        for s in range(speakers):
            header = struct.pack(">BBHII", 0x90, 0x78, tick % 65536, (tick * FRAME) % 2**32, 1000 + s) + \
                b"\xbe\xde\x00\x01"
            counter = struct.pack(">I", (tick * speakers + s) % 2**32)
            packet = header + box.encrypt(b"\x10\x7f\x00\x00" + frames[tick % len(frames)], header,
                                          counter + bytes(20)).ciphertext + counter
            started = time.thread_time()
            capture.receive(packet, KEY)
            cpu += time.thread_time() - started
        if tick % (5 * 60 * 50) == 0:
            memory.append(rss_mb())
    length = capture.close()
    memory.append(rss_mb())
    return {"capture": capture, "length": length, "memory": memory, "cpu": cpu}


def mix(capture: Capture, length: int, out: Path) -> dict[str, object]:
    samples, done = [], threading.Event()

    def sample() -> None:
        while not done.wait(1.0):
            samples.append(rss_mb())
    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    started, wall = time.process_time(), time.perf_counter()
    tracks = {user: writer.path for user, writer in capture.tracks.items()}
    chapters = [Chapter(i * RATE * 60, f"member{i % len(tracks)}") for i in range(length // (RATE * 60))]
    mixed = mixdown(tracks, out, length=length, tags=[("TITLE", "Bench")], chapters=chapters)
    cpu, seconds = time.process_time() - started, time.perf_counter() - wall
    done.set()
    watcher.join()
    return {"cpu": cpu, "wall": seconds, "memory": samples or [rss_mb()], "bytes": mixed.bytes}


def run_once(speakers: int, minutes: int, frames: list[bytes]) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        base = rss_mb()
        captured = capture_hour(Path(folder) / "sources", speakers, minutes, frames)
        mixed = mix(captured["capture"], captured["length"], Path(folder) / "replay.ogg")  # type: ignore[arg-type]
        spool = sum(p.stat().st_size for p in (Path(folder) / "sources").iterdir())
        cap_mem, mix_mem = captured["memory"], mixed["memory"]
        return {"base": base, "capture_first": cap_mem[1] if len(cap_mem) > 1 else cap_mem[0],  # type: ignore[index]
                "capture_last": cap_mem[-1], "capture_max": max(cap_mem),  # type: ignore[index, arg-type]
                "mix_max": max(mix_mem), "mix_min": min(mix_mem),  # type: ignore[arg-type]
                "capture_cpu_per_speaker_hour": captured["cpu"] / speakers * 60 / minutes,  # type: ignore[operator]
                "mix_cpu_per_hour": mixed["cpu"] * 60 / minutes,  # type: ignore[operator]
                "mix_wall_per_hour": mixed["wall"] * 60 / minutes,  # type: ignore[operator]
                "spool_mb": spool / 2**20, "replay_mb": mixed["bytes"] / 2**20}  # type: ignore[operator]


def main() -> None:
    minutes = int(os.environ.get("PODIUM_BENCH_MINUTES", "60"))
    runs = int(os.environ.get("PODIUM_BENCH_RUNS", "3"))
    counts = [int(n) for n in os.environ.get("PODIUM_BENCH_SPEAKERS", "1,4").split(",")]
    if not opus.is_loaded() and not opus._load_default():
        raise SystemExit("libopus is missing (Debian: apt-get install libopus0)")
    print(f"machine: {describe()}")
    frames = speech_frames()
    for speakers in counts:
        print(f"\n== replay: {speakers} speaker(s) talking for {minutes} simulated minutes, {runs} runs ==")
        results = []
        for run in range(runs):
            r = run_once(speakers, minutes, frames)
            results.append(r)
            print(f"  run {run + 1}: RSS capture {r['capture_first']:.0f} MB after 5 min -> {r['capture_last']:.0f} MB "
                  f"at the end (max {r['capture_max']:.0f}), mixing {r['mix_min']:.0f}-{r['mix_max']:.0f} MB; "
                  f"capture CPU {r['capture_cpu_per_speaker_hour']:.1f} s per speaker-hour, mix CPU "
                  f"{r['mix_cpu_per_hour']:.1f} s per hour ({r['mix_wall_per_hour']:.1f} s wall); spools "
                  f"{r['spool_mb']:.0f} MB, replay {r['replay_mb']:.1f} MB")
        median = {key: statistics.median(r[key] for r in results) for key in results[0]}
        print(f"  median: RSS growth over the hour of capture {median['capture_last'] - median['capture_first']:+.1f} MB, "
              f"mixing peak {median['mix_max']:.0f} MB; capture {median['capture_cpu_per_speaker_hour']:.1f} s CPU "
              f"per speaker-hour ({100 * median['capture_cpu_per_speaker_hour'] / 3600:.3f} % of a core), "
              f"mix {median['mix_cpu_per_hour']:.1f} s CPU per hour of replay")


if __name__ == "__main__":
    main()
