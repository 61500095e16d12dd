"""A real estate web service for the HTTP tests: uvicorn on a pre-bound free port of 127.0.0.1
in a thread, the app from ``create_app`` on the container the production code builds, and an
httpx client. The socket listens before the server thread starts, so the first request simply
waits in the kernel's queue until uvicorn accepts it: no polling, no sleeps.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

import attrs
import httpx
import uvicorn
from argon2 import PasswordHasher
from sqlalchemy.engine import URL

from adapters.persistence.sqlalchemy.personal_data import (
    configure_personal_data,
    generate_secret_key,
    personal_data_cipher,
)
from adapters.sms.console import ConsoleSmsSender
from entrypoints.bootstrap import Estate
from entrypoints.config import Settings
from entrypoints.container import Container, build_container
from entrypoints.demo import run_demo
from entrypoints.http.app import create_app
from estate_core.identity.staff_services import staff_actor
from estate_core.shared.access import StaffActor

DEMO_ADMIN = "13900139000"
DEMO_TECHNICIAN = "13700137001"
DEMO_OWNER = "13800138001"
DEMO_UNBOUND_OWNER = "13800138002"


@attrs.define
class Service:
    """The running service, its container (to read SMS codes and set up worlds) and a client."""

    container: Container
    client: httpx.Client
    base_url: str

    @property
    def estate(self) -> Estate:
        return self.container.estate()

    @property
    def sms(self) -> ConsoleSmsSender:
        sender = self.container.sms()
        assert isinstance(sender, ConsoleSmsSender)
        return sender

    def code(self, phone: str) -> str:
        code = self.sms.last_code(phone)
        assert code is not None, f"no code was sent to {phone}"
        return code

    def demo_company(self, tenant_id: UUID) -> None:
        """The demo property company (阳光物业) loaded as ``tenant_id``."""
        run_demo(self.estate, say=lambda line: None, tenant_id=tenant_id)

    def staff_actor(self, tenant_id: UUID, phone: str) -> StaffActor:
        uow = self.estate.uow(tenant_id)
        with uow:
            staff = uow.staff.find_by_phone(phone)
            assert staff is not None
            staff_id = staff.id
        return staff_actor(uow, staff_id)

    def login_resident(self, phone: str, tenant_id: UUID) -> str:
        """A resident's bearer token for ``tenant_id``, through the login routes."""
        sent = self.client.post("/api/v1/auth/codes", json={"phone": phone})
        assert sent.status_code == 202, sent.text
        answer = self.client.post(
            "/api/v1/auth/resident/login",
            json={"phone": phone, "code": self.code(phone), "tenantId": str(tenant_id)},
        )
        assert answer.status_code == 200, answer.text
        token: str = answer.json()["session"]["token"]
        return token

    def login_staff_with_password(self, phone: str, tenant_id: UUID) -> str:
        """A staff token through the password login, the password set beforehand in the
        database: for a second login of the same phone within the minute a code needs."""
        staff_id = self.staff_actor(tenant_id, phone).staff_id
        hasher = PasswordHasher()
        self.container.staff_passwords().set(tenant_id, staff_id, hasher.hash("sweep password"))
        answer = self.client.post(
            "/api/v1/auth/staff/login",
            json={"phone": phone, "password": "sweep password", "tenantId": str(tenant_id)},
        )
        assert answer.status_code == 200, answer.text
        token: str = answer.json()["session"]["token"]
        return token

    def login_staff(self, phone: str, tenant_id: UUID) -> str:
        sent = self.client.post("/api/v1/auth/codes", json={"phone": phone, "audience": "staff"})
        assert sent.status_code == 202, sent.text
        answer = self.client.post(
            "/api/v1/auth/staff/login",
            json={"phone": phone, "code": self.code(phone), "tenantId": str(tenant_id)},
        )
        assert answer.status_code == 200, answer.text
        token: str = answer.json()["session"]["token"]
        return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@contextmanager
def running_service(database: URL, data_dir: Path, **settings: Any) -> Iterator[Service]:
    previous_cipher = personal_data_cipher()
    container = build_container(
        Settings(
            data_dir=data_dir,
            database_url=database.render_as_string(hide_password=False),
            secret_key=generate_secret_key(),
            **settings,
        )
    )
    app = create_app(container)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base_url, timeout=30) as client:
            yield Service(container=container, client=client, base_url=base_url)
    finally:
        server.should_exit = True
        thread.join()
        listener.close()
        container.engine().dispose()
        configure_personal_data(previous_cipher)
