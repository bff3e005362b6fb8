"""Virus scanning of uploaded documents.

``settings.DOCUMENT_VIRUS_SCANNER`` names a callable (a dotted path) that is
given the uploaded file and returns the name of what it found, or ``""`` when
the file is clean. It raises :class:`ScannerUnavailable` when it cannot scan:
the upload is then refused (a file nobody could check is not stored).

Off by default: a scanner is only worth having with its signatures kept up to
date (ClamAV's ``freshclam``), which is the council's to run.

:func:`clamd_scan` is the scanner for ClamAV's daemon, spoken to directly over
its socket with the ``INSTREAM`` command (no client library needed):

    DOCUMENT_VIRUS_SCANNER=enquiries.scanning.clamd_scan
    CLAMD_SOCKET=/var/run/clamav/clamd.ctl      # or CLAMD_HOST and CLAMD_PORT
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Callable
from typing import IO

from django.conf import settings
from django.utils.module_loading import import_string

CHUNK = 64 * 1024

Scanner = Callable[[IO[bytes]], str]


class ScannerUnavailable(Exception):
    """The scanner could not give an answer (down, timed out, or an error)."""


def configured_scanner() -> Scanner | None:
    path = getattr(settings, "DOCUMENT_VIRUS_SCANNER", "")
    return import_string(path) if path else None


def scan(fileobj: IO[bytes]) -> str:
    """What the configured scanner found in ``fileobj`` ("" when clean or off)."""
    scanner = configured_scanner()
    if scanner is None:
        return ""
    fileobj.seek(0)
    try:
        return scanner(fileobj) or ""
    finally:
        fileobj.seek(0)


def _connect() -> socket.socket:
    timeout = settings.CLAMD_TIMEOUT
    if settings.CLAMD_HOST:
        return socket.create_connection(
            (settings.CLAMD_HOST, settings.CLAMD_PORT), timeout=timeout
        )
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(settings.CLAMD_SOCKET)
    except OSError:
        sock.close()
        raise
    return sock


def clamd_scan(fileobj: IO[bytes]) -> str:
    """Scan with ClamAV's daemon: ``INSTREAM``, the file in length-prefixed
    chunks, a zero-length chunk to end, then one reply line:
    ``stream: OK``, ``stream: <name> FOUND`` or ``... ERROR``."""
    try:
        with _connect() as sock:
            sock.sendall(b"zINSTREAM\0")
            while chunk := fileobj.read(CHUNK):
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                part = sock.recv(4096)
                if not part:
                    break
                reply += part
    except OSError as exc:
        raise ScannerUnavailable(f"clamd could not be reached: {exc}") from exc
    answer = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    if answer.endswith(" FOUND"):
        return answer.removeprefix("stream:").removesuffix(" FOUND").strip()
    if answer.endswith("OK"):
        return ""
    raise ScannerUnavailable(f"clamd answered {answer!r}")
