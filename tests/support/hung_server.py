"""A loopback server that accepts TCP connections and never answers (a hung database)."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator


class HungServer:
    """Listens on 127.0.0.1:<port>, accepts every connection, reads nothing, says nothing."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self.accepted = 0
        self._held: list[socket.socket] = []
        self._stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stopped:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            self.accepted += 1
            self._held.append(client)  # held open, never read, never written

    def stop(self) -> None:
        """Close the listener and every held connection."""
        self._stopped = True
        self._listener.close()
        for sock in self._held:
            with contextlib.suppress(OSError):
                sock.close()


@contextlib.contextmanager
def hung_server() -> Iterator[HungServer]:
    """A :class:`HungServer` for the duration of the block."""
    server = HungServer()
    try:
        yield server
    finally:
        server.stop()
