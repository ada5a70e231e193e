"""Subtitles on the final timeline: the .srt captions beside the video and the .ass file burned in.

Whatever the clips' subtitle files were (.srt, .vtt, .ass, any encoding), their cues are placed on
the final timeline by the planner; the .srt beside the video holds them all, and each piece burns
the ones shown on it from an .ass document in the brand's style, so libass draws every line alike:
the brand's bold font (looked up in the brand's fonts folder only), large (a share of the frame's
short side), outlined, and lifted above the player's controls.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from mlprod.brand import Brand
from mlprod.media.subtitles import Cue, write_srt
from mlprod.render.drawing import font_family
from mlprod.render.profile import OutputProfile

_TAGS = {"<i>": r"{\i1}", "</i>": r"{\i0}", "<b>": r"{\b1}", "</b>": r"{\b0}", "<u>": r"{\u1}",
         "</u>": r"{\u0}"}
_ANY_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def ass_color(color: str, alpha: int = 0) -> str:
    """"#RRGGBB" → libass's "&HAABBGGRR" (alpha 0 is opaque)."""
    value = color.lstrip("#").upper()
    return f"&H{alpha:02X}{value[4:6]}{value[2:4]}{value[0:2]}"


def ass_time(seconds: float) -> str:
    centis = max(round(seconds * 100), 0)
    hours, centis = divmod(centis, 360_000)
    minutes, centis = divmod(centis, 6000)
    secs, centis = divmod(centis, 100)
    return f"{hours}:{minutes:02d}:{secs:02d}.{centis:02d}"


def ass_text(text: str) -> str:
    """Cue text → an .ass Dialogue text: line breaks, simple HTML styling, literal braces."""
    text = text.replace("\\", "\u29f5").replace("{", "(").replace("}", ")")
    for tag, override in _TAGS.items():
        text = text.replace(tag, override)
    text = _ANY_TAG.sub("", text)
    return "\\N".join(line.strip() for line in text.splitlines())


def ass_header(brand: Brand, profile: OutputProfile) -> str:
    """The document up to its events: frame size and the brand's one style, in output pixels."""
    family, bold = font_family(brand.title_font)
    unit = profile.short_side
    size = round(brand.subtitle_size * unit)
    outline = max(round(brand.subtitle_outline * unit), 1)
    margin_v = round(brand.subtitle_margin_bottom * profile.height)
    margin_h = round(profile.width * 0.06)
    style = ",".join(str(v) for v in (
        "Brand", family, size, ass_color(brand.text_color), ass_color(brand.text_color),
        ass_color("#000000"), ass_color("#000000", 0x60), -1 if bold else 0, 0, 0, 0, 100, 100, 0, 0,
        1, outline, max(outline // 2, 1), 2, margin_h, margin_h, margin_v, 1))
    return "\n".join([
        "[Script Info]", "ScriptType: v4.00+", f"PlayResX: {profile.width}",
        f"PlayResY: {profile.height}", "WrapStyle: 0", "ScaledBorderAndShadow: yes",
        "YCbCr Matrix: TV.709", "",
        "[V4+ Styles]",
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour,"
        " Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline,"
        " Shadow, Alignment, MarginL, MarginR, MarginV, Encoding",
        f"Style: {style}", "",
        "[Events]",
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text", "",
    ])


def ass_events(cues: Iterable[Cue]) -> str:
    """One Dialogue line per cue, in time order, in the brand's style."""
    return "".join(f"Dialogue: 0,{ass_time(c.start)},{ass_time(c.end)},Brand,,0,0,0,,{ass_text(c.text)}\n"
                   for c in sorted(cues, key=lambda c: (c.start, c.end)))


def ass_document(cues: Iterable[Cue], brand: Brand, profile: OutputProfile) -> str:
    """The burned-in subtitles, in pixels of the output frame (PlayRes = frame size)."""
    return ass_header(brand, profile) + ass_events(cues)


def write_captions(cues: Iterable[Cue], path: Path) -> Path:
    """The captions to upload with the video (YouTube reads UTF-8 SubRip)."""
    write_srt(cues, path)
    return path
