"""Bytes -> text: encodings, byte order marks, and where an undecodable byte is."""

from __future__ import annotations

from typing import NamedTuple

from policylint.source.positions import LineIndex, Range

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")


class DecodedText(NamedTuple):
    """Text of a file; offsets and columns are counted in this text (a UTF-8 BOM is dropped)."""

    text: str
    had_bom: bool = False


class DecodeError(ValueError):
    def __init__(self, message: str, range: Range | None) -> None:
        super().__init__(message)
        self.message = message
        self.range = range


def decode(data: bytes) -> DecodedText:
    """Decode a policy file: UTF-8, with or without a BOM. Anything else is a DecodeError."""
    if data.startswith(_UTF32_BOMS):
        raise DecodeError("file is UTF-32 encoded; policies must be UTF-8", None)
    if data.startswith(_UTF16_BOMS):
        raise DecodeError("file is UTF-16 encoded; policies must be UTF-8", None)
    if len(data) >= 4 and (data[0] and not data[1] and data[2] and not data[3] or not data[0] and data[1] and not data[2] and data[3]):
        raise DecodeError("file is UTF-16 encoded; policies must be UTF-8", None)
    had_bom = data.startswith(_UTF8_BOM)
    if had_bom:
        data = data[len(_UTF8_BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        good = data[: error.start].decode("utf-8", errors="replace")
        lines = LineIndex(good)
        at = lines.position(len(good))
        raise DecodeError(
            f"file is not valid UTF-8: byte 0x{data[error.start]:02x} cannot start or continue a character",
            Range(start=at, end=at),
        ) from None
    return DecodedText(text=text, had_bom=had_bom)
