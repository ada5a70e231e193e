"""Helpers for the render and build tests: a quick brand, recipes, and measuring what was made.

Builds in these tests run real ffmpeg at ``draft`` quality (960×540) on tiny generated clips, with
the workspace's brand shortened (1-second intro and outro) to keep the suite fast; one test builds
the full-size default.
"""

from __future__ import annotations

import re
from pathlib import Path

import av
import numpy as np
from PIL import Image

from mlprod.config import Settings
from mlprod.media.ffmpeg import run_ffmpeg

FAST_BRAND = {"intro": 1.0, "outro": 1.0, "lower_third": 1.0, "offer_card": 1.0}


def quick_brand(settings: Settings, **seconds: float) -> None:
    """Shorten the workspace brand's cards (a user may edit brand.toml just so)."""
    path = settings.brand_dir() / "brand.toml"
    text = path.read_text(encoding="utf-8")
    for section, value in {**FAST_BRAND, **seconds}.items():
        text = re.sub(rf"(\[{section}\]\nseconds = )[0-9.]+", rf"\g<1>{value}", text)
    path.write_text(text, encoding="utf-8")


def write_recipe(settings: Settings, name: str, text: str) -> Path:
    path = settings.recipes_dir / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def tutorial(*clips: str, title: str = "Préparer son entretien", extra: str = "",
             formats: str = "", quality: str = "draft") -> str:
    """A tutorial recipe; each clip is YAML for one list item, e.g. "file: /x.mp4\\n    end: 1"."""
    items = "".join(f"  - {c}\n" for c in clips)
    output = f"output:\n  quality: {quality}\n" + (f"  formats: [{formats}]\n" if formats else "")
    return f"kind: tutorial\ntitle: \"{title}\"\n{extra}clips:\n{items}{output}"


def loudness(path: Path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) as ffmpeg's ebur128 filter measures them."""
    done = run_ffmpeg(["-v", "info", "-nostats", "-i", str(path), "-af", "ebur128=peak=true",
                       "-f", "null", "-"], what="measuring loudness")
    summary = done.stderr_tail[done.stderr_tail.rindex("Summary:"):]
    integrated = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    peak = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    assert integrated and peak, summary
    return float(integrated.group(1)), float(peak.group(1))


def frame_at(path: Path, seconds: float) -> np.ndarray:
    """The decoded picture shown at ``seconds`` (RGB)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            if frame.time is not None and frame.time >= seconds - 1e-3:
                return frame.to_ndarray(format="rgb24")
    raise AssertionError(f"{path} has no frame at {seconds} s")


def jpeg_size(path: Path) -> tuple[str | None, tuple[int, int]]:
    with Image.open(path) as img:
        return img.format, img.size


def leftovers(folder: Path) -> list[Path]:
    """Temporary files or folders a build may have left (there must be none)."""
    if not folder.exists():
        return []
    return [p for p in folder.rglob("*") if ".partial" in p.name or p.name.endswith(".tmp")]


def top_level_boxes(path: Path) -> list[str]:
    """The MP4's top-level boxes in order (faststart puts moov before mdat)."""
    names = []
    with open(path, "rb") as handle:
        while header := handle.read(8):
            size, name = int.from_bytes(header[:4], "big"), header[4:8].decode("latin-1")
            names.append(name)
            if size == 1:
                size = int.from_bytes(handle.read(8), "big") - 8
            handle.seek(size - 8, 1)
    return names


def make_media(path: Path, *args: str) -> Path:
    """A test file made by ffmpeg from lavfi sources: ``args`` are everything between the
    binary's options and the output path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    run_ffmpeg([*args, str(path)], what=f"making test media {path.name}")
    return path


def samples_of(path: Path, start: float = 0.0, seconds: float | None = None) -> np.ndarray:
    """The decoded sound of ``path`` mixed to mono (float, 48 kHz), from ``start``."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="flt", layout="mono", rate=48000)
        chunks = [out.to_ndarray()[0] for frame in container.decode(stream)
                  for out in resampler.resample(frame)]
    sound = np.concatenate(chunks)
    first = round(start * 48000)
    return sound[first:] if seconds is None else sound[first:first + round(seconds * 48000)]


def tone_level(sound: np.ndarray, frequency: float) -> float:
    """The level (dB) of one frequency in ``sound``: the band around it in a Hann-windowed
    spectrum, so other tones in the mix do not count."""
    window = np.hanning(len(sound))
    spectrum = np.abs(np.fft.rfft(sound * window))
    bins = np.fft.rfftfreq(len(sound), 1 / 48000)
    band = spectrum[np.abs(bins - frequency) <= 20]
    return float(20 * np.log10(np.sqrt((band ** 2).sum()) / window.sum() * 2 + 1e-12))


def damage_sound(path: Path, start: float, end: float) -> None:
    """Overwrite the sound packets between ``start`` and ``end`` with random bytes, in place."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        spots = [(packet.pos, packet.size) for packet in container.demux(stream)
                 if packet.pts is not None and packet.size and packet.pos is not None
                 and start <= float(packet.pts * stream.time_base) < end]
    noise = np.random.default_rng(1)
    with open(path, "r+b") as handle:
        for pos, size in spots:
            handle.seek(pos)
            handle.write(noise.integers(0, 256, size, dtype=np.uint8).tobytes())


def stream_timing(path: Path) -> dict[str, object]:
    """What a player sees of an MP4, read from its packets like ffprobe -show_packets would:
    video frame count, sorted presentation times and decode order, each stream's end in seconds."""
    found: dict[str, object] = {}
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        packets = [p for p in container.demux(video) if p.size and p.pts is not None]
        found["frames"] = len(packets)
        found["pts"] = sorted(p.pts for p in packets)
        found["dts"] = [p.dts for p in packets]
        found["video_end"] = max(float((p.pts + p.duration) * video.time_base) for p in packets)
        found["video_time_base"] = video.time_base
    with av.open(str(path)) as container:
        sound = container.streams.audio[0]
        packets = [p for p in container.demux(sound) if p.size and p.pts is not None]
        found["audio_end"] = max(float((p.pts + p.duration) * sound.time_base) for p in packets)
    return found


def grey_frames(path: Path, width: int = 240, height: int = 136) -> list[np.ndarray]:
    """Every decoded picture, grey and small (enough to tell frames apart, little memory)."""
    with av.open(str(path)) as container:
        return [f.reformat(width=width, height=height, format="gray").to_ndarray().astype(np.int16)
                for f in container.decode(video=0)]


def cached_files(settings: Settings) -> list[Path]:
    """Every file in the render cache's stores (pieces, sound, thumbnails), records included."""
    return sorted(p for name in ("pieces", "audio", "thumbnails")
                  for p in (settings.cache_dir / name).rglob("*") if p.is_file())


def rendered(outcomes: object) -> list[str]:
    """The labels of the parts of a build that were rendered (not reused)."""
    return [o.label for o in outcomes if o.rendered]  # type: ignore[attr-defined]
