"""HTTP servers on loopback for what pytest-httpserver cannot do: keep-alive and trickling.

Each is a real threading HTTP/1.1 server on 127.0.0.1 whose answers a test writes byte by
byte. Every loop in them is bounded in count and time, and stops when the client hangs up or
the server is stopped, so no test leaves a server sending.
"""

import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive unless an answer says otherwise

    def do_GET(self):
        self.server.seen.append((self.client_address[1], self.path))
        self.server.answer(self)

    def log_message(self, *args):
        pass


@contextmanager
def loopback_server(answer, *, tls_context=None):
    """Serve on 127.0.0.1; `answer(handler)` writes each response. Yields the server, whose
    `url(path)` builds addresses, `seen` lists (client port, path) per request, and `stopping`
    is set when the test is over."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.answer = answer
    server.seen = []
    server.stopping = threading.Event()
    scheme = "http"
    if tls_context is not None:
        server.socket = tls_context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    server.url = lambda path: f"{scheme}://localhost:{server.server_port}{path}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def send_slowly(handler, data, *, every=1.0, at_most=30.0):
    """Write `data` one byte per `every` seconds, for at most `at_most` seconds, then hang up.

    Stops early when the client hangs up or the server is stopping.
    """
    started = time.monotonic()
    try:
        for byte in data:
            if handler.server.stopping.is_set() or time.monotonic() - started > at_most:
                break
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            handler.server.stopping.wait(every)
    except OSError:  # the client gave up and closed the connection
        pass
    handler.close_connection = True


def respond(handler, status, body=b"", headers=()):
    """Write a whole response with a Content-Length, keeping the connection open."""
    handler.send_response(status)
    for name, value in headers:
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)
