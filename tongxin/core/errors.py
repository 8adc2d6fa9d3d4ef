from __future__ import annotations


class ServiceError(Exception):
    """A refused operation. ``message`` is a full sentence saying what to do, translated when
    the error is raised (gettext: Chinese unless the user chose another language); ``fields``
    maps field names to messages for forms and the API."""

    code = "invalid"
    status = 400

    def __init__(self, message: str, *, fields: dict[str, str] | None = None, code: str = ""):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code


class ForbiddenError(ServiceError):
    code = "forbidden"
    status = 403


class ConflictError(ServiceError):
    code = "conflict"
    status = 409
