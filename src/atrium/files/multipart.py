"""A streaming ``multipart/form-data`` reader: the file part's bytes as they arrive.

FastAPI's ``UploadFile`` reads the whole body (spooling to disk) before the route and its
dependencies run, so an unauthenticated client could push a huge body before being refused.
This reader parses the request stream itself, after the access guard has passed: it stops at
the first file part's headers (so its type can be refused before a byte is stored), then yields
that part's data chunk by chunk. Other fields are ignored; nothing is buffered beyond one chunk.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from atrium.files.errors import FilesFileMissing, FilesFormInvalid, FilesFormRequired

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

FILE_FIELD = "file"
DEFAULT_TYPE = "application/octet-stream"
MAX_NAME_LENGTH = 255


@dataclass(frozen=True, slots=True)
class FilePart:
    """The file part's name (as the client sent it, path stripped) and declared type."""

    filename: str
    content_type: str


@dataclass
class _Part:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    is_file: bool = False


def boundary_of(content_type: str) -> bytes:
    """The boundary of a ``multipart/form-data`` content type; 415 for any other type."""
    kind, params = parse_options_header(content_type)
    if kind != b"multipart/form-data":
        raise FilesFormRequired()
    boundary = params.get(b"boundary")
    if not boundary:
        raise FilesFormInvalid("The multipart boundary is missing.")
    return boundary


def clean_filename(raw: str) -> str:
    """The last path segment, without control characters, at most 255 characters."""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:MAX_NAME_LENGTH] or "file"


def media_type(raw: str | None) -> str:
    """``text/plain; charset=utf-8`` → ``text/plain``."""
    kind, _ = parse_options_header(raw or DEFAULT_TYPE)
    return kind.decode("latin-1").strip().lower() or DEFAULT_TYPE


class FormFileReader:
    """Reads a form body from ``stream`` up to, and then through, its ``file`` part."""

    def __init__(self, content_type: str, stream: AsyncIterator[bytes]) -> None:
        self._stream = stream
        self._parser = MultipartParser(boundary_of(content_type), self._callbacks())
        self._part = _Part()
        self._header = [bytearray(), bytearray()]
        self._file: FilePart | None = None
        self._file_done = False
        self._data: list[bytes] = []
        self._ended = False

    def _callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self._on_part_begin,
            "on_header_field": self._on_header_field,
            "on_header_value": self._on_header_value,
            "on_header_end": self._on_header_end,
            "on_headers_finished": self._on_headers_finished,
            "on_part_data": self._on_part_data,
            "on_part_end": self._on_part_end,
        }

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header[0].extend(data[start:end])

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header[1].extend(data[start:end])

    def _on_part_begin(self) -> None:
        self._part = _Part()

    def _on_header_end(self) -> None:
        self._part.headers[bytes(self._header[0]).lower()] = bytes(self._header[1])
        self._header = [bytearray(), bytearray()]

    def _on_headers_finished(self) -> None:
        _, options = parse_options_header(self._part.headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        if self._file is None and name == FILE_FIELD and b"filename" in options:
            self._part.is_file = True
            raw_type = self._part.headers.get(b"content-type", b"").decode("latin-1")
            filename = options[b"filename"].decode("utf-8", "replace")
            self._file = FilePart(clean_filename(filename), media_type(raw_type))

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._part.is_file and not self._file_done:
            self._data.append(data[start:end])

    def _on_part_end(self) -> None:
        if self._part.is_file:
            self._file_done = True

    async def _feed(self) -> bool:
        """Parse one more chunk of the body; False once the body has ended."""
        if self._ended:
            return False
        chunk = await anext(self._stream, b"")
        try:
            if chunk:
                self._parser.write(chunk)
            else:
                self._ended = True
                self._parser.finalize()
        except FormParserError as exc:
            raise FilesFormInvalid() from exc
        return not self._ended

    async def open(self) -> FilePart:
        """Read up to the file part's headers; 400 when the body has no ``file`` part."""
        while self._file is None:
            if not await self._feed():
                raise FilesFileMissing()
        return self._file

    async def chunks(self) -> AsyncIterator[bytes]:
        """The file part's bytes; then the rest of the body is read and ignored."""
        while True:
            while self._data:
                yield self._data.pop(0)
            if self._file_done:
                break
            if not await self._feed() and not self._data:
                if not self._file_done:
                    raise FilesFormInvalid("The file part is truncated.")
                break
        while await self._feed():
            pass
