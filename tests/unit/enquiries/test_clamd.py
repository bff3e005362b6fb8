"""The ClamAV scanner speaks clamd's INSTREAM protocol over its socket
(tested against a small stand-in daemon on a Unix socket)."""

import io
import socket
import struct
import threading

import pytest

from enquiries import scanning

EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def _read_exact(conn, n):
    data = b""
    while len(data) < n:
        part = conn.recv(n - len(data))
        if not part:
            raise ConnectionError("closed")
        data += part
    return data


class FakeClamd:
    """Answers one INSTREAM request per connection, like clamd does."""

    def __init__(self, path, answer=None):
        self.received = []
        self.answer = answer
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(str(path))
        self.server.listen(1)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        conn, _ = self.server.accept()
        with conn:
            command = _read_exact(conn, len(b"zINSTREAM\0"))
            assert command == b"zINSTREAM\0"
            body = b""
            while True:
                (size,) = struct.unpack("!L", _read_exact(conn, 4))
                if size == 0:
                    break
                body += _read_exact(conn, size)
            self.received.append(body)
            if self.answer is not None:
                reply = self.answer
            elif b"EICAR-STANDARD" in body:
                reply = b"stream: Win.Test.EICAR_HDB-1 FOUND\0"
            else:
                reply = b"stream: OK\0"
            conn.sendall(reply)

    def close(self):
        self.server.close()


@pytest.fixture
def clamd(settings, tmp_path):
    settings.CLAMD_SOCKET = str(tmp_path / "clamd.ctl")
    settings.CLAMD_HOST = ""
    settings.CLAMD_TIMEOUT = 5
    servers = []

    def start(answer=None):
        server = FakeClamd(tmp_path / "clamd.ctl", answer)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def test_a_clean_file_passes_and_is_sent_whole(clamd):
    server = clamd()
    content = b"%PDF-1.4\n" + b"x" * 200_000  # several chunks
    assert scanning.clamd_scan(io.BytesIO(content)) == ""
    server.thread.join(5)
    assert server.received == [content]


def test_an_infected_file_is_named(clamd):
    clamd()
    assert scanning.clamd_scan(io.BytesIO(EICAR)) == "Win.Test.EICAR_HDB-1"


def test_an_error_from_clamd_is_no_answer(clamd):
    clamd(answer=b"INSTREAM size limit exceeded. ERROR\0")
    with pytest.raises(scanning.ScannerUnavailable):
        scanning.clamd_scan(io.BytesIO(b"data"))


def test_no_daemon_is_no_answer(settings, tmp_path):
    settings.CLAMD_SOCKET = str(tmp_path / "nothing-here.ctl")
    settings.CLAMD_HOST = ""
    with pytest.raises(scanning.ScannerUnavailable):
        scanning.clamd_scan(io.BytesIO(b"data"))


def test_scanning_is_off_unless_configured(settings):
    settings.DOCUMENT_VIRUS_SCANNER = ""
    assert scanning.scan(io.BytesIO(EICAR)) == ""
