"""A throwaway certificate for 127.0.0.1: discord.py's voice URL is always ``wss://``, so the fake serves TLS.

discord.py is left unpatched; a test makes it trust this certificate by giving the client's HTTP session a
connector with an SSL context (``client.http.connector``, read when the session is created at login).
"""

from __future__ import annotations

import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path

import aiohttp


@dataclass(frozen=True, slots=True)
class Certificate:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))

    def connector(self) -> aiohttp.TCPConnector:
        """What discord.py's HTTP client would build (limit=0), trusting this certificate."""
        return aiohttp.TCPConnector(limit=0, ssl=self.client_context())


def make_certificate(folder: Path) -> Certificate:
    """A self-signed certificate for IP 127.0.0.1, made with the openssl command (valid one day)."""
    cert, key = folder / "voice.crt", folder / "voice.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return Certificate(cert, key)
