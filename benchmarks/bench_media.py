"""Real-world media: what probing and the finished sound cost on a 10-minute input.

Measured, wall and CPU time (this process and its ffmpeg children):

  probe          probe() of a 10-minute 640×360 H.264/AAC clip (header, 600 packets, the end)
  sound gaps     sound_gaps() of the same clip: its sound decoded in full (what validate and build add)
  live webm      probe() of a 10-minute VP9/Opus WebM with no duration nor index (read to its end)
  audio, speech  measure_levels() + render_audio() for a 10-minute timeline of that clip (speech-like)
  audio, drums   the same picture without sound, under a 10-minute music bed of drum hits (the music is
                 the programme: the limiter works, the AAC encoder raises peaks, so it is encoded
                 again until it keeps −14 LUFS and ≤ −1 dBTP); encodes counted
  bwdif          a 60-second 720×576 25i clip through the per-clip chain (filters.py) to 1920×1080,
                 with and without the deinterlacer; and BT.601→709 against plain relabelling

Run: /work/venv/bin/python benchmarks/bench_media.py [--minutes 10]
Writes benchmarks/results/media.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from mlprod.brand import load_brand
from mlprod.media.ffmpeg import run_ffmpeg
from mlprod.media.probe import probe, sound_gaps
from mlprod.recipe.loader import load_recipe
from mlprod.recipe.schema import Format, Quality
from mlprod.render import filters
from mlprod.render.cache import FileDigests
from mlprod.render.loudness import measure_levels, render_audio
from mlprod.render.plan import plan_timeline
from mlprod.render.profile import output_profile
from mlprod.render.sources import gather_sources
from mlprod.workspace import init_workspace

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "media.json"


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed(name: str, job: Callable[[], Any], table: dict[str, dict[str, Any]]) -> Any:
    wall, cpu = time.perf_counter(), _cpu()
    result = job()
    table[name] = {"wall_s": round(time.perf_counter() - wall, 2), "cpu_s": round(_cpu() - cpu, 2)}
    print(f"{name:<16} {table[name]['wall_s']:>7.2f} s wall {table[name]['cpu_s']:>7.2f} s CPU", flush=True)
    return result


def make(path: Path, *args: str) -> Path:
    run_ffmpeg([*args, str(path)], what=f"making {path.name}")
    return path


def audio_pass(work: Path, clip: Path, music: Path | None) -> tuple[Any, Any]:
    settings = init_workspace(work / f"ws-{music is not None}").settings
    extra = f"music:\n  file: {music}\n  duck: false\n" if music else ""
    recipe = settings.recipes_dir / "long.yaml"
    recipe.write_text(f"kind: tutorial\ntitle: Long\n{extra}clips:\n  - file: {clip}\n", encoding="utf-8")
    loaded = load_recipe(recipe)
    timeline = plan_timeline(gather_sources(loaded), load_brand(settings.brand_dir()),
                             output_profile(Format.landscape, Quality.standard, 30))
    levels = measure_levels(timeline, FileDigests(settings.cache_dir), settings.cache_dir)
    return levels, render_audio(timeline, levels, work / f"sound-{music is not None}.m4a")


def chain(source: Path, interlaced: bool, convert: bool) -> None:
    info = probe(source)
    assert info.video is not None
    video = replace(info.video, interlaced=interlaced, colorspace="unknown" if convert else "bt709")
    frame = filters.Frame(1920, 1080, 30, "blur", "#1D3E8C")
    frames = round(info.duration * 30)
    graph = filters.clip_chain(video, frame, frames, "[0:0]", "[out]", "0")
    run_ffmpeg(["-threads", "1", "-i", str(source), "-filter_complex", ";".join(graph), "-map", "[out]",
                "-f", "null", "-"], what="per-clip chain")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    seconds = parser.parse_args().minutes * 60
    table: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-media-") as tmp:
        work = Path(tmp)
        speech = (f"sine=f=220:d={seconds}:sample_rate=48000,volume=-6dB,"
                  "volume='if(lt(mod(t,1.5),1),1,0)':eval=frame")
        clip = make(work / "long.mp4", "-f", "lavfi", "-i", f"testsrc2=s=640x360:r=30:d={seconds}", "-f",
                    "lavfi", "-i", speech, "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac")
        webm = make(work / "live.webm", "-f", "lavfi", "-i", f"testsrc2=s=320x240:r=30:d={seconds}", "-f",
                    "lavfi", "-i", f"sine=d={seconds}", "-c:v", "libvpx-vp9", "-deadline", "realtime",
                    "-cpu-used", "8", "-c:a", "libopus", "-live", "1", "-f", "webm")
        drums = make(work / "drums.wav", "-f", "lavfi", "-i",
                     f"sine=f=330:d={seconds}:sample_rate=44100,volume=-6dB[a];"
                     f"anoisesrc=d={seconds}:c=pink:a=1:r=44100:seed=7,volume='exp(-mod(t,0.5)*40)':eval=frame[k];"
                     "[a][k]amix=inputs=2:normalize=0,aformat=channel_layouts=stereo")
        interlaced = make(work / "576i.mp4", "-f", "lavfi", "-i", "testsrc2=s=720x576:r=25:d=60", "-c:v",
                          "libx264", "-preset", "ultrafast", "-flags", "+ildct+ilme", "-field_order", "tt")
        size_mb = clip.stat().st_size / 1e6
        print(f"inputs: {seconds / 60:g}-minute clip ({size_mb:.0f} MB), WebM, drum bed, 60 s 576i",
              flush=True)

        timed("probe", lambda: probe(clip), table)
        gaps = timed("sound gaps", lambda: sound_gaps(clip), table)
        live = timed("live webm", lambda: probe(webm), table)
        _, spoken = timed("audio, speech", lambda: audio_pass(work, clip, None), table)
        silent = make(work / "silent.mp4", "-i", str(clip), "-an", "-c", "copy")
        _, drummed = timed("audio, drums", lambda: audio_pass(work, silent, drums), table)
        timed("chain 576i bwdif", lambda: chain(interlaced, True, True), table)
        timed("chain 576i plain", lambda: chain(interlaced, False, True), table)
        timed("chain relabel", lambda: chain(interlaced, False, False), table)
        table["facts"] = {
            "clip_mb": round(size_mb, 1), "gaps": len(gaps), "webm_duration": round(live.duration, 2),
            "speech": [spoken.measured.integrated, spoken.measured.true_peak],
            "drums": [drummed.measured.integrated, drummed.measured.true_peak],
            "drums_ceiling": round(drummed.levels.ceiling, 2),
            "drums_makeup": round(drummed.levels.makeup, 2),
            "encodes": {"speech": spoken.encodes, "drums": drummed.encodes},
        }
    print(json.dumps(table["facts"]))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(table, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
