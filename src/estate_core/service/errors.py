"""Errors of the service context, each with a stable code (tests and clients rely on codes)."""

from __future__ import annotations

from estate_core.shared.errors import Conflict, InvalidInput, NotFound, PermissionDenied


class WorkOrderNotFound(NotFound):
    """No such work order, or the caller may not know it exists."""

    code = "workorder.not_found"


class ComplaintNotFound(NotFound):
    """No such complaint, or the caller may not see it: complaints are one-to-one (一对一)."""

    code = "complaint.not_found"


class NotReporter(PermissionDenied):
    code = "workorder.not_reporter"


class NotAssignee(PermissionDenied):
    code = "workorder.not_assignee"


class NotComplainant(PermissionDenied):
    code = "complaint.not_complainant"


class ReviewRequired(Conflict):
    """An appointment repair (预约维修) is reviewed before anyone is dispatched."""

    code = "workorder.review_required"


class NotAppointment(Conflict):
    """Only appointment repairs are reviewed; a fault report goes straight to dispatch."""

    code = "workorder.not_appointment"


class SameTechnician(Conflict):
    code = "workorder.same_technician"


class TechnicianIneligible(InvalidInput):
    """The technician is unknown, disabled, lacks workorder.work or does not serve the community."""

    code = "workorder.technician_ineligible"


class PhotosRequired(InvalidInput):
    """A repair is completed with photos of the finished work."""

    code = "workorder.photos_required"


class ReasonRequired(InvalidInput):
    code = "service.reason_required"


class InvalidRating(InvalidInput):
    code = "service.invalid_rating"


class TooEarlyToClose(Conflict):
    """The automatic close runs only after the resident's rating window has passed."""

    code = "service.too_early_to_close"


class AlreadyVisited(Conflict):
    """The return visit (回访) is recorded once."""

    code = "service.already_visited"


class ReopenUsed(Conflict):
    """A complaint's reply may be reopened once."""

    code = "complaint.reopen_used"


class ReopenWindowClosed(Conflict):
    """A reply may be reopened only within 7 days."""

    code = "complaint.reopen_window_closed"
