"""A loopback emulator of Tencent Cloud SMS ``SendSms`` (API 2021-01-11).

It verifies the TC3-HMAC-SHA256 signature the SDK computes (with the secret key only the test
and the emulator know), the action, the version, the app id, the signature name and the
template, then records the message. A test scripts the next answers: a per-number status code
(``LimitExceeded.PhoneNumberDailyLimit``) or an API error (``InternalError``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SECRET_ID = "AKIDemulator0123456789abcdefghij"
SECRET_KEY = "emulator-secret-key-0123456789abcd"
APP_ID = "1400000001"
SIGN_NAME = "阳光物业"
TEMPLATES = {"CODE-1001", "NOTICE-2001"}


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def tc3_signature(headers: dict[str, str], body: bytes, date: str, timestamp: str) -> str:
    canonical = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:{headers['content-type']}\nhost:{headers['host']}\n",
            "content-type;host",
            hashlib.sha256(body).hexdigest(),
        ]
    )
    scope = f"{date}/sms/tc3_request"
    to_sign = "\n".join(
        ["TC3-HMAC-SHA256", timestamp, scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = _hmac(_hmac(_hmac(f"TC3{SECRET_KEY}".encode(), date), "sms"), "tc3_request")
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


class TencentSmsEmulator:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.scripted: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def answer_next(self, *answers: dict[str, Any]) -> None:
        """``{"status": "LimitExceeded…"}`` for a number's status, ``{"error": "…"}``."""
        with self.lock:
            self.scripted.extend(answers)

    def send_sms(self, headers: dict[str, str], body: bytes) -> dict[str, Any]:
        authorization = headers.get("authorization", "")
        credential = authorization.split("Credential=")[1].split(",")[0]
        secret_id, date, service, _ = credential.split("/")
        signature = authorization.split("Signature=")[1]
        expected = tc3_signature(headers, body, date, headers["x-tc-timestamp"])
        if secret_id != SECRET_ID or service != "sms" or signature != expected:
            return _error("AuthFailure.SignatureFailure", "the signature is wrong")
        if (headers.get("x-tc-action"), headers.get("x-tc-version")) != ("SendSms", "2021-01-11"):
            return _error("InvalidAction", "unknown action or version")
        request = json.loads(body)
        if request["SmsSdkAppId"] != APP_ID or request["SignName"] != SIGN_NAME:
            return _error("FailedOperation.SignatureIncorrectOrUnapproved", "unknown sign")
        if request["TemplateId"] not in TEMPLATES:
            return _error("FailedOperation.TemplateIncorrectOrUnapproved", "unknown template")
        with self.lock:
            answer = self.scripted.pop(0) if self.scripted else {}
            if "error" in answer:
                return _error(answer["error"], "scripted error")
            code = answer.get("status", "Ok")
            if code == "Ok":
                self.sent.append(request)
        (phone,) = request["PhoneNumberSet"]
        status = {
            "SerialNo": f"2433:{len(self.sent)}",
            "PhoneNumber": phone,
            "Fee": 1,
            "SessionContext": request.get("SessionContext", ""),
            "Code": code,
            "Message": "send success" if code == "Ok" else "refused",
            "IsoCode": "CN",
        }
        return {"Response": {"SendStatusSet": [status], "RequestId": "req-1"}}


def _error(code: str, message: str) -> dict[str, Any]:
    return {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": "req-1"}}


def _handler(emulator: TencentSmsEmulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            headers = {name.lower(): value for name, value in self.headers.items()}
            data = json.dumps(emulator.send_sms(headers, body)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the tests read the emulator's records."""

    return Handler


@contextmanager
def tencent_sms_emulator() -> Iterator[tuple[TencentSmsEmulator, str]]:
    """The emulator on a free loopback port, and its endpoint (host:port)."""
    emulator = TencentSmsEmulator()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(emulator))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield emulator, f"127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
