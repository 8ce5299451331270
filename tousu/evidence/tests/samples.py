"""Small files of each kind, and files that only pretend to be one."""

from __future__ import annotations

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"
    + "王建国来信：CT检查重复收费。".encode()
    + b"\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"evidence-photo" * 10
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"receipt" * 20
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"This program cannot be run in DOS mode" * 4
HTML = b"<!doctype html><html><script>alert(document.cookie)</script></html>"


def upload(name: str, data: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    """The client claims a type; the server never believes it."""
    return SimpleUploadedFile(name, data, content_type=content_type)


def blobs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []
