"""Portal uploads: type, size, bombs refused; metadata stripped from what is kept."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin
from pypdf import PdfReader, PdfWriter

from tousu.cases.errors import TousuError
from tousu.evidence import sanitize


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def _jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (64, 32), (200, 30, 30))
    exif = image.getexif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x0110] = "SecretPhone 12"  # Model
    exif[0x0112] = 6  # Orientation: rotate 90 on display
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (39.0, 54.0, 27.0)
    gps[3] = "E"
    gps[4] = (116.0, 23.0, 50.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"taken at home")
    return out.getvalue()


def test_exif_and_gps_are_removed_from_a_jpeg():
    original = _jpeg_with_exif()
    assert b"SecretPhone" in original and b"Exif" in original
    data, content_type = sanitize.clean(_upload("photo.jpg", original))
    assert content_type == "image/jpeg"
    assert b"Exif" not in data and b"SecretPhone" not in data and b"taken at home" not in data
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert not image.getexif() and "comment" not in image.info
    assert image.size == (32, 64)  # the orientation was applied before it was dropped


def test_png_text_chunks_are_removed():
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Zhang San")
    info.add_itxt("Comment", "举报人的电脑", lang="zh")
    info.add_text("Location", "Room 301", zip=True)
    image = Image.new("RGBA", (20, 20), (0, 0, 255, 128))
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    assert b"tEXt" in out.getvalue()
    data, content_type = sanitize.clean(_upload("shot.png", out.getvalue()))
    assert content_type == "image/png"
    for chunk in (b"tEXt", b"iTXt", b"zTXt", b"eXIf", b"Zhang"):
        assert chunk not in data
    kept = Image.open(io.BytesIO(data))
    assert kept.mode == "RGBA" and kept.getpixel((3, 3)) == (0, 0, 255, 128)


def test_pdf_author_and_xmp_are_removed():
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Author": "Zhang San", "/Creator": "Office on LAPTOP-ZS"})
    out = io.BytesIO()
    writer.write(out)
    assert b"Zhang San" in out.getvalue()
    data, content_type = sanitize.clean(_upload("letter.pdf", out.getvalue()))
    assert content_type == "application/pdf"
    assert b"Zhang San" not in data and b"LAPTOP-ZS" not in data
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2
    assert not reader.metadata or "/Author" not in reader.metadata
    assert "/Metadata" not in reader.root_object


def _refused(name: str, data: bytes) -> TousuError:
    with pytest.raises(TousuError) as refused:
        sanitize.clean(_upload(name, data))
    assert 400 <= refused.value.status < 500
    assert name in refused.value.zh and name in refused.value.en
    return refused.value


def test_html_renamed_pdf_is_refused():
    error = _refused("report.pdf", b"<!doctype html><script>alert(1)</script>")
    assert error.code == "file_type_not_allowed"


def test_empty_and_oversize_files_are_refused(settings):
    assert _refused("empty.jpg", b"").code == "file_empty"
    settings.TOUSU_MAX_UPLOAD_BYTES = 2048
    big = b"%PDF-1.4\n" + b"0" * 4096
    error = _refused("big.pdf", big)
    assert error.code == "file_too_large" and error.status == 413


def _png_declaring(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def test_a_decompression_bomb_is_refused_with_a_clear_message():
    bomb = _png_declaring(100_000, 100_000)
    assert len(bomb) < 200
    error = _refused("bomb.png", bomb)
    assert error.code == "file_bomb"
    assert "压缩炸弹" in error.zh and "decompression bomb" in error.en


def test_an_image_just_over_our_own_pixel_limit_is_refused(monkeypatch):
    monkeypatch.setattr(sanitize, "MAX_PIXELS", 100)
    out = io.BytesIO()
    Image.new("RGB", (20, 20)).save(out, "PNG")
    assert _refused("big.png", out.getvalue()).code == "file_bomb"


def test_a_broken_image_or_pdf_is_refused_as_unreadable():
    assert _refused("cut.jpg", _jpeg_with_exif()[:40]).code == "file_unreadable"
    assert _refused("junk.pdf", b"%PDF-1.7\nnot really").code == "file_unreadable"


def test_a_pdf_with_too_many_pages_is_refused(monkeypatch):
    monkeypatch.setattr(sanitize, "MAX_PDF_PAGES", 2)
    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(100, 100)
    out = io.BytesIO()
    writer.write(out)
    assert _refused("long.pdf", out.getvalue()).code == "file_too_many_pages"


def test_a_password_protected_pdf_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    assert _refused("locked.pdf", out.getvalue()).code == "file_encrypted"
