"""Sample media made with ffmpeg's lavfi sources, for the demo, the tests and the benchmarks.

Nothing is downloaded: pictures come from ``testsrc2``, sound from ``sine``/``anullsrc``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mlprod.errors import MediaError
from mlprod.media.ffmpeg import run_ffmpeg

LAYOUTS = {"mono": 1, "stereo": 2, "5.1": 6}


@dataclass(frozen=True)
class ClipSpec:
    width: int = 320
    height: int = 240
    fps: float = 30
    seconds: float = 2.0
    audio: str | None = "stereo"   # None, "mono", "stereo", "5.1"
    sample_rate: int = 48000
    frequency: int = 440
    volume_db: float = -18.0       # level of the tone; speech-like levels are around -20 dBFS
    rotation: int = 0              # display rotation metadata, degrees counter-clockwise
    variable_rate: bool = False
    pix_fmt: str = "yuv420p"
    audio_seconds: float | None = None  # audio longer/shorter than the video, for bad-input tests
    speech_like: bool = False      # a tone that pauses every second, so ducking has gaps to act in


def make_clip(path: Path, spec: ClipSpec = ClipSpec()) -> Path:
    """Write a small H.264/AAC clip described by ``spec`` to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    args: list[str | Path] = ["-f", "lavfi", "-i",
                              f"testsrc2=s={spec.width}x{spec.height}:r={spec.fps}:d={spec.seconds}"]
    if spec.audio:
        secs = spec.audio_seconds or spec.seconds
        tone = f"sine=f={spec.frequency}:sample_rate={spec.sample_rate}:d={secs}"
        args += ["-f", "lavfi", "-i", tone]
    vf = []
    if spec.width % 2 or spec.height % 2:  # testsrc2 draws even sizes only
        vf.append(f"scale={spec.width}:{spec.height}")
    if spec.variable_rate:
        # frames 0-29 at the nominal rate, then spaced one and a half times further apart
        vf.append(f"setpts='if(lt(N,{int(spec.fps)}),N,N*1.5-{int(spec.fps) // 2})/{spec.fps}/TB'")
    if vf:
        args += ["-vf", ",".join(vf)]
    if spec.audio:
        af = [f"volume={spec.volume_db}dB"]
        if spec.speech_like:
            af.append("volume='if(lt(mod(t,1.5),1),1,0)':eval=frame")
        af.append(f"pan={spec.audio}|" + "|".join(f"c{i}=c0" for i in range(LAYOUTS[spec.audio])))
        args += ["-af", ",".join(af)]
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", spec.pix_fmt]
    if spec.variable_rate:
        args += ["-fps_mode", "vfr"]
    if spec.audio:
        args += ["-c:a", "aac", "-b:a", "128k", "-ar", str(spec.sample_rate)]
    if spec.rotation:
        tmp = path.with_name(path.stem + ".norot" + path.suffix)
        run_ffmpeg([*args, str(tmp)], what=f"making sample clip {path.name}", error=MediaError)
        run_ffmpeg(["-display_rotation", str(spec.rotation), "-i", str(tmp), "-c", "copy", str(path)],
                   what=f"rotating sample clip {path.name}", error=MediaError)
        tmp.unlink()
    else:
        run_ffmpeg([*args, str(path)], what=f"making sample clip {path.name}", error=MediaError)
    return path


def make_tone(path: Path, seconds: float = 10.0, frequency: int = 220, volume_db: float = -10.0) -> Path:
    """A music-bed stand-in: a soft chord, as MP3 or whatever the suffix says."""
    path.parent.mkdir(parents=True, exist_ok=True)
    src = (f"sine=f={frequency}:d={seconds}:sample_rate=44100,volume={volume_db}dB[a];"
           f"sine=f={frequency * 5 // 4}:d={seconds}:sample_rate=44100,volume={volume_db}dB[b];"
           "[a][b]amix=inputs=2,aformat=channel_layouts=stereo")
    run_ffmpeg(["-f", "lavfi", "-i", src, str(path)], what=f"making sample music {path.name}",
               error=MediaError)
    return path


def make_image(path: Path, width: int = 320, height: int = 240) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    run_ffmpeg(["-f", "lavfi", "-i", f"testsrc2=s={width}x{height}", "-frames:v", "1", str(path)],
               what=f"making sample image {path.name}", error=MediaError)
    return path
