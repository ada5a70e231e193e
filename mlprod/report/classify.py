"""What kind of video, on which theme: how the report sorts the channel's videos (pure).

The first source that knows wins:

1. staff's label, set by id (`mlprod videos set VIDEO_ID --kind tutorial --theme entretien`);
2. mlprod's own record of what it published: the recipe's kind, the playlist as the theme;
3. the title, searched for the patterns of :data:`THEMES` (job offers first).

A video none of them knows is an "Autre vidéo". To teach the report a new theme, add a line to
:data:`THEMES`: a key staff can type, the name directors read, and the title patterns (regular
expressions searched in the title written in lower case without accents: "métier" is ``metier``).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from mlprod.errors import ReportError
from mlprod.report.figures import Kind, VideoInfo


@dataclass(frozen=True)
class Theme:
    key: str
    """What staff type: ``--theme entretien``."""
    label: str
    """What directors read in the report."""
    patterns: tuple[str, ...]
    kind: Kind = Kind.TUTORIAL


THEMES: tuple[Theme, ...] = (
    Theme("offre", "Offres d'emploi", (r"\boffres? d'emploi", r"\b(recrute|recrutent|recrutons)\b",
                                       r"\bon embauche\b", r"\bpostes? a pourvoir", r"\bjob ?dating"),
          Kind.JOB_OFFER),
    Theme("entretien", "Entretien d'embauche", (r"\bentretiens?\b", r"\binterviews?\b")),
    Theme("cv", "CV et lettre de motivation", (r"\bcv\b", r"\bcurriculum", r"\blettres? de motivation")),
    Theme("alimentation", "Alimentation", (r"\baliment", r"\bnutrition", r"\bcuisin", r"\brecettes?\b",
                                           r"\bmanger\b", r"\brepas\b", r"\bfood\b")),
    Theme("sport", "Sport", (r"\bsports?\b", r"\bsporti", r"\bworkouts?\b", r"\bfitness\b",
                             r"\bmusculation\b", r"\bseances? d'entrainement")),
    Theme("metiers", "Découverte des métiers", (r"\bmetiers?\b", r"\bimmersion\b", r"\bvis ma vie\b")),
    Theme("formation", "Formation et apprentissage", (r"\bformations?\b", r"\bapprenti", r"\balternance\b")),
    Theme("mobilite", "Mobilité", (r"\bmobilite\b", r"\bpermis\b", r"\bcode de la route\b")),
)
"""The title patterns, job offers first: "Boulangerie du Cours recrute en alternance" is an offer."""


class Source(StrEnum):
    """Who decided a video's kind: shown by `mlprod videos list`."""

    STAFF = "staff"
    MLPROD = "mlprod"
    TITLE = "title"
    NONE = "none"


@dataclass(frozen=True)
class Published:
    """What mlprod recorded when it published the video."""

    kind: Kind
    playlist: str | None = None
    """The title of the video's playlist (its theme), when it has one."""
    offer_closes: date | None = None
    expired: bool = False


@dataclass(frozen=True)
class Label:
    """Staff's word on a video: each part None leaves it to the other sources."""

    kind: Kind | None = None
    theme: str | None = None
    """A key of :data:`THEMES`, or staff's own theme name."""


def simplified(text: str) -> str:
    """Lower case, no accents, straight apostrophes: what the patterns are written against."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'").replace("ʼ", "'")).lower()
    return "".join(c for c in text if not unicodedata.combining(c))


_COMPILED = tuple((theme, tuple(re.compile(p) for p in theme.patterns)) for theme in THEMES)


def theme_of_title(title: str) -> Theme | None:
    """The first theme (job offers first) one of whose patterns the title holds."""
    text = simplified(title)
    for theme, patterns in _COMPILED:
        if any(p.search(text) for p in patterns):
            return theme
    return None


def theme_label(theme: str) -> str:
    """What directors read for a stored theme: the table's name for a key, else staff's words."""
    known = {t.key: t.label for t in THEMES}
    return known.get(theme, theme)


def known_theme(text: str) -> str:
    """The theme to store for what staff typed: a key when it names one of :data:`THEMES` (by its
    key or its name, in any case and with or without accents), else the text itself.

    A word close to a key but not one ("entretein") is refused with the key it resembles, so that a
    typo does not make a new theme of one video.
    """
    wanted = simplified(text.strip())
    if not wanted:
        raise ReportError("--theme is empty — give a theme key (" + ", ".join(t.key for t in THEMES)
                          + ") or the theme's name in quotes")
    names = {simplified(name): t.key for t in THEMES for name in (t.key, t.label)}
    if wanted in names:
        return names[wanted]
    close = difflib.get_close_matches(wanted, list(names), n=1, cutoff=0.8)
    if close:
        key = names[close[0]]
        raise ReportError(f"--theme {text!r} is not a theme — did you mean {key!r}? Known themes: "
                          + ", ".join(t.key for t in THEMES)
                          + "; any other name in quotes makes a new theme")
    return text.strip()


@dataclass(frozen=True)
class Classified:
    info: VideoInfo
    source: Source


def classify(youtube_id: str, title: str, published_on: date | None, *, ours: Published | None = None,
             label: Label | None = None) -> Classified:
    """The video's kind and theme, from the first source that knows (see the module's docstring).

    Only tutorials have a theme from their title: a job offer's is its playlist's or staff's.
    """
    guess = theme_of_title(title)
    if ours is not None:
        kind, source = ours.kind, Source.MLPROD
    elif guess is not None:
        kind, source = guess.kind, Source.TITLE
    else:
        kind, source = Kind.OTHER, Source.NONE
    staff_theme = label.theme if label is not None and label.theme else None
    if label is not None and label.kind is not None:
        kind, source = label.kind, Source.STAFF
    elif staff_theme is not None and kind is Kind.OTHER:  # a theme says the kind: "sport" is a tutorial's
        kind = next((t.kind for t in THEMES if t.key == staff_theme), Kind.TUTORIAL)
    if staff_theme is not None:
        source = Source.STAFF
    theme: str | None = None
    if kind is Kind.OTHER:
        theme = None
    elif staff_theme is not None:
        theme = theme_label(staff_theme)
    elif ours is not None and ours.playlist:
        theme = ours.playlist
    elif kind is Kind.TUTORIAL and guess is not None and guess.kind is Kind.TUTORIAL:
        theme = guess.label
    info = VideoInfo(youtube_id, title, kind, published_on, theme, ours.offer_closes if ours else None,
                     ours.expired if ours else False, ours is not None)
    return Classified(info, source)
