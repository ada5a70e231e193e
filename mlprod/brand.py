"""Brands: the look of a video (colours, logo, fonts, card texts, subtitle and lower-third styles).

A brand is a folder under ``assets/brands/<name>/`` holding ``brand.toml``, ``logo.png`` and
``fonts/``. ``mlprod init`` writes the default one, ``ml-prod``: its logo is drawn here with
Pillow, its fonts (DejaVu, free licence copied beside them) come from matplotlib's package data.
"""

from __future__ import annotations

import hashlib
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

from mlprod.errors import ConfigError

BRAND_FILE = "brand.toml"

DEFAULT_BRAND_TOML = """\
# The ML Prod brand. Colours are #RRGGBB; paths are relative to this folder.
name = "ML Prod"
logo = "logo.png"
fps = 30

[colors]
primary = "#E6007E"      # magenta of the Mission Locale
secondary = "#1D3E8C"    # deep blue
text = "#FFFFFF"
background = "#1D3E8C"   # fills the frame around clips when fill = "color"

[fonts]
title = "fonts/DejaVuSans-Bold.ttf"
body = "fonts/DejaVuSans.ttf"

[intro]
seconds = 3.0

[outro]
seconds = 4.0
title = "Abonne-toi à ML Prod !"
lines = [
  "Mission Locale du Pays Salonais",
  "Ton avenir, on en parle ensemble",
  "04 90 56 21 74 — mlpayssalonais.fr",
]

[clips]
fill = "blur"            # blur: a blurred, darkened copy of the clip around it; color: the background colour

[subtitles]
size = 0.055             # text height as a share of the frame height
outline = 0.006          # outline thickness, same unit
margin_bottom = 0.12     # keeps lines above the player's controls

[lower_third]
seconds = 5.0

[offer_card]
seconds = 6.0

[music]
fade_seconds = 1.5
"""

FONT_FILES = ("DejaVuSans-Bold.ttf", "DejaVuSans.ttf")


@dataclass(frozen=True)
class Brand:
    name: str
    folder: Path
    logo: Path
    fps: int
    primary: str
    secondary: str
    text_color: str
    background: str
    title_font: Path
    body_font: Path
    intro_seconds: float
    outro_seconds: float
    outro_title: str
    outro_lines: tuple[str, ...]
    fill: str
    subtitle_size: float
    subtitle_outline: float
    subtitle_margin_bottom: float
    lower_third_seconds: float
    offer_card_seconds: float
    music_fade_seconds: float

    def fingerprint(self) -> str:
        """A hash over every file of the brand: a changed logo or colour invalidates builds."""
        digest = hashlib.sha256()
        for path in sorted(p for p in self.folder.rglob("*") if p.is_file()):
            digest.update(path.relative_to(self.folder).as_posix().encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        return digest.hexdigest()


def _color(value: object, where: str) -> str:
    text = str(value)
    if len(text) != 7 or not text.startswith("#") or any(c not in "0123456789abcdefABCDEF" for c in text[1:]):
        raise ConfigError(f"{where}: {text!r} is not a colour — write it as #RRGGBB, e.g. #E6007E")
    return text.upper()


def load_brand(folder: Path) -> Brand:
    """Read ``folder/brand.toml`` into a :class:`Brand`, checking every file it names exists."""
    toml_path = folder / BRAND_FILE
    if not toml_path.is_file():
        raise ConfigError(f"{folder}: no brand here (missing {BRAND_FILE}) — check the brand name,"
                          " or run `mlprod init` to write the default brand")
    try:
        data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ConfigError(f"{toml_path}: not valid TOML ({err})") from err
    try:
        colors, fonts = data["colors"], data["fonts"]
        sections = {k: data.get(k, {}) for k in ("intro", "outro", "clips", "subtitles", "lower_third",
                                                 "offer_card", "music")}
        files = {"logo": folder / data["logo"], "fonts.title": folder / fonts["title"],
                 "fonts.body": folder / fonts["body"]}
    except KeyError as err:
        raise ConfigError(f"{toml_path}: missing key {err} — compare with the default brand") from err
    for key, path in files.items():
        if not path.is_file():
            raise ConfigError(f"{toml_path}: {key}: {path} does not exist — check the path (relative to"
                              " the brand folder)")
    fill = str(sections["clips"].get("fill", "blur"))
    if fill not in ("blur", "color"):
        raise ConfigError(f"{toml_path}: clips.fill: {fill!r} — use \"blur\" or \"color\"")
    outro, subs = sections["outro"], sections["subtitles"]
    return Brand(
        name=str(data.get("name", folder.name)), folder=folder, logo=files["logo"],
        fps=int(data.get("fps", 30)),
        primary=_color(colors["primary"], f"{toml_path}: colors.primary"),
        secondary=_color(colors["secondary"], f"{toml_path}: colors.secondary"),
        text_color=_color(colors.get("text", "#FFFFFF"), f"{toml_path}: colors.text"),
        background=_color(colors.get("background", colors["secondary"]), f"{toml_path}: colors.background"),
        title_font=files["fonts.title"], body_font=files["fonts.body"],
        intro_seconds=float(sections["intro"].get("seconds", 3.0)),
        outro_seconds=float(outro.get("seconds", 4.0)),
        outro_title=str(outro.get("title", "Abonne-toi !")),
        outro_lines=tuple(str(x) for x in outro.get("lines", [])),
        fill=fill,
        subtitle_size=float(subs.get("size", 0.055)),
        subtitle_outline=float(subs.get("outline", 0.006)),
        subtitle_margin_bottom=float(subs.get("margin_bottom", 0.12)),
        lower_third_seconds=float(sections["lower_third"].get("seconds", 5.0)),
        offer_card_seconds=float(sections["offer_card"].get("seconds", 6.0)),
        music_fade_seconds=float(sections["music"].get("fade_seconds", 1.5)),
    )


def _font_dir() -> Path:
    import matplotlib

    return Path(matplotlib.__file__).parent / "mpl-data" / "fonts" / "ttf"


def draw_logo(path: Path, size: int = 512) -> None:
    """The ML Prod logo, drawn by us: a magenta rounded square, a play triangle, "ML PROD"."""
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 6, fill="#E6007E")
    s = size
    draw.polygon([(s * 0.38, s * 0.18), (s * 0.38, s * 0.52), (s * 0.66, s * 0.35)], fill="#FFFFFF")
    font = ImageFont.truetype(str(_font_dir() / "DejaVuSans-Bold.ttf"), int(s * 0.2))
    for text, y in (("ML", 0.56), ("PROD", 0.76)):
        box = draw.textbbox((0, 0), text, font=font)
        draw.text(((s - (box[2] - box[0])) / 2 - box[0], s * y - box[1] / 2), text, font=font, fill="#FFFFFF")
    tmp = path.with_suffix(".tmp.png")
    img.save(tmp)
    tmp.replace(path)


def write_default_brand(folder: Path) -> Brand:
    """Create the ``ml-prod`` brand in ``folder`` (files that already exist are kept)."""
    fonts = folder / "fonts"
    fonts.mkdir(parents=True, exist_ok=True)
    toml_path = folder / BRAND_FILE
    if not toml_path.exists():
        toml_path.write_text(DEFAULT_BRAND_TOML, encoding="utf-8")
    for name in (*FONT_FILES, "LICENSE_DEJAVU"):
        if not (fonts / name).exists():
            shutil.copyfile(_font_dir() / name, fonts / name)
    if not (folder / "logo.png").exists():
        draw_logo(folder / "logo.png")
    (folder / "README.txt").write_text(
        "Brand ML Prod. Logo drawn by mlprod (brand.py). Fonts: DejaVu Sans, free licence in"
        " fonts/LICENSE_DEJAVU, copied from matplotlib's package data.\n", encoding="utf-8")
    return load_brand(folder)
