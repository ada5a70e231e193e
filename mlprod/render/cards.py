"""Animated cards (intro, offer card, outro) and lower-third pictures.

A card is a :class:`Scene`: a background and layers (logo, title, lines) that slide and fade in one
after another. moviepy's :class:`VideoClip` turns the scene's drawing function into frames; PyAV
encodes them in-process to a near-lossless H.264 intermediate, which the card's piece is then
encoded from by ffmpeg like any clip (so every piece is encoded alike). The piece is what is
cached, under a key of its text, logo content, brand, size, frames and :data:`CARDS_VERSION`.
Nothing per-frame in Python touches the recipe's clips.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from mlprod.brand import Brand
from mlprod.render.drawing import TextStyle, load_logo, rgb, styled_text
from mlprod.render.plan import Card, LowerThird

CARDS_VERSION = "cards-3"
APPEAR = 0.45            # seconds a layer takes to slide and fade in
STAGGER = 0.18           # seconds between two layers appearing
WIPE = 0.6               # seconds the accent band takes to cross the frame
FADE_OUT = 0.3           # the intro fades to black this long before the first clip
CARD_CRF = "12"          # an intermediate: near-lossless, decoded once by the main render


@dataclass(frozen=True)
class Layer:
    image: Image.Image   # RGBA
    x: int
    y: int
    appear: float
    rise: int = 0        # pixels it travels up while appearing


@dataclass
class Scene:
    width: int
    height: int
    background: Image.Image           # RGB
    accent: str
    layers: list[Layer] = field(default_factory=list)
    fade_out: float = 0.0
    duration: float = 0.0


def _ease(k: float) -> float:
    k = min(max(k, 0.0), 1.0)
    return k * k * (3 - 2 * k)


def _background(width: int, height: int, brand: Brand) -> Image.Image:
    """The brand's deep colour with a lighter diagonal sweep in the upper right."""
    img = Image.new("RGB", (width, height), rgb(brand.secondary)[:3])
    draw = ImageDraw.Draw(img, "RGBA")
    draw.polygon([(width * 0.55, 0), (width, 0), (width, height * 0.7)], fill=(255, 255, 255, 18))
    draw.polygon([(width * 0.75, 0), (width, 0), (width, height * 0.35)], fill=(*rgb(brand.primary)[:3], 60))
    return img


def _stack(scene: Scene, blocks: list[tuple[Image.Image, int]], start: float, left: int | None = None,
           top: int | None = None) -> float:
    """Lay ``blocks`` (image, gap above) out in a column centred vertically, appearing in turn."""
    total = sum(img.height + gap for img, gap in blocks)
    y = (scene.height - total) // 2 if top is None else top
    when = start
    rise = scene.height // 40
    for img, gap in blocks:
        y += gap
        x = (scene.width - img.width) // 2 if left is None else left
        scene.layers.append(Layer(img, x, y, when, rise))
        y += img.height
        when += STAGGER
    return when


def _title_style(brand: Brand, size: int) -> TextStyle:
    return TextStyle(brand.title_font, size, brand.text_color)


def _body_style(brand: Brand, size: int, align: str = "center") -> TextStyle:
    return TextStyle(brand.body_font, size, brand.text_color, align=align)


def intro_scene(card: Card, brand: Brand, width: int, height: int) -> Scene:
    unit = min(width, height)
    scene = Scene(width, height, _background(width, height, brand), brand.primary, fade_out=FADE_OUT)
    logo = load_logo(brand.logo, int(unit * 0.26))
    title = styled_text(card.title, _title_style(brand, int(unit * 0.085)), width * 0.84, max_lines=3)
    bar = Image.new("RGBA", (int(unit * 0.16), max(unit // 90, 4)), rgb(brand.primary))
    _stack(scene, [(logo, 0), (title, int(unit * 0.06)), (bar, int(unit * 0.03))], start=0.1)
    return scene


def outro_scene(card: Card, brand: Brand, width: int, height: int) -> Scene:
    unit = min(width, height)
    scene = Scene(width, height, _background(width, height, brand), brand.primary)
    logo = load_logo(brand.logo, int(unit * 0.2))
    title = styled_text(card.title, _title_style(brand, int(unit * 0.075)), width * 0.86, max_lines=2)
    button = _button("▶  S'abonner", brand, int(unit * 0.05))
    blocks = [(logo, 0), (title, int(unit * 0.04)), (button, int(unit * 0.04))]
    body = _body_style(brand, int(unit * 0.042))
    blocks += [(styled_text(line, body, width * 0.9, 2), int(unit * (0.05 if i == 0 else 0.012)))
               for i, line in enumerate(card.lines)]
    _stack(scene, blocks, start=0.1)
    return scene


def _button(label: str, brand: Brand, size: int) -> Image.Image:
    text = styled_text(label, _title_style(brand, size), size * 20, 1)
    pad_x, pad_y = size, size // 2
    img = Image.new("RGBA", (text.width + 2 * pad_x, text.height + 2 * pad_y), (0, 0, 0, 0))
    ImageDraw.Draw(img).rounded_rectangle((0, 0, img.width - 1, img.height - 1), radius=img.height // 2,
                                          fill=rgb(brand.primary))
    img.alpha_composite(text, (pad_x, pad_y))
    return img


def offer_scene(card: Card, brand: Brand, width: int, height: int) -> Scene:
    """The offer card: heading, position, then one row per fact (contract, start, place, contact)."""
    unit = min(width, height)
    scene = Scene(width, height, _background(width, height, brand), brand.primary)
    margin = int(width * 0.08)
    column = width - 2 * margin
    heading = styled_text(card.heading, TextStyle(brand.title_font, int(unit * 0.045), brand.primary,
                                                  align="left"), column, 2)
    heading = _on_plate(heading, unit // 60)
    title = styled_text(card.title, TextStyle(brand.title_font, int(unit * 0.08), brand.text_color,
                                              align="left"), column, 2)
    rows = [_row(line, brand, int(unit * 0.048), column) for line in card.lines]
    blocks = [(heading, 0), (title, int(unit * 0.03))]
    blocks += [(row, int(unit * (0.05 if i == 0 else 0.018))) for i, row in enumerate(rows)]
    end = _stack(scene, blocks, start=0.1, left=margin)
    if card.logo is not None:
        logo = load_logo(card.logo, int(unit * 0.18))
        scene.layers.append(Layer(logo, width - margin - logo.width, int(unit * 0.06), end, 0))
    return scene


def _on_plate(text: Image.Image, pad: int) -> Image.Image:
    """Text on a white rounded plate, so the brand colour reads on the brand background."""
    img = Image.new("RGBA", (text.width + 2 * pad, text.height + pad), (0, 0, 0, 0))
    ImageDraw.Draw(img).rounded_rectangle((0, 0, img.width - 1, img.height - 1), radius=pad,
                                          fill=(255, 255, 255, 255))
    img.alpha_composite(text, (pad, pad // 2))
    return img


def _row(line: str, brand: Brand, size: int, column: int) -> Image.Image:
    text = styled_text(line, _body_style(brand, size, align="left"), column - size * 1.2, 2)
    img = Image.new("RGBA", (text.width + int(size * 1.2), text.height), (0, 0, 0, 0))
    dot = size // 3
    top = int(size * 0.45)
    ImageDraw.Draw(img).rectangle((0, top, dot, top + dot), fill=rgb(brand.primary))
    img.alpha_composite(text, (int(size * 1.2), 0))
    return img


SCENES = {"intro": intro_scene, "outro": outro_scene, "offer": offer_scene}


def draw_frame(scene: Scene, t: float) -> np.ndarray:
    """The scene at ``t`` seconds as an RGB array."""
    frame = scene.background.copy()
    draw = ImageDraw.Draw(frame)
    band = max(scene.height // 60, 4)
    draw.rectangle((0, scene.height - band, int(scene.width * _ease(t / WIPE)), scene.height),
                   fill=rgb(scene.accent)[:3])
    for layer in scene.layers:
        k = _ease((t - layer.appear) / APPEAR)
        if k <= 0:
            continue
        alpha = layer.image.getchannel("A")
        if k < 1:
            alpha = alpha.point([int(v * k) for v in range(256)])
        y = layer.y + int(layer.rise * (1 - k))
        frame.paste(layer.image.convert("RGB"), (layer.x, y), alpha)
    pixels = np.asarray(frame)
    if scene.fade_out and t > scene.duration - scene.fade_out:
        k = max(scene.duration - t, 0.0) / scene.fade_out
        # in 16-bit integers: a float copy of a 1080p frame would take 50 MB for a moment
        pixels = ((pixels.astype(np.uint16) * round(k * 256)) >> 8).astype(np.uint8)
    return pixels


def _pace(scene: Scene, duration: float) -> None:
    """Bring the layers' entrances closer on a short card: all are in by 60% of its duration."""
    scene.duration = duration
    last = max((layer.appear for layer in scene.layers), default=0.0)
    room = 0.6 * duration - APPEAR
    if last > 0 and last > room:
        factor = max(room, 0.0) / last
        scene.layers = [replace(layer, appear=layer.appear * factor) for layer in scene.layers]


def frame_state(scene: Scene, t: float) -> tuple[float, ...]:
    """What :func:`draw_frame` depends on at ``t``: equal states draw equal pictures."""
    wipe = float(int(scene.width * _ease(t / WIPE)))
    layers = tuple(_ease((t - layer.appear) / APPEAR) for layer in scene.layers)
    fade = 1.0
    if scene.fade_out and t > scene.duration - scene.fade_out:
        fade = max(scene.duration - t, 0.0) / scene.fade_out
    return (wipe, *layers, fade)


def draw_card(card: Card, brand: Brand, size: tuple[int, int], fps: int, frames: int, target: Path) -> Path:
    """The card, ``size`` pixels, as a near-lossless video of exactly ``frames`` frames at ``target``.

    An intermediate: the card's piece is encoded from it like a clip, by the same ffmpeg.
    """
    scene = SCENES[card.kind](card, brand, *size)
    _pace(scene, frames / fps)
    target.parent.mkdir(parents=True, exist_ok=True)
    _encode(scene, fps, frames, target)
    return target


def _encode(scene: Scene, fps: int, frames: int, path: Path) -> None:
    """Draw every frame through moviepy and encode it with PyAV (BT.709, like the final video).

    Most of a card holds still once its layers are in: a frame whose state is unchanged is not
    drawn again, only encoded again.
    """
    import av
    from moviepy import VideoClip

    clip = VideoClip(frame_function=lambda t: draw_frame(scene, t), duration=frames / fps)
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = scene.width, scene.height, "yuv420p"
        stream.options = {"crf": CARD_CRF, "preset": "ultrafast", "threads": "1"}
        stream.codec_context.colorspace = 1          # AVCOL_SPC_BT709
        stream.codec_context.color_primaries = 1
        stream.codec_context.color_trc = 1
        drawn: tuple[float, ...] | None = None
        picture = None
        for index in range(frames):
            state = frame_state(scene, index / fps)
            if picture is None or state != drawn:
                picture = av.VideoFrame.from_ndarray(clip.get_frame(index / fps), format="rgb24")
                picture = picture.reformat(format="yuv420p", dst_colorspace="ITU709")
                drawn = state
            picture.pts = index
            for packet in stream.encode(picture):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


@dataclass(frozen=True)
class Overlay:
    """A picture laid over the video between two times, sliding in from the left."""

    path: Path
    x: int
    y: int
    width: int
    height: int
    start: float
    end: float


def lower_third_image(lower: LowerThird, brand: Brand, width: int, height: int) -> Image.Image:
    unit = min(width, height)
    name = styled_text(lower.name, TextStyle(brand.title_font, int(unit * 0.05), brand.text_color,
                                             align="left"), width * 0.6, 1)
    blocks = [name]
    if lower.role:
        blocks.append(styled_text(lower.role, TextStyle(brand.body_font, int(unit * 0.034),
                                                        brand.text_color, align="left"),
                                  width * 0.6, 2))
    pad, accent = int(unit * 0.022), max(int(unit * 0.012), 3)
    width = max(b.width for b in blocks) + 2 * pad + accent
    height = sum(b.height for b in blocks) + 2 * pad
    img = Image.new("RGBA", (width, height), rgb(brand.secondary, 225))
    ImageDraw.Draw(img).rectangle((0, 0, accent - 1, height), fill=rgb(brand.primary))
    y = pad
    for block in blocks:
        img.alpha_composite(block, (accent + pad, y))
        y += block.height
    return img


def render_lower_third(lower: LowerThird, brand: Brand, width: int, height: int, folder: Path) -> Overlay:
    """The lower third as a PNG in ``folder``, placed above the subtitles' two lines at bottom left."""
    image = lower_third_image(lower, brand, width, height)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "lower-third.png"
    image.save(target)
    subtitle_room = 2.4 * brand.subtitle_size * min(width, height)
    bottom = height * (1 - brand.subtitle_margin_bottom) - subtitle_room
    return Overlay(path=target, x=int(width * 0.05), y=int(bottom - image.height),
                   width=image.width, height=image.height, start=lower.start, end=lower.end)
