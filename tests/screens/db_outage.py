"""A database that can go away and come back, without touching the shared PostgreSQL server.

The desk under test talks to the real server through :class:`Relay`, a plain
TCP relay on a port of its own. ``cut()`` closes every connection and stops
listening, exactly what a desk sees when the server or the network goes;
``restore()`` listens again on the same port. Other people's connections to
the server are never touched.
"""

from __future__ import annotations

import socket
import threading

from sqlalchemy import Engine, make_url

from desk import db


class Relay:
    """Relays TCP connections from a local port to ``target`` until cut."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self._listener: socket.socket | None = None
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()

    def restore(self) -> None:
        """Listen (again) on the relay's port: the database answers."""
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        """Close every relayed connection and stop listening: the database is away."""
        listener, self._listener = self._listener, None
        if listener is not None:
            try:
                listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept(); close alone does not
            except OSError:
                pass
            listener.close()
        with self._lock:
            for sock in self._open:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self._open.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def engine_through(relay: Relay, url: str, search_path: str) -> Engine:
    """An engine on the PostgreSQL database at ``url`` (in schema ``search_path``) that connects through ``relay``."""
    relayed = make_url(url).set(host="127.0.0.1", port=relay.port)
    return db.make_engine(
        relayed.render_as_string(hide_password=False),
        connect_args={"options": f"-csearch_path={search_path}", "connect_timeout": 3},
    )
