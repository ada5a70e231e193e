"""Render speed and memory: `mlprod build` against a bare-ffmpeg floor, the edit loop, the moviepy way.

Reference recipe: intro; three 20-second clips (1080p30 landscape, 720p25, 1080×1920 portrait), subtitles
on one, the presenter's lower third, a music bed with ducking; loudness normalisation; outro; standard
quality, landscape. Measured, each in its own process so that memory covers the whole process tree:

  floor      one bare ffmpeg command: the same clips decoded, scaled/padded and concatenated with two
             solid-colour segments as long as the intro and outro, encoded with the same settings
  full       build_recipe() from an empty render cache (every piece, the cards, the sound rendered)
  subtitle   the same recipe rebuilt after one line of the subtitles changed (the edit loop)
  title      rebuilt after the title changed (the intro and the thumbnail)
  moviepy    the same video assembled the way moviepy's documentation shows (CompositeVideoClip,
             TextClip, SubtitlesClip, concatenate_videoclips, write_videofile), same encoder settings
  10-minute  the reference recipe with 200-second clips, from an empty cache, for memory

Memory is the peak of the summed resident size of the process and all its children, sampled from /proc
every 50 ms; each child also reports its own getrusage figures. The machine may be shared: the runs of
each round alternate (floor, full, subtitle, title), the load average is recorded with each, and the
best of --repeat rounds is kept.

Run: /work/venv/bin/python benchmarks/bench_render.py [--repeat 3] [--skip-moviepy] [--skip-long]
Writes benchmarks/results/render.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from mlprod.brand import load_brand
from mlprod.config import Settings
from mlprod.media.ffmpeg import ffmpeg_binary, run_ffmpeg
from mlprod.media.samples import ClipSpec, make_clip, make_tone
from mlprod.process import spawn
from mlprod.recipe.schema import Format, Quality
from mlprod.render.profile import ENCODERS
from mlprod.workspace import init_workspace

# the floor encodes as a single ffmpeg would: one frame thread per core, the lookahead sharing them
X264_MEMORY = ["-threads:v", str(os.cpu_count() or 0), "-x264-params", "sync-lookahead=0"]
HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "render.json"
CLIPS = {  # name: (spec, seconds)
    "paysage-1080p30.mp4": ClipSpec(1920, 1080, 30, 20, audio="stereo", speech_like=True, volume_db=-14),
    "ancien-720p25.mp4": ClipSpec(1280, 720, 25, 20, audio="mono", sample_rate=44100, volume_db=-24),
    "telephone-portrait.mp4": ClipSpec(1080, 1920, 30, 20, audio="5.1", volume_db=-20),
}
SRT = "".join(f"{i + 1}\n00:00:{2 * i:02d},200 --> 00:00:{2 * i + 1:02d},800\nPhrase numéro {i + 1} du"
              " conseiller, assez longue pour deux lignes à l'écran\n\n" for i in range(9))
RECIPE = """kind: tutorial
title: Préparer son entretien d'embauche
presenter:
  name: Julie Martin
  role: Conseillère emploi
clips:
  - file: ../media/{prefix}paysage-1080p30.mp4
    subtitles: ../media/paysage.srt
  - file: ../media/{prefix}ancien-720p25.mp4
  - file: ../media/{prefix}telephone-portrait.mp4
music:
  file: ../media/musique.mp3
  volume_db: -20
  duck: true
output:
  formats: [landscape]
  quality: standard
"""


@dataclass
class Run:
    name: str
    wall: float
    cpu: float
    peak_mb: float          # summed RSS of the process tree, sampled
    peak_pss_mb: float      # summed PSS (shared pages counted once), sampled
    self_mb: float = 0.0    # the process's own getrusage maxrss (python children only)
    children_mb: float = 0.0
    load: float = 0.0       # the machine's 1-minute load average when the run ended


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _pss_kb(pid: int) -> int:
    """Proportional set size: pages shared by several processes (the ffmpeg binary's) counted once."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree_rss_kb(root: int, measure: Callable[[int], int] = _rss_kb) -> int:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += measure(pid)
        todo += children.get(pid, [])
    return total


def measured(name: str, argv: list[str], log: Path) -> tuple[Run, dict[str, float]]:
    """Run argv as a child, sampling its process tree's memory; (figures, JSON it printed last)."""
    log.unlink(missing_ok=True)
    started = time.monotonic()
    proc = spawn(argv, log_file=log)
    peak = peak_pss = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss
        while not done.is_set():
            peak = max(peak, _tree_rss_kb(proc.pid))
            peak_pss = max(peak_pss, _tree_rss_kb(proc.pid, _pss_kb))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    done.set()
    sampler.join()
    wall = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit(f"{name} failed (exit {proc.returncode}); see {log}")
    report: dict[str, float] = {}
    lines = [ln for ln in log.read_text(errors="replace").splitlines() if ln.startswith("{")]
    if lines:
        report = json.loads(lines[-1])
    run = Run(name, wall, usage.ru_utime + usage.ru_stime, peak / 1024, peak_pss / 1024,
              report.get("self_mb", 0.0), report.get("children_mb", 0.0), os.getloadavg()[0])
    return run, report


def make_media(work: Path) -> Path:
    media = work / "media"
    for name, spec in CLIPS.items():
        if not (media / name).exists():
            print(f"  making {name}", flush=True)
            make_clip(media / name, spec)
        long = media / f"long-{name}"
        if not long.exists():  # 200 seconds: the same clip ten times, copied without re-encoding
            run_ffmpeg(["-stream_loop", "9", "-i", str(media / name), "-c", "copy", str(long)],
                       what=f"making long-{name}")
    if not (media / "musique.mp3").exists():
        make_tone(media / "musique.mp3", seconds=30, volume_db=-12)
    (media / "paysage.srt").write_text(SRT, encoding="utf-8")
    return media


def workspace(work: Path) -> Settings:
    settings = init_workspace(work / "ws").settings
    target = settings.media_dir
    if target.exists() and not target.is_symlink():
        shutil.rmtree(target)
    if not target.exists():
        target.symlink_to(work / "media", target_is_directory=True)
    for prefix, name in (("", "reference"), ("long-", "dix-minutes")):
        (settings.recipes_dir / f"{name}.yaml").write_text(RECIPE.format(prefix=prefix), encoding="utf-8")
    return settings


def floor_args(settings: Settings, out: Path) -> list[str]:
    """The bare command: decode, fit, concatenate with two colour segments, encode the same way."""
    brand = load_brand(settings.brand_dir())
    width, height = Format.landscape.size
    enc = ENCODERS[Quality.standard]
    fit = (f"scale={width}:{height}:force_original_aspect_ratio=decrease,"
           f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2")
    colour = f"color=c=0x{brand.secondary.lstrip('#')}:s={width}x{height}:r={brand.fps}"
    graph = [f"{colour}:d={brand.intro_seconds},format=yuv420p[v0]",
             f"anullsrc=r=48000:cl=stereo,atrim=0:{brand.intro_seconds}[a0]"]
    inputs: list[str] = []
    for i, name in enumerate(CLIPS, 1):
        inputs += ["-i", str(settings.media_dir / name)]
        graph += [f"[{i - 1}:v]fps={brand.fps},{fit},setsar=1,format=yuv420p[v{i}]",
                  f"[{i - 1}:a]aresample=48000,aformat=channel_layouts=stereo[a{i}]"]
    graph += [f"{colour}:d={brand.outro_seconds},format=yuv420p[v4]",
              f"anullsrc=r=48000:cl=stereo,atrim=0:{brand.outro_seconds}[a4]",
              "".join(f"[v{i}][a{i}]" for i in range(5)) + "concat=n=5:v=1:a=1[v][a]"]
    return [ffmpeg_binary(settings.ffmpeg), "-hide_banner", "-nostdin", "-y", "-v", "error", *inputs,
            "-filter_complex", ";".join(graph), "-map", "[v]", "-map", "[a]",
            "-c:v", "libx264", "-preset", enc.preset, "-crf", str(enc.crf), *X264_MEMORY,
            "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", enc.audio_bitrate, "-movflags", "+faststart",
            str(out)]


def child_build(root: str, recipe: str) -> None:
    """In a child process: one build through the library, as the CLI or the publisher runs it."""
    from mlprod.config import load_settings
    from mlprod.jobs.build import build_recipe
    from mlprod.store import open_database

    settings = load_settings(Path(root))
    db = open_database(settings.database_url)
    started = time.monotonic()
    (result,) = build_recipe(settings, db, Path(recipe))
    assert not result.reused
    print(json.dumps({"seconds": time.monotonic() - started, "duration": result.duration,
                      "self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "children_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))


def child_moviepy(root: str, out: str) -> None:
    """In a child process: the reference video the way moviepy's documentation assembles videos."""
    from moviepy import (
        AudioFileClip,
        ColorClip,
        CompositeAudioClip,
        CompositeVideoClip,
        ImageClip,
        TextClip,
        VideoFileClip,
        concatenate_videoclips,
    )
    from moviepy.audio import fx as afx
    from moviepy.video.tools.subtitles import SubtitlesClip
    from PIL import Image, ImageFilter

    settings = Settings(root=Path(root), database_url="", youtube_url=None, upload_chunk_size=262144,
                        ffmpeg=None)
    brand = load_brand(settings.brand_dir())
    size = width, height = Format.landscape.size
    bold, regular = str(brand.title_font), str(brand.body_font)
    media = settings.media_dir

    def card(seconds: float, title: str, lines: tuple[str, ...] = ()) -> CompositeVideoClip:
        layers = [ColorClip(size, color=tuple(int(brand.secondary[i:i + 2], 16) for i in (1, 3, 5)),
                            duration=seconds),
                  ImageClip(str(brand.logo)).resized(height=280).with_position(("center", 160)),
                  TextClip(bold, title, font_size=92, color="white", method="caption",
                           size=(int(width * 0.84), None), text_align="center")
                  .with_position(("center", 500))]
        layers += [TextClip(regular, line, font_size=45, color="white")
                   .with_position(("center", 720 + 60 * i)) for i, line in enumerate(lines)]
        return CompositeVideoClip(layers, size=size).with_duration(seconds)

    def blurred_dark(frame: np.ndarray) -> np.ndarray:
        return np.asarray(Image.fromarray(frame).filter(ImageFilter.GaussianBlur(3))) // 2

    def fitted(clip: VideoFileClip) -> CompositeVideoClip:
        front = clip.resized(height=height) if clip.w / clip.h < width / height else clip.resized(width=width)
        layers = [front.with_position("center")]
        if front.size != size:  # a blurred, darkened copy behind, as mlprod does (blurred small)
            back = clip.resized(width=width // 8).image_transform(blurred_dark).resized(width=width)
            layers.insert(0, back.cropped(x_center=width / 2, y_center=back.h / 2, width=width, height=height)
                          .with_position("center"))
        return CompositeVideoClip(layers, size=size).with_duration(clip.duration)

    clips = [VideoFileClip(str(media / name)) for name in CLIPS]
    first = clips[0]
    subtitles = SubtitlesClip(str(media / "paysage.srt"), make_textclip=lambda text: TextClip(
        bold, text, font_size=59, color="white", stroke_color="black", stroke_width=6, method="caption",
        size=(int(width * 0.88), None), text_align="center"))
    lower = TextClip(bold, "Julie Martin\nConseillère emploi", font_size=54, color="white",
                     bg_color=(29, 62, 140), margin=(24, 24)).with_start(0.4).with_duration(5)
    first_clip = CompositeVideoClip([fitted(first), lower.with_position((96, 646)),
                                     subtitles.with_position(("center", height - 130 - 140))], size=size)
    sequence = [card(brand.intro_seconds, "Préparer son entretien d'embauche"), first_clip,
                *(fitted(c) for c in clips[1:]),
                card(brand.outro_seconds, brand.outro_title, brand.outro_lines)]
    video = concatenate_videoclips(sequence)
    music = AudioFileClip(str(media / "musique.mp3")).with_effects(
        [afx.AudioLoop(duration=video.duration), afx.MultiplyVolume(0.1),
         afx.AudioFadeIn(brand.music_fade_seconds), afx.AudioFadeOut(brand.music_fade_seconds)])
    video = video.with_audio(CompositeAudioClip([video.audio, music]))
    enc = ENCODERS[Quality.standard]
    started = time.monotonic()
    video.write_videofile(out, fps=brand.fps, codec="libx264", preset=enc.preset, audio_codec="aac",
                          audio_bitrate=enc.audio_bitrate, audio_fps=48000, logger=None,
                          ffmpeg_params=["-crf", str(enc.crf), *X264_MEMORY, "-pix_fmt", "yuv420p",
                                         "-movflags", "+faststart"])
    print(json.dumps({"seconds": time.monotonic() - started, "duration": video.duration,
                      "self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "children_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))


def _fresh_output(settings: Settings, cold: bool) -> None:
    shutil.rmtree(settings.output_dir, ignore_errors=True)
    settings.output_dir.mkdir()
    if cold:
        shutil.rmtree(settings.cache_dir, ignore_errors=True)


def _build(settings: Settings, recipe: str, name: str, logs: Path, cold: bool = False) -> Run:
    _fresh_output(settings, cold)
    argv = [sys.executable, __file__, "--child-build", str(settings.root), str(settings.recipes_dir / recipe)]
    return measured(name, argv, logs / f"{name}.log")[0]


def _edit_subtitle(settings: Settings, round_: int) -> None:
    """Change the words of one line (the fifth) of the first clip's subtitles."""
    srt = settings.media_dir / "paysage.srt"
    srt.write_text(SRT.replace("Phrase numéro 5 ", f"Phrase numéro 5 (v{round_}) "), encoding="utf-8")


def _edit_title(settings: Settings, round_: int) -> None:
    recipe = settings.recipes_dir / "reference.yaml"
    text = recipe.read_text(encoding="utf-8").splitlines()
    text[1] = f"title: Préparer son entretien d'embauche (v{round_})"
    recipe.write_text("\n".join(text) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "mlprod-bench-render",
                        help="media and workspace, kept between runs (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="rounds of floor/full/subtitle/title; the best is kept")
    parser.add_argument("--skip-moviepy", action="store_true")
    parser.add_argument("--skip-long", action="store_true", help="no ten-minute build")
    parser.add_argument("--child-build", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--child-moviepy", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_build:
        child_build(*args.child_build)
        return
    if args.child_moviepy:
        child_moviepy(*args.child_moviepy)
        return

    work = args.work.resolve()
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    print("preparing media…", flush=True)
    make_media(work)
    settings = workspace(work)
    runs: dict[str, list[Run]] = {"floor": [], "full": [], "subtitle": [], "title": []}
    for i in range(args.repeat):
        (settings.media_dir / "paysage.srt").write_text(SRT, encoding="utf-8")
        settings.recipes_dir.joinpath("reference.yaml").write_text(RECIPE.format(prefix=""), encoding="utf-8")
        floor, _ = measured("floor", floor_args(settings, work / "floor.mp4"), logs / f"floor-{i}.log")
        runs["floor"].append(floor)
        runs["full"].append(_build(settings, "reference.yaml", f"full-{i}", logs, cold=True))
        _edit_subtitle(settings, i)
        runs["subtitle"].append(_build(settings, "reference.yaml", f"subtitle-{i}", logs))
        _edit_title(settings, i)
        runs["title"].append(_build(settings, "reference.yaml", f"title-{i}", logs))
        print(f"  round {i + 1}: floor {floor.wall:.1f} s, full {runs['full'][-1].wall:.1f} s, subtitle"
              f" {runs['subtitle'][-1].wall:.1f} s, title {runs['title'][-1].wall:.1f} s"
              f" (load {os.getloadavg()[0]:.1f})", flush=True)
    if not args.skip_moviepy:
        print("moviepy (several minutes)…", flush=True)
        argv = [sys.executable, __file__, "--child-moviepy", str(settings.root), str(work / "moviepy.mp4")]
        runs["moviepy"] = [measured("moviepy", argv, logs / "moviepy.log")[0]]
    if not args.skip_long:
        print("ten-minute build…", flush=True)
        runs["10-minute"] = [_build(settings, "dix-minutes.yaml", "10min", logs, cold=True)]
    report(runs, args)


def report(runs: dict[str, list[Run]], args: argparse.Namespace) -> None:
    best = {name: min(found, key=lambda r: r.wall) for name, found in runs.items()}
    floor, full = best["floor"], best["full"]
    print(f"\n{'run':<12}{'wall s':>9}{'cpu s':>9}{'peak MB':>10}{'PSS MB':>9}{'python MB':>11}"
          f"{'ffmpeg MB':>11}{'load':>7}")
    for name, run in best.items():
        print(f"{name:<12}{run.wall:>9.1f}{run.cpu:>9.1f}{run.peak_mb:>10.0f}{run.peak_pss_mb:>9.0f}"
              f"{run.self_mb:>11.0f}{run.children_mb:>11.0f}{run.load:>7.1f}")
    ratios = {"full / floor (wall)": full.wall / floor.wall, "full / floor (cpu)": full.cpu / floor.cpu,
              "subtitle / full (wall)": best["subtitle"].wall / full.wall,
              "title / full (wall)": best["title"].wall / full.wall}
    # paired within each round, against the load of the moment: the median of the rounds
    paired = sorted(f.wall / g.wall for f, g in zip(runs["full"], runs["floor"], strict=True))
    ratios["full / floor (wall, median of rounds)"] = paired[len(paired) // 2]
    if "moviepy" in best:
        ratios["moviepy / full (wall)"] = best["moviepy"].wall / full.wall
    print()
    for name, value in ratios.items():
        print(f"{name:<40}{value:6.2f}×")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "machine": {
            "cpus": os.cpu_count(), "python": platform.python_version(), "load_average": os.getloadavg()},
        "command": "/work/venv/bin/python benchmarks/bench_render.py " + " ".join(sys.argv[1:]),
        "repeat": args.repeat, "best": {k: asdict(v) for k, v in best.items()},
        "all": {k: [asdict(r) for r in v] for k, v in runs.items()}, "ratios": ratios,
        "targets": {"full / floor (wall)": "<= 1.10", "subtitle / full (wall)": "<= 0.3",
                    "title / full (wall)": "<= 0.2", "peak MB (full)": "< 450",
                    "peak MB (10-minute)": "< 550"},
    }, indent=2), encoding="utf-8")
    print(f"\nwritten {RESULTS}")


if __name__ == "__main__":
    main()
