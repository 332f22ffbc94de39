"""The documents domain's errors: one class per code, one status per code."""

from __future__ import annotations

from atrium.core.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    UnprocessableEntity,
)


class DocumentNotFound(NotFound):
    """The document does not exist, is in the trash (where the route wants it out), or is not
    shared with the caller: the same answer, so nobody learns of others' documents."""

    code = "DOCUMENTS_NOT_FOUND"
    message = "No such document."


class DocumentRevisionNotFound(NotFound):
    """The document keeps no revision of that number (never made, or dropped past the limit)."""

    code = "DOCUMENTS_REVISION_NOT_FOUND"
    message = "No such revision of this document."


class DocumentEditForbidden(Forbidden):
    """A viewer asked to change the document: only its owner and editors may."""

    code = "DOCUMENTS_EDIT_FORBIDDEN"
    message = "You may read this document but not change it."


class DocumentOwnerOnly(Forbidden):
    """Only the owner (or a ``documents:admin``) shares, trashes, restores or purges it."""

    code = "DOCUMENTS_OWNER_ONLY"
    message = "Only the document's owner may do this."


class DocumentVersionConflict(Conflict):
    """The save named a version that is no longer the current one: someone saved in between.
    ``data`` carries the document as it is now."""

    code = "DOCUMENTS_VERSION_CONFLICT"
    message = "The document was changed since that version; the current one is in data."


class DocumentContentTooLarge(PayloadTooLarge):
    """The Markdown is larger than ``documents.max_content_bytes``."""

    code = "DOCUMENTS_CONTENT_TOO_LARGE"
    message = "The content is larger than the limit."


class DocumentShareInvalid(UnprocessableEntity):
    """A share names a user that is not an existing, active user, or a role that does not exist."""

    code = "DOCUMENTS_SHARE_INVALID"
    message = "Shares must name existing, active users and existing roles."


class DocumentAttachmentInvalid(UnprocessableEntity):
    """The file to attach does not exist, is not complete, or the caller cannot read it."""

    code = "DOCUMENTS_ATTACHMENT_INVALID"
    message = "The file does not exist or you cannot read it."
