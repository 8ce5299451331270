"""Small files of each kind, and files that only pretend to be one."""

from __future__ import annotations

import io
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin
from pypdf import PdfWriter


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Title": "王建国来信：CT检查重复收费。"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _image(kind: str, colour: tuple[int, int, int], note: bytes) -> bytes:
    out = io.BytesIO()
    if kind == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", note.decode())
        Image.new("RGB", (24, 16), colour).save(out, "PNG", pnginfo=info)
    else:
        Image.new("RGB", (24, 16), colour).save(out, "JPEG", comment=note)
    return out.getvalue()


# Real files, each with something the pipeline leaves out of its rendition (metadata).
PDF = _pdf()
PNG = _image("PNG", (20, 120, 200), b"evidence-photo")
JPEG = _image("JPEG", (200, 60, 20), b"receipt")
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"This program cannot be run in DOS mode" * 4
HTML = b"<!doctype html><html><script>alert(document.cookie)</script></html>"


def served(data: bytes) -> bytes:
    """What a download of this file gives: its rendition from the upload pipeline."""
    from tousu.evidence.sanitize import render

    return render("sample", data).data


def upload(name: str, data: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    """The client claims a type; the server never believes it."""
    return SimpleUploadedFile(name, data, content_type=content_type)


def blobs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []
