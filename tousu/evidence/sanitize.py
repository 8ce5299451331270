"""The one upload pipeline: every file a case takes, from every surface, passes here.

The portal, the staff API, the desk (a case's files, scanned originals at registration)
and any import path call :func:`render` (or :func:`clean`, for an upload) before a file
is stored. It takes the bytes as received and returns the rendition that may be served:

- the same checks as a case attachment (:func:`tousu.evidence.services.check_bytes`):
  not empty, within ``TOUSU_MAX_UPLOAD_BYTES``, a PDF, JPEG or PNG by its first bytes;
- images are decoded and encoded again from their pixels alone, so EXIF (GPS position,
  camera serial, time), XMP, ICC profiles, comments, PNG text chunks and anything after
  the image's end (the HTML of a PNG+HTML polyglot) are all left behind; the EXIF
  orientation is applied first so the picture still stands upright; an image of more
  than :data:`MAX_PIXELS` pixels (a decompression bomb, PNG or JPEG) is refused before it
  is decoded, and Pillow's own ``DecompressionBombError`` is a refusal too;
- a PDF is written again page by page, without the document information dictionary
  (author, creator, producer, dates), the XMP metadata stream, and document-level
  extras (outline, ``/OpenAction``, ``/AA``, the ``/JavaScript`` and ``/EmbeddedFiles``
  name trees, forms); on the pages and everything they reach, scripts (``/JS``),
  additional actions (``/AA``), every action but a jump inside the document
  (``/Launch``, ``/URI``, ``/SubmitForm``, ``/GoToR`` ...), embedded files, and
  attachment, media and 3D annotations are removed; page-level XMP and piece info too.
  The written file is read back and refused if any of that remains. A PDF with more
  than :data:`MAX_PDF_PAGES` pages or :data:`MAX_PDF_OBJECTS` objects, one that hits
  pypdf's decompression limits, or one that needs a password, is refused.

Refusals are :class:`tousu.cases.errors.TousuError` (4xx) with a Chinese and an English
message naming the file. The portal keeps only the rendition (the reporter's original,
with its metadata, is never kept); staff keep the original byte-exact beside it
(:func:`tousu.evidence.services.store`).
"""

from __future__ import annotations

import io
import logging
import warnings
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter
from pypdf.errors import LimitReachedError, PdfReadError
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    PdfObject,
    StreamObject,
)

from tousu.cases.errors import TousuError
from tousu.evidence import services

log = logging.getLogger(__name__)

MAX_PIXELS = 64_000_000  # a 48-megapixel phone photo passes; a bomb does not
MAX_PDF_PAGES = 2000
MAX_PDF_OBJECTS = 500_000
JPEG_QUALITY = (90, 80, 70)

# Pillow opens a multi-picture JPEG (MPO) through its JPEG plugin; naming "MPO" here
# fails with KeyError in a process that has not loaded that plugin yet.
_PIL_FORMAT = {"image/jpeg": ("JPEG",), "image/png": ("PNG",)}
_PAGE_EXTRAS = ("/Metadata", "/PieceInfo")


def _bomb(name: str) -> TousuError:
    return TousuError(
        "file_bomb",
        gettext_lazy("文件“{name}”解开后过大（疑似压缩炸弹），未保存；请换用尺寸较小的图片或文件"),
        status=422,
        details={"field": "file", "file": name},
        params={"name": name},
    )


def _unreadable(name: str, label: str) -> TousuError:
    return TousuError(
        "file_unreadable",
        gettext_lazy("文件“{name}”不是可读的 {label} 文件（可能已损坏），未保存"),
        status=422,
        details={"field": "file", "file": name},
        params={"name": name, "label": label},
    )


def _encrypted(name: str) -> TousuError:
    return TousuError(
        "file_encrypted",
        gettext_lazy("文件“{name}”设有密码，无法检查，未保存；请提交未加密的版本"),
        status=422,
        details={"field": "file", "file": name},
        params={"name": name},
    )


def _active(name: str) -> TousuError:
    return TousuError(
        "file_active_content",
        gettext_lazy("文件“{name}”含有无法去除的脚本或动作，未保存；请打印为新的 PDF 后再提交"),
        status=422,
        details={"field": "file", "file": name},
        params={"name": name},
    )


def _too_many_pages(name: str) -> TousuError:
    return TousuError(
        "file_too_many_pages",
        gettext_lazy("文件“{name}”页数超过上限 {MAX_PDF_PAGES} 页，未保存"),
        status=422,
        details={"field": "file", "file": name, "limit": MAX_PDF_PAGES},
        params={"name": name, "MAX_PDF_PAGES": MAX_PDF_PAGES},
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


# Keys that run something, open something, or carry a file: removed wherever they are.
_ACTIVE_KEYS = frozenset(
    {"/JS", "/JavaScript", "/AA", "/OpenAction", "/EmbeddedFiles", "/EF", "/RichMediaContent",
     "/RichMediaSettings", "/XFA", "/AcroForm", "/URI", "/Launch"}
)  # fmt: skip
# Action types (``/S``): only a jump inside the document (``/GoTo``) is kept.
_ACTIONS = frozenset(
    {"/JavaScript", "/ECMAScript", "/Launch", "/URI", "/SubmitForm", "/ImportData",
     "/ResetForm", "/GoToR", "/GoToE", "/GoTo3DView", "/Hide", "/Named", "/SetOCGState",
     "/Rendition", "/Trans", "/Movie", "/Sound", "/Thread", "/RichMediaExecute"}
)  # fmt: skip
# Annotations that embed a file or play media: removed from the page.
_ANNOTATIONS = frozenset({"/FileAttachment", "/Screen", "/Movie", "/Sound", "/RichMedia", "/3D"})
_DOCUMENT_EXTRAS = ("/Metadata", "/OpenAction", "/AA", "/Names", "/AcroForm", "/Outlines")


def _resolve(obj: Any) -> Any:
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


def _empty(obj: Any) -> None:
    """Blank what a removed key pointed to, so that it says nothing if it is still written."""
    target = _resolve(obj)
    if isinstance(target, StreamObject):
        target.set_data(b"")
    if isinstance(target, DictionaryObject):
        for value in list(target.values()):
            if isinstance(_resolve(value), StreamObject):
                _resolve(value).set_data(b"")
        target.clear()
    elif isinstance(target, ArrayObject):
        target.clear()


def _action_type(obj: Any) -> str:
    target = _resolve(obj)
    if isinstance(target, DictionaryObject):
        return str(target.get("/S", ""))
    return ""


def _neutralise(root: PdfObject) -> None:
    """Remove scripts, actions, embedded files and media from ``root`` and all it holds,
    in place (every object of the writer passes here, reachable or not)."""
    seen: set[int] = set()
    stack: list[Any] = [root]
    while stack:
        obj = _resolve(stack.pop())
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, ArrayObject):
            stack.extend(v for v in obj if not isinstance(v, IndirectObject))
            continue
        if not isinstance(obj, DictionaryObject):
            continue
        if str(obj.get("/S", "")) in _ACTIONS:
            _empty(obj)
            continue
        for key in [k for k in obj if k in _ACTIVE_KEYS]:
            _empty(obj[key])
            del obj[key]
        for key in ("/A", "/Next", "/PA"):
            if key in obj and _action_type(obj[key]) != "/GoTo":
                _empty(obj[key])
                del obj[key]
        annots = _resolve(obj.get("/Annots"))
        if isinstance(annots, ArrayObject):
            kept = ArrayObject()
            for annot in annots:
                target = _resolve(annot)
                if (
                    isinstance(target, DictionaryObject)
                    and str(target.get("/Subtype", "")) in _ANNOTATIONS
                ):
                    _empty(target)
                else:
                    kept.append(annot)
            annots[:] = kept
        # Indirect objects are visited on their own (the caller passes them all).
        stack.extend(v for v in obj.values() if not isinstance(v, IndirectObject))


def _active_left(data: bytes) -> bool:
    """Whether the written PDF still holds anything :func:`_neutralise` removes."""
    reader = PdfReader(io.BytesIO(data), strict=False)
    roots: list[Any] = [reader.trailer]
    numbers = [(n, g) for g, entries in reader.xref.items() for n in entries]
    numbers += [(n, 0) for n in reader.xref_objStm]
    for idnum, generation in numbers:
        roots.append(reader.get_object(IndirectObject(idnum, generation, reader)))
    seen: set[int] = set()
    stack = roots
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject) or id(obj) in seen:
            continue  # an indirect object is visited as its own object above
        seen.add(id(obj))
        if isinstance(obj, ArrayObject):
            stack.extend(obj)
        elif isinstance(obj, DictionaryObject):
            if any(k in _ACTIVE_KEYS for k in obj) or str(obj.get("/S", "")) in _ACTIONS:
                return True
            if str(obj.get("/Subtype", "")) in _ANNOTATIONS:
                return True
            stack.extend(obj.values())
    return False


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
        for key in _DOCUMENT_EXTRAS:
            if key in writer._root_object:
                del writer._root_object[NameObject(key)]
        for obj in list(writer._objects):
            if obj is not None:
                _neutralise(obj)
        writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
        out = io.BytesIO()
        writer.write(out)
        written = out.getvalue()
        if _active_left(written):
            raise _active(name)
    except TousuError:
        raise
    except LimitReachedError:
        raise _bomb(name) from None
    except (PdfReadError, RecursionError, MemoryError):
        raise _unreadable(name, "PDF") from None
    except Exception as exc:  # pypdf raises many kinds on malformed input
        log.info("upload: PDF refused (%s)", type(exc).__name__)
        raise _unreadable(name, "PDF") from None
    return written


# -- the entry point -------------------------------------------------------------------------


def render(name: str, data: bytes) -> services.Checked:
    """The rendition of these bytes that may be served (checked like any attachment);
    or a refusal naming the file."""
    checked = services.check_bytes(name, data)
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
    return services.check_bytes(name, stripped)


def clean(upload: UploadedFile) -> tuple[bytes, str]:
    """The upload's rendition and its content type; or a refusal."""
    checked = services.check(upload)
    rendition = render(checked.name, checked.data)
    return rendition.data, rendition.type.content_type
