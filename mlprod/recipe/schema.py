"""The recipe format (v1): pydantic models per kind, strict, exactly as DESIGN.md shows.

Paths in a recipe are relative to the recipe file; the loader passes the recipe's folder as
validation context (``{"base": Path}``) and the models hold absolute paths from then on.
Times are seconds (``12.5``) or ``HH:MM:SS.mmm``.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from mlprod.states import Format, PlatformName, Privacy, Quality

_TIME = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:[.,]\d+)?)$")


def parse_time(value: Any) -> Any:
    """12.5, "12.5", "01:10", "00:01:10.250" → seconds as float (other types left to pydantic)."""
    if isinstance(value, bool):
        raise ValueError(f"{str(value).lower()} is not a time — write seconds (12.5) or HH:MM:SS.mmm")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ValueError(f"{value} is not a time — write seconds (12.5) or HH:MM:SS.mmm")
        if value < 0:
            raise ValueError("a time cannot be negative — write 0 or more seconds")
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            seconds = float(text)
        except ValueError:
            match = _TIME.match(text)
            if not match:
                raise ValueError(f"{value!r} is not a time — write seconds (12.5) or HH:MM:SS.mmm") from None
            hours, minutes, secs = match.groups()
            if int(minutes) >= 60 or float(secs.replace(",", ".")) >= 60:
                raise ValueError(f"{value!r}: minutes and seconds go up to 59"
                                 " — write e.g. 00:01:15 for 75 seconds") from None
            seconds = int(hours or 0) * 3600 + int(minutes) * 60 + float(secs.replace(",", "."))
        return parse_time(seconds)  # the number checks: finite, not negative
    return value


Seconds = Annotated[float, BeforeValidator(parse_time)]


class Contract(StrEnum):
    CDI = "CDI"
    CDD = "CDD"
    alternance = "alternance"
    interim = "interim"
    stage = "stage"
    saisonnier = "saisonnier"

    @property
    def label(self) -> str:
        """How published texts (YouTube's description, Discord's card) name it, in French."""
        return {"alternance": "Alternance", "interim": "Intérim", "stage": "Stage",
                "saisonnier": "Contrat saisonnier"}.get(self.value, self.value)


def field_error(field: str, message: str) -> PydanticCustomError:
    """An error found by a model validator but belonging to one field: the loader reports it there."""
    # the message is the template: it holds numbers and dates only, never a user's braces
    return PydanticCustomError("field_check", message, {"field": field})


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _resolve(value: Any, info: ValidationInfo) -> Any:
    base = (info.context or {}).get("base")
    if isinstance(value, str) and value.strip():
        path = Path(value.strip()).expanduser()
        if not path.is_absolute() and base is not None:
            path = Path(base) / path
        # recipes/../media/a.mp4 → media/a.mp4: one spelling per file (cache keys, messages)
        return Path(os.path.normpath(path))
    return value


class Presenter(Strict):
    name: str = Field(min_length=1, max_length=80)
    role: str | None = Field(default=None, max_length=80)


class Clip(Strict):
    file: Path
    start: Seconds | None = None
    end: Seconds | None = None
    subtitles: Path | None = None

    _paths = field_validator("file", "subtitles", mode="before")(_resolve)

    @model_validator(mode="after")
    def _trim_order(self) -> Clip:
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise field_error(
                "end", f"end ({self.end:g} s) must come after start ({self.start:g} s) — swap them or fix one"
            )
        return self


class Music(Strict):
    file: Path
    volume_db: float = Field(default=-20.0, ge=-60, le=0)
    duck: bool = True

    _paths = field_validator("file", mode="before")(_resolve)


class Output(Strict):
    formats: list[Format] = Field(default_factory=lambda: [Format.landscape], min_length=1)
    quality: Quality = Quality.standard


class Publish(Strict):
    title: str | None = None  # overrides the recipe's title on YouTube
    description: str = ""
    tags: list[str] = Field(default_factory=list)
    playlist: str | None = None
    privacy: Privacy = Privacy.public
    publish_at: dt.datetime | None = None
    category: Literal[27, 29] = 27  # Education; 29 Nonprofits & Activism
    platforms: list[PlatformName] | None = Field(default=None, min_length=1)
    """Where the video goes (default: mlprod.toml's ``[publish] platforms``, else youtube)."""

    @field_validator("platforms")
    @classmethod
    def _once_each(cls, value: list[PlatformName] | None) -> list[PlatformName] | None:
        if value is not None and len(set(value)) != len(value):
            twice = sorted({p.value for p in value if value.count(p) > 1})
            raise ValueError(f"{', '.join(twice)} named twice — name each platform once")
        return value


class Employer(Strict):
    name: str = Field(min_length=1, max_length=100)
    logo: Path | None = None

    _paths = field_validator("logo", mode="before")(_resolve)


EARLIEST_START = dt.date(2000, 1, 1)


class Offer(Strict):
    position: str = Field(min_length=1, max_length=100)
    contract: Contract
    location: str = Field(min_length=1, max_length=100)
    start: dt.date
    closes: dt.date | None = None
    contact: str = Field(min_length=1, max_length=200)
    hours: str | None = None          # "35 h/semaine, du mardi au samedi"
    requirements: str | None = None   # what the job needs
    apply: str | None = None          # how to apply

    @model_validator(mode="after")
    def _closes_after_start(self) -> Offer:
        if self.start < EARLIEST_START:  # a typo (1900, 0026), never a job to fill
            raise field_error(
                "start", f"{self.start} is before {EARLIEST_START.year} — write the first day of work,"
                " e.g. 2026-09-01"
            )
        if self.closes is not None and self.closes <= self.start:
            raise field_error(
                "closes", f"closes ({self.closes}) must be after start ({self.start}) — set closes to"
                " a later date: the video is unlisted once the offer closes"
            )
        return self


class _RecipeBase(Strict):
    brand: str | None = None
    presenter: Presenter | None = None
    clips: list[Clip] = Field(min_length=1)
    music: Music | None = None
    output: Output = Field(default_factory=Output)
    publish: Publish | None = None

    @property
    def display_title(self) -> str:
        """The title shown in the video and in messages; each kind says how it is made."""
        raise NotImplementedError

    @property
    def youtube_title(self) -> str:
        """The title the video gets on YouTube: publish.title, else the recipe's own."""
        if self.publish is not None and self.publish.title:
            return self.publish.title
        return self.display_title


class Tutorial(_RecipeBase):
    kind: Literal["tutorial"]
    title: str = Field(min_length=1)

    @property
    def display_title(self) -> str:
        return self.title


class JobOffer(_RecipeBase):
    kind: Literal["job_offer"]
    title: str | None = Field(default=None, min_length=1)
    employer: Employer
    offer: Offer
    consent: str | None = None  # the submission whose consent covers this video

    @property
    def display_title(self) -> str:
        """The recipe's title, or one made from the offer (kept within YouTube's 100 characters)."""
        if self.title:
            return self.title
        title = f"Offre d'emploi : {self.offer.position} ({self.offer.contract.value}) — {self.employer.name}"
        return title if len(title) <= 100 else title[:99].rstrip() + "…"


Recipe = Annotated[Tutorial | JobOffer, Field(discriminator="kind")]
