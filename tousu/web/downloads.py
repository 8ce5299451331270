"""What a downloaded file is called and what it is: one ``Content-Disposition`` for every
document, export and file the product hands out."""

from __future__ import annotations

from urllib.parse import quote

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def content_disposition(name: str, *, inline: bool = False, fallback: str = "") -> str:
    """``attachment`` (or ``inline``) with an ASCII ``filename`` — ``fallback`` or the name,
    anything but letters, digits and ``-_.`` made ``_``, so no quote, backslash or line
    break reaches the header — and the exact name as RFC 5987 ``filename*``."""
    ascii_name = "".join(
        c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in (fallback or name)
    )
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
