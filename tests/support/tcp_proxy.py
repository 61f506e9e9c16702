"""A loopback TCP proxy a test can cut and restore, to simulate a database outage."""

from __future__ import annotations

import contextlib
import socket
import threading


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a target; ``cut()`` drops connections and refuses new ones.

    With ``cut_on``, the proxy cuts itself when a client sends those bytes (say, the
    text of a statement; use ``sslmode=disable`` so that it travels in clear).
    """

    def __init__(self, target_host: str, target_port: int, cut_on: bytes | None = None) -> None:
        self.target = (target_host, target_port)
        self.cut_on = cut_on
        self.was_cut = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._open = threading.Event()
        self._open.set()
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stopped:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if not self._open.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                if not self._open.is_set():  # cut while this connection was being made
                    client.close()
                    upstream.close()
                    continue
                self._sockets.update((client, upstream))
            for a, b, watch in ((client, upstream, True), (upstream, client, False)):
                threading.Thread(target=self._pipe, args=(a, b, watch), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, watch: bool = False) -> None:
        try:
            while data := source.recv(65536):
                if watch and self.cut_on is not None and self.cut_on in data:
                    self.cut()
                    return
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def cut(self) -> None:
        """Refuse new connections and kill the open ones."""
        self._open.clear()
        self.was_cut.set()
        with self._lock:
            sockets, self._sockets = list(self._sockets), set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def restore(self) -> None:
        """Accept connections again."""
        self._open.set()

    def stop(self) -> None:
        """Stop listening and drop everything."""
        self._stopped = True
        self.cut()
        self._listener.close()
