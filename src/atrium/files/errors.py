"""The files domain's errors: forms, types and sizes, direct uploads, reads and storage."""

from __future__ import annotations

from atrium.core.errors import (
    BadRequest,
    Conflict,
    NotFound,
    PayloadTooLarge,
    ServiceUnavailable,
    UnprocessableEntity,
    UnsupportedMediaType,
)


class FilesFormRequired(UnsupportedMediaType):
    """A streamed upload is not sent as ``multipart/form-data``."""

    code = "FILES_FORM_REQUIRED"
    message = "Send the file as multipart/form-data."


class FilesFormInvalid(BadRequest):
    """A streamed upload's form is malformed, truncated, has no boundary or a bad Content-Length."""

    code = "FILES_FORM_INVALID"
    message = "The multipart body is malformed."


class FilesFileMissing(BadRequest):
    """A streamed upload's form has no part named ``file``."""

    code = "FILES_FILE_MISSING"
    message = "The form has no file part named 'file'."


class FilesTypeNotAllowed(UnsupportedMediaType):
    """A file's content type is not in ``storage.allowed_content_types``."""

    code = "FILES_TYPE_NOT_ALLOWED"
    message = "Files of this type are not accepted."


class FilesTooLarge(PayloadTooLarge):
    """A file is larger than ``storage.max_upload_bytes`` (or ``direct_upload_max_bytes``)."""

    code = "FILES_TOO_LARGE"
    message = "The file is larger than the limit."


class FilesMultipartRequired(UnprocessableEntity):
    """A direct upload asks for one PUT of more than S3's 5 GiB limit."""

    code = "FILES_MULTIPART_REQUIRED"
    message = "A single PUT takes at most 5 GiB: use multipart."


class FilesMultipartEmpty(UnprocessableEntity):
    """A direct upload asks for a multipart upload of an empty file."""

    code = "FILES_MULTIPART_EMPTY"
    message = "An empty file is one PUT."


class FilesPendingQuota(Conflict):
    """One more pending upload would pass ``storage.max_pending_uploads`` or its byte total."""

    code = "FILES_PENDING_QUOTA"
    message = "Too many uploads are pending: complete or delete some first."


class FilesUploadMissing(Conflict):
    """A direct upload is completed before any byte arrived (the upload stays open)."""

    code = "FILES_UPLOAD_MISSING"
    message = "Nothing has been uploaded yet."


class FilesUploadIncomplete(Conflict):
    """A multipart upload is completed with parts missing or short (the upload stays open)."""

    code = "FILES_UPLOAD_INCOMPLETE"
    message = "Parts are missing or of the wrong size."


class FilesUploadClosed(Conflict):
    """A multipart upload is completed after it was completed or aborted elsewhere."""

    code = "FILES_UPLOAD_CLOSED"
    message = "This upload is no longer open."


class FilesSizeMismatch(Conflict):
    """The uploaded bytes are not the announced size: the upload is removed; start again."""

    code = "FILES_SIZE_MISMATCH"
    message = "The upload does not match what was announced: the size differs; start again."


class FilesChecksumMismatch(Conflict):
    """The uploaded bytes' SHA-256 is not the announced one: the upload is removed; start again."""

    code = "FILES_CHECKSUM_MISMATCH"
    message = "The upload does not match what was announced: the SHA-256 differs; start again."


class FilesNotFound(NotFound):
    """The file does not exist, or the caller neither owns it nor manages all files."""

    code = "FILES_NOT_FOUND"
    message = "No such file."


class FilesNotReady(Conflict):
    """A download link is asked for a file whose upload is not complete."""

    code = "FILES_NOT_READY"
    message = "The file's upload is not complete."


class FilesStorageUnavailable(ServiceUnavailable):
    """Object storage does not answer (or fails) during an upload, download link or delete."""

    code = "FILES_STORAGE_UNAVAILABLE"
    message = "Object storage is unavailable."
