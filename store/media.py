"""What an uploaded file really is, and a copy of it that is safe to keep and show.

The type comes from the first bytes, never from the name or the Content-Type a client
claims. Photos are decoded (a file that only starts like a JPEG is refused) and written
again without their location: phones put GPS coordinates in EXIF, and a customer's photo
of a parcel should not tell every agent where they live. HEIC, what iPhones send, becomes
JPEG, which every browser shows.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pillow_heif
from PIL import Image, ImageOps, UnidentifiedImageError

pillow_heif.register_heif_opener()

# Pillow refuses larger images as a decompression bomb; a 40-megapixel phone photo fits.
Image.MAX_IMAGE_PIXELS = 60_000_000

GPS_IFD = 0x8825
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
_MP4_BRANDS = {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1",
               b"M4V ", b"mmp4", b"dash", b"3gp4", b"3gp5", b"3gp6", b"3g2a"}


class UnsupportedMedia(ValueError):
    """Not a photo or video we take (or a damaged one)."""


@dataclass(frozen=True)
class MediaType:
    kind: str  # image | video
    content_type: str
    extension: str


JPEG = MediaType("image", "image/jpeg", "jpg")
PNG = MediaType("image", "image/png", "png")
WEBP = MediaType("image", "image/webp", "webp")
HEIC = MediaType("image", "image/heic", "heic")
MP4 = MediaType("video", "video/mp4", "mp4")
QUICKTIME = MediaType("video", "video/quicktime", "mov")
WEBM = MediaType("video", "video/webm", "webm")
_BY_CONTENT_TYPE = {t.content_type: t for t in (JPEG, PNG, WEBP, HEIC, MP4, QUICKTIME, WEBM)}


def by_content_type(content_type: str) -> MediaType | None:
    return _BY_CONTENT_TYPE.get(content_type.split(";")[0].strip().lower())


def sniff(data: bytes) -> MediaType:
    """The type of `data` from its first bytes; UnsupportedMedia for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"\x1a\x45\xdf\xa3"):  # Matroska/WebM (EBML header)
        return WEBM
    if data[4:8] == b"ftyp":
        brands = {data[8:12]} | {data[i:i + 4] for i in range(16, min(len(data), 64), 4)}
        if brands & _HEIF_BRANDS and data[8:12] in _HEIF_BRANDS:
            return HEIC
        if data[8:12] == b"qt  ":
            return QUICKTIME
        if brands & _MP4_BRANDS:
            return MP4
    raise UnsupportedMedia("Only photos (JPEG, PNG, WebP, HEIC) and videos (MP4, MOV, WebM)")


def cleaned(data: bytes) -> tuple[bytes, MediaType]:
    """The bytes to keep and their type: photos re-written without location (HEIC as
    JPEG), videos as they came."""
    media = sniff(data)
    if media.kind == "video":
        return data, media
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            return _without_location(image, media)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError) as error:
        raise UnsupportedMedia("The photo could not be read; it may be damaged") from error


def _without_location(image: Image.Image, media: MediaType) -> tuple[bytes, MediaType]:
    exif = image.getexif()
    exif.pop(GPS_IFD, None)  # the location; camera orientation and the rest stay
    options: dict = {"exif": exif.tobytes()}
    if image.info.get("icc_profile"):
        options["icc_profile"] = image.info["icc_profile"]  # keeps the colours right
    if media is HEIC:
        image = ImageOps.exif_transpose(image).convert("RGB")  # upright: its EXIF says so
        exif.pop(0x0112, None)  # orientation, already applied
        options.update(exif=exif.tobytes(), quality=90)
        media = JPEG
    elif media is JPEG:
        options["quality"] = "keep"  # the original's quantisation: no visible loss
    elif media is WEBP:
        options["lossless"] = image.info.get("lossless", False)
        options["quality"] = 90
    out = io.BytesIO()
    image.save(out, format=media.extension.replace("jpg", "jpeg").upper(), **options)
    return out.getvalue(), media


__all__ = ["HEIC", "JPEG", "MP4", "PNG", "QUICKTIME", "WEBM", "WEBP", "MediaType",
           "UnsupportedMedia", "by_content_type", "cleaned", "sniff"]
