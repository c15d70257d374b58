"""A static server that behaves like GitHub Pages, for the browser tests.

It serves a site folder under a path prefix (a project site lives at
https://OWNER.github.io/REPO/), redirects a folder without its trailing
slash, and answers every missing path with the site's root `404.html` and
status 404, as GitHub Pages does.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit


def _handler(root: Path, prefix: str) -> Callable[..., object]:
    """A request handler class for `root` served under `prefix`."""

    class PagesHandler(http.server.SimpleHTTPRequestHandler):
        def translate_path(self, path: str) -> str:
            inside = urlsplit(path).path.removeprefix(prefix.rstrip("/"))
            return super().translate_path(inside or "/")

        def send_head(self) -> object:
            path = unquote(urlsplit(self.path).path)
            if not path.startswith(prefix) and path != prefix.rstrip("/"):
                return self._not_found()
            target = Path(self.translate_path(self.path))
            if target.is_dir():
                if not path.endswith("/"):
                    return super().send_head()  # 301 to the slashed path
                target = target / "index.html"
            if not target.is_file():
                return self._not_found()
            return super().send_head()

        def _not_found(self) -> object:
            body = (root / "404.html").read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return None

        def log_message(self, format: str, *args: object) -> None:
            pass

    return functools.partial(PagesHandler, directory=str(root))


@contextmanager
def pages_server(root: Path, prefix: str = "/") -> Iterator[str]:
    """Serve `root` under `prefix` on 127.0.0.1; yields the site's URL."""
    handler = _handler(root, prefix)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)  # type: ignore[arg-type]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
