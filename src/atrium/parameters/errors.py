"""The parameters domain's errors: one class per code, one status per code."""

from __future__ import annotations

from atrium.core.errors import Conflict, NotFound, ServiceUnavailable, UnprocessableEntity


class ParameterNotFound(NotFound):
    """No parameter with this key (neither a row nor a configured domain's declaration)."""

    code = "PARAMETER_NOT_FOUND"
    message = "No such parameter."


class ParameterKeyTaken(Conflict):
    """A parameter with this key exists, or a domain declares it."""

    code = "PARAMETER_KEY_TAKEN"
    message = "A parameter with this key exists."


class ParameterValueInvalid(UnprocessableEntity):
    """The value is not of the parameter's type, outside its declared choices or bounds, or
    too large."""

    code = "PARAMETER_VALUE_INVALID"
    message = "The value does not fit this parameter."


class ParameterDeclared(Conflict):
    """A parameter a domain declares cannot be deleted (the domain reads it): reset it to its
    default instead."""

    code = "PARAMETER_DECLARED"
    message = "This parameter belongs to a domain; reset it instead of deleting it."


class ParameterNotDeclared(Conflict):
    """Only a declared parameter has a default to reset to: change or delete a custom one."""

    code = "PARAMETER_NOT_DECLARED"
    message = "This parameter has no default to reset to."


class ParameterPropagationFailed(ServiceUnavailable):
    """The change is saved, but the caches of other nodes could not be told (Redis is down):
    they serve the old value until their lease ends."""

    code = "PARAMETER_PROPAGATION_FAILED"
    message = "Saved, but other nodes could not be told yet; they catch up within a minute."
