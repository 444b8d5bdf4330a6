r"""File paths whose bytes are not valid UTF-8: how they are stored and written as text.

Python hands such names over as `str` with surrogate escapes (`\udce9` for the byte 0xE9), which
SQLite, JSON and Qt all refuse. Paths that are valid text stay exactly as they are everywhere;
only the rare others take the forms below, so nothing changes for existing libraries.

- **Stored** (SQLite): as a BLOB holding the file system's bytes (`os.fsencode`); lossless.
- **Written** (JSON, terminal, dialogs, logs): each byte that is not valid UTF-8 as `\xHH`, and
  each backslash as `\\` (only in such paths), so the text is valid UTF-8 and can be turned back
  into the exact bytes; JSON records also carry `path_bytes` (base64 of the raw bytes).
- **Read back** (a path given on the command line): taken as written when that file is known,
  else un-escaped.
"""

from __future__ import annotations

import base64
import os
import re

_ESCAPE = re.compile(rb"\\(\\|x[0-9a-fA-F]{2})")


def is_text(path: str) -> bool:
    """Whether a path is valid Unicode text (true for nearly every path)."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def to_db(path: str) -> str | bytes:
    """The value stored in SQLite: the path itself, or its raw bytes when it is not text."""
    return path if is_text(path) else os.fsencode(path)


def from_db(value: str | bytes) -> str:
    """A path as read from SQLite (the inverse of `to_db`)."""
    return os.fsdecode(value) if isinstance(value, bytes) else value


def display(path: str) -> str:
    r"""Valid UTF-8 text for any path: undecodable bytes as `\xHH`, backslashes doubled.

    Paths that are valid text are returned unchanged.
    """
    if is_text(path):
        return path
    raw = os.fsencode(path).replace(b"\\", b"\\\\")
    return raw.decode("utf-8", "backslashreplace")


def parse(text: str) -> str:
    """The path a `display` text stands for; `text` itself when it is not such an escape."""
    if "\\" not in text or not is_text(text):
        return text

    def unescape(match: re.Match[bytes]) -> bytes:
        token = match.group(1)
        return b"\\" if token == b"\\" else bytes([int(token[1:], 16)])

    candidate = os.fsdecode(_ESCAPE.sub(unescape, text.encode("utf-8")))
    return candidate if not is_text(candidate) and display(candidate) == text else text


def json_fields(path: str, key: str = "path") -> dict[str, str]:
    """`{key: display text}`, plus `{key}_bytes` (base64 of the raw bytes) for non-text paths."""
    if is_text(path):
        return {key: path}
    raw = base64.b64encode(os.fsencode(path)).decode("ascii")
    return {key: display(path), f"{key}_bytes": raw}
