"""Values shared by work orders and complaints: who acted, the timeline, ratings, photos."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import attrs

from estate_core.service.errors import InvalidRating
from estate_core.shared.access import Actor, ResidentActor, StaffActor
from estate_core.shared.errors import InvalidInput

MAX_PHOTOS = 9
"""WeChat's image picker returns at most nine pictures, so a report carries at most nine."""

MAX_TEXT = 2000
SATISFIED_FROM_STARS = 4
"""A rating of 4 or 5 stars counts as satisfied (满意) in the statistics."""


class ActorKind(enum.StrEnum):
    RESIDENT = "resident"
    STAFF = "staff"
    SYSTEM = "system"


@attrs.frozen(kw_only=True)
class ActorRef:
    """Who did something, as stored on a timeline: a resident, a staff member or a system job."""

    kind: ActorKind
    id: UUID | None = None
    job: str = ""

    @classmethod
    def of(cls, actor: Actor) -> ActorRef:
        if isinstance(actor, ResidentActor):
            return cls(kind=ActorKind.RESIDENT, id=actor.resident_id)
        if isinstance(actor, StaffActor):
            return cls(kind=ActorKind.STAFF, id=actor.staff_id)
        return cls(kind=ActorKind.SYSTEM, job=actor.job)

    @classmethod
    def resident(cls, resident_id: UUID) -> ActorRef:
        return cls(kind=ActorKind.RESIDENT, id=resident_id)

    @classmethod
    def staff(cls, staff_id: UUID) -> ActorRef:
        return cls(kind=ActorKind.STAFF, id=staff_id)

    @classmethod
    def system(cls, job: str) -> ActorRef:
        return cls(kind=ActorKind.SYSTEM, job=job)


@attrs.frozen(kw_only=True)
class TimelineEntry:
    """One step of an order's history (进度): what happened, who did it, when, and a note."""

    at: datetime
    action: str
    status: str
    actor: ActorRef
    note: str = ""


def _strip(value: str) -> str:
    return value.strip()


def _check_stars(instance: Rating, attribute: attrs.Attribute[int], value: int) -> None:
    if type(value) is not int or not 1 <= value <= 5:
        raise InvalidRating("a rating is 1 to 5 stars")


def _check_rating_text(instance: Rating, attribute: attrs.Attribute[str], value: str) -> None:
    if len(value) > MAX_TEXT:
        raise InvalidRating(f"a rating's text is at most {MAX_TEXT} characters")


@attrs.frozen(kw_only=True)
class Rating:
    """The resident's evaluation (评价): 1–5 stars and a text; staff are assessed on it."""

    stars: int = attrs.field(validator=_check_stars)
    text: str = attrs.field(default="", converter=_strip, validator=_check_rating_text)

    @property
    def satisfied(self) -> bool:
        return self.stars >= SATISFIED_FROM_STARS


@attrs.frozen(kw_only=True)
class ReturnVisit:
    """Customer service's return visit (回访) after the case closed, and what they heard."""

    at: datetime
    staff_id: UUID
    note: str


def required_text(value: str, code: str, what: str, max_length: int = MAX_TEXT) -> str:
    """``value`` stripped; empty or longer than ``max_length`` is InvalidInput ``code``."""
    cleaned = value.strip()
    if not cleaned:
        raise InvalidInput(code, f"{what} is required")
    if len(cleaned) > max_length:
        raise InvalidInput(code, f"{what} is at most {max_length} characters")
    return cleaned


def optional_text(value: str, code: str, what: str, max_length: int = MAX_TEXT) -> str:
    cleaned = value.strip()
    if len(cleaned) > max_length:
        raise InvalidInput(code, f"{what} is at most {max_length} characters")
    return cleaned


def photo_keys(keys: Sequence[str]) -> list[str]:
    """File-storage keys of uploaded photos: at most nine, none empty, no repeats."""
    cleaned = [key.strip() for key in keys]
    if len(cleaned) > MAX_PHOTOS:
        raise InvalidInput("service.too_many_photos", f"at most {MAX_PHOTOS} photos")
    if any(not key or len(key) > 255 for key in cleaned):
        raise InvalidInput("service.invalid_photo", "a photo key is 1 to 255 characters")
    if len(set(cleaned)) != len(cleaned):
        raise InvalidInput("service.invalid_photo", "the same photo is attached twice")
    return cleaned


def aware(at: datetime, code: str) -> datetime:
    if at.tzinfo is None:
        raise InvalidInput(code, "times must carry a time zone")
    return at
