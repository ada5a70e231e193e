"""Judging the files an employer sent by what they contain, never by their name or declared type.

Clips are probed (PyAV): a video stream that decodes, a duration, not truncated. Logos are opened
with Pillow and must really be PNG or JPEG. The extension of the stored file comes from what was
found; the employer's file name only appears in messages.
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from mlprod.errors import MediaError
from mlprod.intake.errors import UploadRefused
from mlprod.intake.storage import ReceivedFile
from mlprod.media.probe import probe

MAX_LOGO_PIXELS = 40_000_000
_CONTAINERS = {"mov": "mp4", "mp4": "mp4", "matroska": "mkv", "webm": "webm", "avi": "avi",
               "mpegts": "ts", "mpeg": "mpg", "flv": "flv", "asf": "wmv", "3gp": "3gp"}
_LOGO_FORMATS = {"PNG": "png", "JPEG": "jpg"}
_PICTURES = {"PNG", "JPEG", "GIF", "BMP", "WEBP", "TIFF", "ICO", "MPO", "HEIF", "AVIF", "PPM"}
EXPORT_HINT = "Envoyez la vidéo telle qu'elle sort du téléphone ou de la caméra (MP4 ou MOV)."


@dataclass(frozen=True)
class CheckedFile:
    received: ReceivedFile
    role: str                  # clip | logo
    extension: str             # from the content
    media_format: str
    duration: float | None


def _is_image(item: ReceivedFile) -> str | None:
    try:
        with Image.open(item.path) as img:
            kind = str(img.format or "")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        return None
    return kind if kind in _PICTURES else None  # Pillow also "opens" some MPEG video streams


def check_clip(item: ReceivedFile) -> CheckedFile:
    """A real, complete video, or a French refusal naming the employer's file."""
    name = f"« {item.original_name} »"
    image = _is_image(item)
    if image is not None:
        raise UploadRefused(f"Le fichier {name} est une image ({image}), pas une vidéo. Pour une photo ou"
                            f" un logo, utilisez le champ « Logo ». {EXPORT_HINT}")
    try:
        info = probe(item.path)
    except MediaError as err:
        raise UploadRefused(f"Le fichier {name} n'est pas une vidéo lisible : il est abîmé, incomplet ou"
                            f" d'un autre type. {EXPORT_HINT}") from err
    if not info.has_video:
        raise UploadRefused(f"Le fichier {name} ne contient que du son, pas d'image. {EXPORT_HINT}")
    family = info.format_name.split(",")[0]
    return CheckedFile(received=item, role="clip", extension=_CONTAINERS.get(family, family[:8] or "video"),
                       media_format=info.format_name[:40], duration=round(info.duration, 3))


def check_logo(item: ReceivedFile) -> CheckedFile:
    """A real PNG or JPEG picture that decodes, or a French refusal."""
    name = f"« {item.original_name} »"
    refused = UploadRefused(f"Le logo {name} n'est pas une image PNG ou JPEG valable. Enregistrez-le en"
                            " PNG ou en JPEG et envoyez-le à nouveau (ou laissez ce champ vide).")
    try:
        with Image.open(item.path) as img:
            kind = img.format or ""
            if kind not in _LOGO_FORMATS or img.width * img.height > MAX_LOGO_PIXELS:
                raise refused
            img.verify()  # reads the whole file: a truncated or corrupt picture fails here
        with Image.open(item.path) as img:
            img.load()    # verify() skips decoding; a broken stream fails here
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as err:
        raise refused from err
    return CheckedFile(received=item, role="logo", extension=_LOGO_FORMATS[kind], media_format=kind.lower(),
                       duration=None)
