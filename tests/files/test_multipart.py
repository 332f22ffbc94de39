"""The streaming form reader: the file part's bytes, whatever the chunking."""

from __future__ import annotations

import os

import pytest

from atrium.core.errors import BadRequest, UnsupportedMediaType
from atrium.files.multipart import FormFileReader, clean_filename, media_type
from tests.support.forms import form
from tests.support.s3 import chunked


async def read_all(reader: FormFileReader) -> bytes:
    return b"".join([chunk async for chunk in reader.chunks()])


@pytest.mark.parametrize("chunk", [1, 7, 4096, 1 << 20])
async def test_file_bytes_survive_any_chunking(chunk: int) -> None:
    data = os.urandom(20_000) + b"\r\n--not-a-boundary\r\n" + os.urandom(100)
    reader = form(data, "photo.png", "image/png", fields={"title": "x"}, chunk=chunk)
    part = await reader.open()
    assert (part.filename, part.content_type) == ("photo.png", "image/png")
    assert await read_all(reader) == data


async def test_type_parameters_are_dropped_and_case_folded() -> None:
    reader = form(b"a,b", content_type="Text/CSV; charset=utf-8")
    assert (await reader.open()).content_type == "text/csv"


async def test_a_form_without_a_file_part_is_refused() -> None:
    reader = FormFileReader(
        "multipart/form-data; boundary=b",
        chunked(b'--b\r\nContent-Disposition: form-data; name="other"\r\n\r\nv\r\n--b--\r\n'),
    )
    with pytest.raises(BadRequest) as caught:
        await reader.open()
    assert caught.value.error_code == "FILES_FILE_MISSING"


async def test_a_truncated_body_is_refused() -> None:
    head = b'--b\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nabc'
    reader = FormFileReader("multipart/form-data; boundary=b", chunked(head))
    await reader.open()
    with pytest.raises(BadRequest) as caught:
        await read_all(reader)
    assert caught.value.error_code == "FILES_FORM_INVALID"


async def test_only_multipart_form_data_is_read() -> None:
    with pytest.raises(UnsupportedMediaType):
        FormFileReader("application/json", chunked(b"{}"))
    with pytest.raises(BadRequest):
        FormFileReader("multipart/form-data", chunked(b""))


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("C:\\fakepath\\report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("a\x00b\nc.txt", "abc.txt"),
        ("", "file"),
        ("x" * 300, "x" * 255),
    ],
)
def test_filenames_are_cleaned(raw: str, clean: str) -> None:
    assert clean_filename(raw) == clean


def test_a_missing_type_is_octet_stream() -> None:
    assert media_type(None) == "application/octet-stream"
