"""The notifications domain's errors: notifications, direct messages and their rate limits."""

from __future__ import annotations

from atrium.core.errors import BadRequest, NotFound, TooManyRequests, UnprocessableEntity


class NotificationNotFound(NotFound):
    """The notification does not exist, is not addressed to the caller, or they deleted it."""

    code = "NOTIFICATION_NOT_FOUND"
    message = "The notification was not found."


class NotificationRecipientNotFound(NotFound):
    """A send names user ids that do not exist (nothing is sent)."""

    code = "NOTIFICATION_RECIPIENT_NOT_FOUND"
    message = "Unknown users."


class NotificationRateLimited(TooManyRequests):
    """A sender (the system, for worker sends) is past ``notifications.send_rate_per_sender``."""

    code = "NOTIFICATION_RATE_LIMITED"
    message = "Too many notification sends; retry later."


class MessageToSelf(BadRequest):
    """A direct message is addressed to its own sender."""

    code = "MESSAGE_TO_SELF"
    message = "You cannot send a message to yourself."


class MessageTooLong(UnprocessableEntity):
    """A direct message's body is longer than ``notifications.max_body_length``."""

    code = "MESSAGE_TOO_LONG"
    message = "The message is too long."


class MessageRecipientNotFound(NotFound):
    """A direct message's recipient does not exist or is disabled."""

    code = "MESSAGE_RECIPIENT_NOT_FOUND"
    message = "The recipient was not found."


class MessageRateLimited(TooManyRequests):
    """A sender is over ``notifications.message_rate_per_sender`` direct messages."""

    code = "MESSAGE_RATE_LIMITED"
    message = "Too many messages; retry later."
