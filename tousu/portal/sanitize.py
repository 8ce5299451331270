"""Uploads from the public portal, checked and stripped of metadata before anything keeps them.

:func:`clean` takes a Django upload and returns the bytes to keep and their content type:

- the same checks as a case attachment (:func:`tousu.evidence.services.check`): not empty,
  within ``TOUSU_MAX_UPLOAD_BYTES``, a PDF, JPEG or PNG by its first bytes;
- images are decoded and encoded again from their pixels alone, so EXIF (GPS position,
  camera serial, time), XMP, ICC profiles, comments and PNG text chunks are all left
  behind; the EXIF orientation is applied first so the picture still stands upright;
  an image of more than :data:`MAX_PIXELS` pixels (a decompression bomb) is refused
  before it is decoded;
- a PDF is written again page by page, without the document information dictionary
  (author, creator, producer, dates), the XMP metadata stream, and document-level
  extras (outline, scripts, embedded files); page-level XMP and piece info are removed
  too. A PDF with more than :data:`MAX_PDF_PAGES` pages or :data:`MAX_PDF_OBJECTS`
  objects, one that hits pypdf's decompression limits, or one that needs a password,
  is refused.

Refusals are :class:`tousu.cases.errors.TousuError` with a Chinese and an English message
naming the file. Only the returned bytes may be stored (their SHA-256 is what a record holds).
"""

from __future__ import annotations

import io
import logging
import warnings
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter
from pypdf.errors import LimitReachedError, PdfReadError
from pypdf.generic import NameObject

from tousu.cases.errors import TousuError
from tousu.evidence import services

log = logging.getLogger(__name__)

MAX_PIXELS = 64_000_000  # a 48-megapixel phone photo passes; a bomb does not
MAX_PDF_PAGES = 2000
MAX_PDF_OBJECTS = 500_000
JPEG_QUALITY = (90, 80, 70)

_PIL_FORMAT = {"image/jpeg": ("JPEG", "MPO"), "image/png": ("PNG",)}
_PAGE_EXTRAS = ("/Metadata", "/PieceInfo")


def _bomb(name: str) -> TousuError:
    return TousuError(
        "file_bomb",
        f"文件“{name}”解开后过大（疑似压缩炸弹），未保存；请换用尺寸较小的图片或文件",
        f"The file “{name}” would be far too large once opened (a decompression bomb?); "
        "nothing was stored. Please send a smaller picture or file",
        status=422,
        details={"field": "file", "file": name},
    )


def _unreadable(name: str, label: str) -> TousuError:
    return TousuError(
        "file_unreadable",
        f"文件“{name}”不是可读的 {label} 文件（可能已损坏），未保存",
        f"The file “{name}” is not a readable {label} file (it may be damaged); nothing was stored",
        status=422,
        details={"field": "file", "file": name},
    )


def _encrypted(name: str) -> TousuError:
    return TousuError(
        "file_encrypted",
        f"文件“{name}”设有密码，无法检查，未保存；请提交未加密的版本",
        f"The file “{name}” is password-protected and cannot be checked; nothing was stored. "
        "Please send an unprotected copy",
        status=422,
        details={"field": "file", "file": name},
    )


def _too_many_pages(name: str) -> TousuError:
    return TousuError(
        "file_too_many_pages",
        f"文件“{name}”页数超过上限 {MAX_PDF_PAGES} 页，未保存",
        f"The file “{name}” has more than {MAX_PDF_PAGES} pages; nothing was stored",
        status=422,
        details={"field": "file", "file": name, "limit": MAX_PDF_PAGES},
    )


# -- images ----------------------------------------------------------------------------------


def _open_image(data: bytes, name: str, content_type: str) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=list(_PIL_FORMAT[content_type]))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _bomb(name) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise _unreadable(name, "JPEG" if content_type == "image/jpeg" else "PNG") from None
    width, height = image.size
    if width <= 0 or height <= 0:
        raise _unreadable(name, image.format or "image")
    if width * height > MAX_PIXELS:
        raise _bomb(name)
    return image


def _pixels_only(image: Image.Image, content_type: str) -> Image.Image:
    """A new image holding the same pixels and nothing else."""
    upright = ImageOps.exif_transpose(image) or image
    has_alpha = "A" in upright.getbands() or "transparency" in upright.info
    keep: tuple[str, ...]
    if content_type == "image/jpeg":
        keep = ("L", "RGB")
        fallback = "RGB"
    else:
        keep = ("1", "L", "LA", "RGB", "RGBA")
        fallback = "RGBA" if has_alpha else "RGB"
    if upright.mode not in keep:
        upright = upright.convert(fallback)
    return Image.frombytes(upright.mode, upright.size, upright.tobytes())


def _encode(image: Image.Image, content_type: str, limit: int) -> bytes:
    if content_type == "image/png":
        out = io.BytesIO()
        image.save(out, "PNG", optimize=False)
        return out.getvalue()
    data = b""
    for quality in JPEG_QUALITY:
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality)
        data = out.getvalue()
        if len(data) <= limit:
            break
    return data


def _clean_image(data: bytes, name: str, content_type: str, limit: int) -> bytes:
    image = _open_image(data, name, content_type)
    label = "JPEG" if content_type == "image/jpeg" else "PNG"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
            clean = _pixels_only(image, content_type)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _bomb(name) from None
    except (OSError, SyntaxError, ValueError, MemoryError):
        raise _unreadable(name, label) from None
    finally:
        image.close()
    return _encode(clean, content_type, limit)


# -- PDF -------------------------------------------------------------------------------------


def _object_count(reader: PdfReader) -> int:
    size: Any = reader.trailer.get("/Size", 0)
    try:
        return int(size)
    except (TypeError, ValueError):
        return 0


def _clean_pdf(data: bytes, name: str) -> bytes:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except Exception:
                raise _encrypted(name) from None
            if not opened:
                raise _encrypted(name)
        if _object_count(reader) > MAX_PDF_OBJECTS:
            raise _bomb(name)
        if len(reader.pages) > MAX_PDF_PAGES:
            raise _too_many_pages(name)
        writer = PdfWriter()
        for page in reader.pages:
            added = writer.add_page(page)
            for key in _PAGE_EXTRAS:
                if key in added:
                    del added[NameObject(key)]
        writer.metadata = None
        if "/Metadata" in writer._root_object:
            del writer._root_object[NameObject("/Metadata")]
        out = io.BytesIO()
        writer.write(out)
    except TousuError:
        raise
    except LimitReachedError:
        raise _bomb(name) from None
    except (PdfReadError, RecursionError, MemoryError):
        raise _unreadable(name, "PDF") from None
    except Exception as exc:  # pypdf raises many kinds on malformed input
        log.info("portal upload: PDF refused (%s)", type(exc).__name__)
        raise _unreadable(name, "PDF") from None
    return out.getvalue()


# -- the entry point -------------------------------------------------------------------------


def clean(upload: UploadedFile) -> tuple[bytes, str]:
    """The upload's bytes with metadata stripped, and their content type; or a refusal."""
    checked = services.check(upload)
    name = checked.name
    content_type = checked.type.content_type
    limit = services.max_bytes()
    if content_type == "application/pdf":
        stripped = _clean_pdf(checked.data, name)
    else:
        stripped = _clean_image(checked.data, name, content_type, limit)
    if not stripped:
        raise _unreadable(name, checked.type.label)
    if len(stripped) > limit:
        raise services.file_too_large(name, limit)
    return stripped, content_type
