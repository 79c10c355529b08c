"""RTP packets as Discord's voice servers send them, sealed with aead_xchacha20_poly1305_rtpsize.

In the "rtpsize" modes the RTP header, its CSRCs and the extension's 4-byte preamble stay in clear (they are the
additional data); the extension's body and the Opus payload are encrypted; a 32-bit nonce counter ends the packet.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import nacl.exceptions
import nacl.secret

OPUS_PAYLOAD_TYPE = 0x78
NONCE_BYTES = 4


@dataclass(frozen=True, slots=True)
class Rtp:
    ssrc: int
    sequence: int
    timestamp: int
    opus: bytes


class Opener:
    """Decrypts packets with the voice session's key; a new key (after a reconnect) is picked up on the way."""

    def __init__(self) -> None:
        self._key: bytes | None = None
        self._box: nacl.secret.Aead | None = None

    def open(self, data: bytes, key: bytes | None) -> Rtp | None:
        """The packet's Opus frame, or None for anything else (RTCP, keep-alives, forged or damaged packets)."""
        if key is None or len(data) < 12 + NONCE_BYTES or data[0] >> 6 != 2:
            return None
        if data[1] & 0x7F != OPUS_PAYLOAD_TYPE:
            return None
        if key != self._key:
            self._key, self._box = key, nacl.secret.Aead(key)
        clear = 12 + 4 * (data[0] & 0x0F)
        extended = bool(data[0] & 0x10)
        if extended:
            clear += 4
        if len(data) < clear + NONCE_BYTES + 16:
            return None
        header, sealed, counter = data[:clear], data[clear:-NONCE_BYTES], data[-NONCE_BYTES:]
        assert self._box is not None
        try:
            plain = self._box.decrypt(sealed, header, counter + bytes(20))
        except (nacl.exceptions.CryptoError, ValueError):
            return None
        if extended:
            words = struct.unpack_from(">H", data, clear - 2)[0]
            plain = plain[4 * words:]
        sequence, timestamp, ssrc = struct.unpack_from(">HII", data, 2)
        if data[0] & 0x20 and plain:  # padding: its last byte says how many bytes to drop
            plain = plain[:-plain[-1]]
        return Rtp(ssrc, sequence, timestamp, plain) if plain else None
