"""The example recipes (mlprod/data/recipes/) and the sample media they name.

``mlprod demo`` calls :func:`write_example_media` then :func:`install_examples`; the tests use them to
check that the examples stay valid. The media are generated (ffmpeg lavfi sources): nothing is
downloaded, and the files are small.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from mlprod.files import write_atomic
from mlprod.media.samples import ClipSpec, make_clip, make_image, make_tone
from mlprod.media.subtitles import Cue, write_srt

EXAMPLE_CUES = (
    Cue(0.3, 2.3, "Bonjour ! Préparez-vous à l'entretien."),
    Cue(2.5, 4.7, "Renseignez-vous sur l'entreprise\navant d'y aller."),
)
"""The subtitles of media/entretien/01.mp4 (5 seconds), in French."""

EXAMPLE_CLIPS: dict[str, ClipSpec] = {
    "entretien/01.mp4": ClipSpec(width=640, height=360, fps=25, seconds=5, audio="stereo",
                                 frequency=330, speech_like=True),
    "entretien/02.mp4": ClipSpec(width=640, height=360, fps=25, seconds=5, audio="stereo",
                                 frequency=392, speech_like=True),
    # filmed on a phone held upright: coded landscape, turned by the rotation metadata (360x640 shown)
    "boulangerie/presentation.mp4": ClipSpec(width=640, height=360, fps=30, seconds=6, audio="mono",
                                             sample_rate=44100, frequency=294, rotation=90,
                                             speech_like=True),
}


def _recipes() -> Traversable:
    return resources.files("mlprod").joinpath("data", "recipes")


def example_recipe_names() -> list[str]:
    """Paths of the example recipes relative to recipes/, e.g. 'offres/boulangerie.yaml'."""
    names: list[str] = []

    def walk(folder: Traversable, prefix: str) -> None:
        for item in sorted(folder.iterdir(), key=lambda i: i.name):
            if item.is_dir():
                walk(item, f"{prefix}{item.name}/")
            elif item.name.endswith(".yaml"):
                names.append(prefix + item.name)

    walk(_recipes(), "")
    return names


def write_example_media(root: Path) -> list[Path]:
    """Generate under ``root``/media/ every file the example recipes name; existing files are kept."""
    media = Path(root) / "media"
    written: list[Path] = []
    for name, spec in EXAMPLE_CLIPS.items():
        path = media / name
        if not path.exists():
            make_clip(path, spec)
        written.append(path)
    extras = {
        media / "entretien" / "01.srt": lambda p: write_srt(EXAMPLE_CUES, p),
        media / "musique" / "douce.mp3": lambda p: make_tone(p, seconds=12.0),
        media / "boulangerie" / "logo.png": lambda p: make_image(p, 256, 256),
    }
    for path, make in extras.items():
        if not path.exists():
            make(path)
        written.append(path)
    return written


def install_examples(root: Path, *, overwrite: bool = False) -> list[Path]:
    """Copy the example recipes into ``root``/recipes/ (keeping offres/); returns their paths there."""
    target = Path(root) / "recipes"
    installed = []
    for name in example_recipe_names():
        path = target / name
        if overwrite or not path.exists():
            write_atomic(path, _recipes().joinpath(*name.split("/")).read_bytes())
        installed.append(path)
    return installed
