"""A loopback server that accepts TCP connections and never answers (a hung database).

Given a ``target``, it forwards to that server until :meth:`HungServer.hang`, then
stops forwarding either way while keeping every connection open: a database that
hangs in the middle of a session.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from types import TracebackType


class HungServer:
    """Listens on 127.0.0.1:<port>, accepts every connection, and (once hung) says nothing."""

    def __init__(self, target: tuple[str, int] | None = None) -> None:
        self.target = target
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self.accepted = 0
        self._clients: list[socket.socket] = []
        self._hung = threading.Event()
        if target is None:
            self._hung.set()
        self._stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def hang(self) -> None:
        """From now on forward nothing, in either direction; close nothing."""
        self._hung.set()

    def _accept(self) -> None:
        while not self._stopped:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            self.accepted += 1
            self._clients.append(client)  # kept open: the peer waits for an answer for ever
            if self._hung.is_set() or self.target is None:
                continue
            upstream = socket.create_connection(self.target, timeout=5)
            upstream.settimeout(None)
            self._clients.append(upstream)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while not self._hung.is_set():
                data = source.recv(65536)
                if not data:
                    return
                if self._hung.is_set():
                    return  # swallowed: the other side never hears of it
                sink.sendall(data)

    def stop(self) -> None:
        """Close the listener and every accepted connection."""
        self._stopped = True
        self._listener.close()
        for client in self._clients:
            with contextlib.suppress(OSError):
                client.close()

    def __enter__(self) -> HungServer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


@contextlib.contextmanager
def hung_server() -> Iterator[HungServer]:
    """A :class:`HungServer` that never answers, for the duration of the block."""
    with HungServer() as server:
        yield server
