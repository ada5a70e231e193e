"""Pillow helpers shared by cards, lower thirds and thumbnails: brand fonts, wrapped text, logos.

Text is always drawn with the brand's own TTF files, never a system font.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from mlprod.errors import MediaError

Rgba = tuple[int, int, int, int]


def rgb(color: str, alpha: int = 255) -> Rgba:
    """"#E6007E" → (230, 0, 126, alpha)."""
    value = color.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16), alpha


@lru_cache(maxsize=64)
def font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), max(int(size), 4))


def font_family(path: Path) -> tuple[str, bool]:
    """The family name inside a TTF and whether it is bold, as libass looks fonts up."""
    family, style = ImageFont.truetype(str(path), 12).getname()
    return family or path.stem, "bold" in (style or "").lower()


def text_width(text: str, face: ImageFont.FreeTypeFont) -> float:
    return face.getlength(text)


def wrap(text: str, face: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    """Greedy word wrap; a word longer than the line stays whole on its own line."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}".strip()
            if line and text_width(candidate, face) > max_width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def fit_text(text: str, path: Path, size: int, max_width: float, max_lines: int,
             min_size: int) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest font (from ``size`` down to ``min_size``) that wraps ``text`` in ``max_lines``."""
    current = size
    while True:
        face = font(path, current)
        lines = wrap(text, face, max_width)
        fits = len(lines) <= max_lines and all(text_width(ln, face) <= max_width for ln in lines)
        if fits:
            return face, lines
        if current <= min_size:  # still too long at the smallest size: cut, and say so
            kept = lines[:max_lines]
            kept[-1] = kept[-1].rstrip(" .,;:") + "…"
            return face, kept
        current = max(int(current * 0.9), min_size)


@dataclass(frozen=True)
class TextStyle:
    path: Path
    size: int
    color: str
    align: str = "center"           # center | left
    spacing: float = 1.18           # line height as a share of the font size
    stroke: int = 0
    stroke_color: str = "#000000"


def text_block(lines: list[str], face: ImageFont.FreeTypeFont, style: TextStyle) -> Image.Image:
    """A transparent image just big enough for ``lines``."""
    line_height = int(face.size * style.spacing)
    widths = [int(text_width(ln, face)) for ln in lines]
    pad = style.stroke + 2
    width = max(widths, default=1) + 2 * pad
    ascent, descent = face.getmetrics()
    height = line_height * (len(lines) - 1) + ascent + descent + 2 * pad
    img = Image.new("RGBA", (max(width, 1), max(height, 1)), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    for i, (line, w) in enumerate(zip(lines, widths, strict=True)):
        x = pad + ((width - 2 * pad - w) // 2 if style.align == "center" else 0)
        draw.text((x, pad + i * line_height), line, font=face, fill=rgb(style.color),
                  stroke_width=style.stroke, stroke_fill=rgb(style.stroke_color))
    return img


def styled_text(text: str, style: TextStyle, max_width: float, max_lines: int = 3) -> Image.Image:
    face, lines = fit_text(text, style.path, style.size, max_width, max_lines, max(style.size // 2, 8))
    return text_block(lines, face, style)


def load_logo(path: Path, box: int) -> Image.Image:
    """A logo scaled to fit a ``box``-pixel square, or MediaError naming the file."""
    try:
        with Image.open(path) as img:
            logo = img.convert("RGBA")
    except FileNotFoundError:
        raise MediaError(f"{path}: logo not found — check the path") from None
    except (UnidentifiedImageError, OSError) as err:
        raise MediaError(f"{path}: not a readable image ({err}) — use a PNG or JPEG logo") from err
    scale = box / max(logo.size)
    size = (max(round(logo.width * scale), 1), max(round(logo.height * scale), 1))
    return logo.resize(size, Image.Resampling.LANCZOS)
