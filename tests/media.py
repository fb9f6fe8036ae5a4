"""Photos and videos for the attachment tests, made here (nothing downloaded): a phone-like
JPEG with its GPS position and orientation in EXIF, HEIC/PNG/WebP the same, and a tiny
MP4 whose first box is a real `ftyp`."""

from __future__ import annotations

import io

from PIL import Image

GPS_IFD, ORIENTATION = 0x8825, 0x0112
JAKARTA = {1: "S", 2: (6.0, 12.0, 30.0), 3: "E", 4: (106.0, 49.0, 0.0)}


def photo(fmt: str = "JPEG", size: tuple[int, int] = (64, 48),
          colour: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    """A photo as a phone saves it: turned (orientation 6) and with where it was taken."""
    import pillow_heif  # noqa: F401  (registers HEIF saving)

    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[GPS_IFD] = JAKARTA
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, fmt, exif=exif.tobytes())
    return out.getvalue()


def noisy_photo(size: tuple[int, int] = (200, 200), fmt: str = "PNG") -> bytes:
    """A photo that does not compress: its size in bytes is about 3 × its pixels."""
    import os

    out = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(out, fmt)
    return out.getvalue()


def mp4(payload: bytes = b"\x00" * 2048) -> bytes:
    """The start of an MP4 file (ftyp isom, then an mdat box): what the type check reads."""
    ftyp = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
    mdat = (8 + len(payload)).to_bytes(4, "big") + b"mdat" + payload
    return ftyp + mdat


def exif_of(data: bytes) -> Image.Exif:
    with Image.open(io.BytesIO(data)) as image:
        return image.getexif()


def mov(payload: bytes = b"\x00" * 2048) -> bytes:
    """The start of a QuickTime file (ftyp qt, what iPhones record), then an mdat box."""
    ftyp = b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  "
    return ftyp + (8 + len(payload)).to_bytes(4, "big") + b"mdat" + payload
