"""The thumbnail: a 1280×720 JPEG under 2 MB, a frame of the first clip with the title on it."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

from mlprod.brand import Brand
from mlprod.media.ffmpeg import run_ffmpeg
from mlprod.render.drawing import TextStyle, load_logo, rgb, styled_text
from mlprod.render.plan import Timeline

SIZE = (1280, 720)
MAX_BYTES = 2_000_000
FRAME_AT = 0.4            # the picture is taken this far into the first clip


def grab_args(timeline: Timeline, target: Path) -> list[str]:
    """ffmpeg arguments for one representative frame, filling 1280×720 (cropped, not distorted)."""
    first = timeline.clip_segments()[0]
    at = first.cut.start + timeline.seconds(first.frames) * FRAME_AT
    width, height = SIZE
    return ["-ss", f"{at:.3f}", "-i", str(first.cut.path), "-frames:v", "1", "-vf",
            f"scale={width}:{height}:force_original_aspect_ratio=increase,crop={width}:{height},setsar=1",
            "-update", "1", str(target)]


def compose(frame: Image.Image, title: str, brand: Brand) -> Image.Image:
    """The title in the brand's bold font on a darkened lower half, the logo in a corner."""
    width, height = SIZE
    picture = frame.convert("RGB").resize(SIZE)
    # transparent over the top third, then darker and darker in the brand colour towards the bottom
    mask = Image.linear_gradient("L").resize(SIZE).point(lambda v: max(0, v - 85) * 210 // 170)
    picture.paste(Image.new("RGB", SIZE, rgb(brand.secondary)[:3]), (0, 0), mask)
    style = TextStyle(brand.title_font, 86, brand.text_color, align="left", stroke=4,
                      stroke_color="#000000")
    text = styled_text(title, style, width * 0.86, max_lines=3)
    margin = 60
    y = height - margin - text.height
    draw = ImageDraw.Draw(picture)
    draw.rectangle((margin, y - 26, margin + 150, y - 12), fill=rgb(brand.primary)[:3])
    picture.paste(text, (margin - 4, y), text)
    logo = load_logo(brand.logo, 140)
    picture.paste(logo, (width - margin - logo.width, margin), logo)
    return picture


def save_jpeg(picture: Image.Image, path: Path) -> None:
    """JPEG, lowering the quality until it is under YouTube's 2 MB."""
    for quality in (90, 82, 72, 60, 45):
        picture.save(path, "JPEG", quality=quality, optimize=True, progressive=True)
        if path.stat().st_size < MAX_BYTES:
            return


def make_thumbnail(timeline: Timeline, brand: Brand, target: Path, work_dir: Path,
                   binary: str | None = None) -> Path:
    frame_path = work_dir / "thumbnail-frame.png"
    source = timeline.clip_segments()[0].cut
    run_ffmpeg(grab_args(timeline, frame_path), what=f"taking the thumbnail's picture from {source.path}",
               binary=binary)
    with Image.open(frame_path) as frame:
        picture = compose(frame, timeline.title, brand)
    save_jpeg(picture, target)
    return target
