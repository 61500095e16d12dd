"""A loopback emulator of the WeChat official-account API: the access token and template messages.

It checks what WeChat checks (app id and secret for a token, the token on every call, a template
id it knows) and records each template message; a test scripts the answers of the next sends
(``errcode`` -1 system busy, 40001 expired token, 43004 not a follower …).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

APP_ID = "wx1234567890abcdef"
SECRET = "emulator-app-secret-0123456789ab"
TEMPLATES = {"coupon.issued": "TPL-COUPON", "payment.succeeded": "TPL-PAID"}


class WechatEmulator:
    def __init__(self) -> None:
        self.tokens_issued = 0
        self.token = ""
        self.sent: list[dict[str, Any]] = []
        self.scripted: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def answer_next(self, *answers: dict[str, Any]) -> None:
        with self.lock:
            self.scripted.extend(answers)

    def token_for(self, query: dict[str, list[str]]) -> dict[str, Any]:
        if query.get("appid") != [APP_ID] or query.get("secret") != [SECRET]:
            return {"errcode": 40125, "errmsg": "invalid appsecret"}
        with self.lock:
            self.tokens_issued += 1
            self.token = f"token-{self.tokens_issued}"
            return {"access_token": self.token, "expires_in": 7200}

    def template(self, query: dict[str, list[str]], body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            if query.get("access_token") != [self.token]:
                return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid"}
            if self.scripted:
                answer = self.scripted.pop(0)
                if answer["errcode"] != 0:
                    return answer
            if body.get("template_id") not in TEMPLATES.values():
                return {"errcode": 40037, "errmsg": "invalid template_id"}
            self.sent.append(body)
            return {"errcode": 0, "errmsg": "ok", "msgid": len(self.sent)}


def _handler(emulator: WechatEmulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _reply(self, answer: dict[str, Any]) -> None:
            data = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            if url.path != "/cgi-bin/token":
                self.send_error(404)
                return
            self._reply(emulator.token_for(parse_qs(url.query)))

        def do_POST(self) -> None:
            url = urlparse(self.path)
            if url.path != "/cgi-bin/message/template/send":
                self.send_error(404)
                return
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            self._reply(emulator.template(parse_qs(url.query), body))

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the tests read the emulator's records, not its log."""

    return Handler


@contextmanager
def wechat_emulator() -> Iterator[tuple[WechatEmulator, str]]:
    """The emulator on a free loopback port, and its API base URL."""
    emulator = WechatEmulator()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(emulator))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield emulator, f"http://127.0.0.1:{server.server_port}/cgi-bin/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
