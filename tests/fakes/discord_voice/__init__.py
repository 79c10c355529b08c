"""A loopback fake of Discord's voice servers (voice gateway over TLS + UDP RTP), and audio measurements."""

from .server import FakeVoiceServer, Packet
from .tls import Certificate, make_certificate

__all__ = ["Certificate", "FakeVoiceServer", "Packet", "make_certificate"]
