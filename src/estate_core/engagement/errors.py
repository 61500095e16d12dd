"""Errors of the engagement context, each with a stable code (tests and clients rely on codes)."""

from __future__ import annotations

from estate_core.shared.errors import Conflict, PermissionDenied


class AlreadyAnswered(Conflict):
    """One answer per home per survey; a second one, however it arrives, is refused."""

    code = "survey.already_answered"


class SurveyNotOpen(Conflict):
    """The survey is not taking answers: not opened yet, closed, or outside its date window."""

    code = "survey.not_open"


class TenantsCannotAnswer(PermissionDenied):
    """Only the owner and family of a home answer (seed 003: 业主和业主家人关系才对应是业主)."""

    code = "survey.tenants_cannot_answer"


class NotBoundHere(PermissionDenied):
    """The resident is no member of that home, or the home is not in the survey's communities."""

    code = "survey.not_bound_here"
