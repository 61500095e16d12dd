"""VisitorPass 访客通行证: a member registers a visitor; a guard admits them by the pass's token.

Seed 004 (访客登记): a bound member enters the visitor's name, phone, head count and plate; the
system makes a QR code to share; the member can see their registration history.

The rules chosen here:

- The window (``valid_from`` to ``valid_until``) is at most :data:`MAX_WINDOW` (7 days) long,
  starts at most :data:`MAX_ADVANCE` ahead and must not already be over.
- One entry 通行 admits the whole party (``head_count`` people arrive together). A pass allows
  ``max_entries`` entries within its window: by default **one**, so a shared link cannot be reused
  by others; the member may allow up to :data:`MAX_ENTRIES` for a visitor who comes and goes
  over several days (a nanny, a relative staying a week).
- The token is :data:`TOKEN_BYTES` random bytes from ``secrets`` (192 bits), URL-safe: it cannot
  be guessed, so a pass can be shown as a plain QR code.
- A pass stops working when revoked (by its creator or by staff), when the window is over, when
  its entries are used, and when its creator is no longer a member of the home.
"""

from __future__ import annotations

import enum
import re
import secrets
import unicodedata
from datetime import datetime, timedelta
from uuid import UUID

import attrs

from estate_core.community import events
from estate_core.shared.errors import Conflict, InvalidInput, InvalidTransition
from estate_core.shared.events import Aggregate

MAX_WINDOW = timedelta(days=7)
MAX_ADVANCE = timedelta(days=30)
MAX_HEAD_COUNT = 20
DEFAULT_MAX_ENTRIES = 1
MAX_ENTRIES = 20
TOKEN_BYTES = 24
NAME_MAX = 50

_PLATE = re.compile(r"[\u4e00-\u9fff][A-Z](?:[A-Z0-9]{5,6}|[A-Z0-9]{4}[\u4e00-\u9fff])")


def new_token() -> str:
    """An unguessable pass token: 24 random bytes, 32 URL-safe characters."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def normalize_plate(raw: str) -> str:
    """A Chinese licence plate (川A12345, 川AD12345) upper-cased without separators; "" for none."""
    plate = re.sub(r"[\s·.\-]", "", unicodedata.normalize("NFKC", raw)).upper()
    if plate and not _PLATE.fullmatch(plate):
        raise InvalidInput("visitor_pass.invalid_plate", "not a licence plate such as 川A12345")
    return plate


def mask_phone(phone: str) -> str:
    """138****0000: enough for a guard to match the visitor, not to collect numbers."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 8 else "****"


class PassState(enum.StrEnum):
    ACTIVE = "active"
    REVOKED = "revoked"


class PassAction(enum.StrEnum):
    ADMIT = "admit"
    REVOKE = "revoke"


PASS_TRANSITIONS: dict[tuple[PassState, PassAction], PassState] = {
    (PassState.ACTIVE, PassAction.ADMIT): PassState.ACTIVE,
    (PassState.ACTIVE, PassAction.REVOKE): PassState.REVOKED,
}
"""The one transition table of a pass; time and entry limits are checked on admission."""


class PassRevoked(Conflict):
    code = "visitor_pass.revoked"


class PassNotYetValid(Conflict):
    code = "visitor_pass.not_yet_valid"


class PassExpired(Conflict):
    code = "visitor_pass.expired"


class PassUsedUp(Conflict):
    code = "visitor_pass.used_up"


@attrs.frozen(kw_only=True)
class VisitorEntry:
    """One admission at the gate: when, and which guard let the party in."""

    at: datetime
    guard_id: UUID


@attrs.frozen(kw_only=True)
class Visit:
    """What the member registers: the visitor, the party and the window."""

    visitor_name: str
    visitor_phone: str
    head_count: int
    plate: str
    valid_from: datetime
    valid_until: datetime
    max_entries: int = DEFAULT_MAX_ENTRIES

    def check(self, now: datetime) -> None:
        if not self.visitor_name or len(self.visitor_name) > NAME_MAX:
            raise InvalidInput(
                "visitor_pass.invalid_name", f"a name has 1 to {NAME_MAX} characters"
            )
        if not 1 <= self.head_count <= MAX_HEAD_COUNT:
            raise InvalidInput(
                "visitor_pass.invalid_head_count", f"a party is 1 to {MAX_HEAD_COUNT} people"
            )
        if not 1 <= self.max_entries <= MAX_ENTRIES:
            raise InvalidInput(
                "visitor_pass.invalid_max_entries", f"a pass allows 1 to {MAX_ENTRIES} entries"
            )
        if not self.valid_from < self.valid_until or self.valid_until <= now:
            raise InvalidInput("visitor_pass.invalid_window", "the visit window must lie ahead")
        if self.valid_until - self.valid_from > MAX_WINDOW:
            raise InvalidInput("visitor_pass.window_too_long", "a pass is valid 7 days at most")
        if self.valid_from - now > MAX_ADVANCE:
            raise InvalidInput(
                "visitor_pass.too_far_ahead", "register a visit at most 30 days ahead"
            )


@attrs.define(slots=False, eq=False, kw_only=True)
class VisitorPass(Aggregate):
    """VisitorPass 访客通行证 (transition table :data:`PASS_TRANSITIONS`)."""

    id: UUID
    tenant_id: UUID
    community_id: UUID
    property_id: UUID
    resident_id: UUID
    visit: Visit
    token: str
    created_at: datetime
    state: PassState = PassState.ACTIVE
    revoked_at: datetime | None = None
    entries: list[VisitorEntry] = attrs.field(factory=list)

    @classmethod
    def issue(
        cls,
        *,
        id: UUID,
        tenant_id: UUID,
        community_id: UUID,
        property_id: UUID,
        resident_id: UUID,
        visit: Visit,
        now: datetime,
    ) -> VisitorPass:
        visit.check(now)
        issued = cls(
            id=id,
            tenant_id=tenant_id,
            community_id=community_id,
            property_id=property_id,
            resident_id=resident_id,
            visit=visit,
            token=new_token(),
            created_at=now,
        )
        issued.record(
            events.VisitorPassIssued(
                pass_id=id,
                property_id=property_id,
                resident_id=resident_id,
                valid_from=visit.valid_from,
                valid_until=visit.valid_until,
            )
        )
        return issued

    def _next(self, action: PassAction) -> PassState:
        next_state = PASS_TRANSITIONS.get((self.state, action))
        if next_state is None:
            if action is PassAction.ADMIT:
                raise PassRevoked("this pass has been revoked")
            raise InvalidTransition("visitor_pass", self.state.value, action.value)
        return next_state

    @property
    def entries_left(self) -> int:
        return max(self.visit.max_entries - len(self.entries), 0)

    def admit(self, guard_id: UUID, now: datetime) -> None:
        """Let the party in: inside the window, not revoked, entries left; the entry is kept."""
        next_state = self._next(PassAction.ADMIT)
        if now < self.visit.valid_from:
            raise PassNotYetValid("this pass is not valid yet")
        if now > self.visit.valid_until:
            raise PassExpired("this pass has expired")
        if self.entries_left == 0:
            raise PassUsedUp("this pass has been used")
        self.state = next_state
        self.entries.append(VisitorEntry(at=now, guard_id=guard_id))
        self.record(
            events.VisitorAdmitted(
                pass_id=self.id,
                resident_id=self.resident_id,
                guard_id=guard_id,
                at=now,
                head_count=self.visit.head_count,
            )
        )

    def revoke(self, now: datetime, *, by_staff: bool) -> None:
        self.state = self._next(PassAction.REVOKE)
        self.revoked_at = now
        self.record(events.VisitorPassRevoked(pass_id=self.id, by_staff=by_staff))
