"""`mlprod demo`: the whole job on embedded defaults, from generated sample media.

A new workspace (in a temporary folder unless one is given), sample clips made with ffmpeg's
lavfi sources, the example recipes validated and rendered, a local YouTube sandbox holding the
seed's channel history (600 → 2,300 subscribers, 16 March to 16 May 2020), its Facebook Page,
Instagram account and Discord webhook; sign-in and publication to all of them, an employer's offer
taken through the web page, approved, built and published (YouTube, Facebook, Discord), the
figures synced and the directors' report written. ``say`` reports each step.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from mlprod.config import Settings
from mlprod.errors import PublishError, RecipeError
from mlprod.facebook.auth import approve_by_fetching as approve_meta
from mlprod.facebook.auth import login as facebook_login
from mlprod.intake import approve, create_invitation, serve_in_thread
from mlprod.intake.client import submit_offer
from mlprod.jobs.announcements import add_webhook
from mlprod.jobs.audience import sync_audiences
from mlprod.jobs.build import build_recipe
from mlprod.jobs.publish import publish_recipes
from mlprod.jobs.publish_results import PublishOptions
from mlprod.jobs.report import write_report
from mlprod.jobs.stats import sync_stats
from mlprod.media.samples import ClipSpec, make_clip
from mlprod.recipe.arguments import recipes_in
from mlprod.recipe.examples import install_examples, write_example_media
from mlprod.recipe.validate import validate_paths
from mlprod.sandbox import Sandbox, SandboxConfig, parse_history
from mlprod.sandbox.testing import discord_webhook
from mlprod.states import PlatformName
from mlprod.store import Database, open_database
from mlprod.workspace import init_workspace
from mlprod.youtube.auth import approve_by_fetching, login

Say = Callable[[str], None]
SEED_HISTORY = "2020-03-16:600,2020-05-16:2300"
SEED_START, SEED_END = dt.date(2020, 3, 16), dt.date(2020, 5, 16)
OFFER_PLATFORMS = (PlatformName.youtube, PlatformName.facebook, PlatformName.discord)
"""The demo workspace's default platforms: the employer's offer is landscape only (no Short, no
Instagram Reel), a Page video on Facebook, announced on Discord."""
DEMO_EMPLOYER = "Garage des Alpilles"
DEMO_OFFER = {
    "position": "Apprenti·e mécanicien·ne automobile",
    "contract": "alternance",
    "location": "Eyguières",
    "start": "2027-03-01",
    "closes": "2027-04-30",
    "hours": "35 h par semaine, du lundi au vendredi",
    "requirements": "Débutant accepté. Goût pour la mécanique, ponctualité.",
    "apply": "Passer au garage avec un CV, 4 route de Salon, ou appeler la Mission Locale.",
    "contact_person": "Marc Roux, 06 00 00 00 00",
}


@dataclass
class DemoResult:
    root: Path
    recipes: list[Path] = field(default_factory=list)
    videos: dict[str, str] = field(default_factory=dict)  # recipe → watch URL
    report: Path | None = None
    sandbox_state: Path | None = None


def _prepare(settings: Settings, say: Say, result: DemoResult) -> None:
    media = write_example_media(settings.root)
    say(f"2. Sample media generated with ffmpeg (lavfi sources): {len(media)} files in media/")
    install_examples(settings.root)
    result.recipes = recipes_in(settings.recipes_dir)
    names = ", ".join(str(p.relative_to(settings.root)) for p in result.recipes)
    say(f"3. Example recipes written: {names}")
    reports = validate_paths(result.recipes, settings)
    bad = [r for r in reports if not r.valid]
    if bad:
        lines = [p.format(settings.root) for r in bad for p in r.errors]
        raise RecipeError("the example recipes do not validate:\n" + "\n".join(lines))
    say(f"4. Recipes validated: {len(reports)} valid")


def _build(settings: Settings, db: Database, recipes: list[Path], say: Say, step: str) -> None:
    for recipe in recipes:
        for built in build_recipe(settings, db, recipe):
            size = built.video.stat().st_size / 1e6
            video = built.video.relative_to(settings.root)
            say(f"{step} Built {video} ({built.duration:.1f} s, {size:.1f} MB)"
                f" with captions {built.captions.name if built.captions else '—'} and thumbnail"
                f" {built.thumbnail.name}")


def _publish(settings: Settings, db: Database, recipes: list[Path], say: Say, step: str,
             result: DemoResult) -> None:
    batch = publish_recipes(settings, db, recipes, PublishOptions())
    for item in batch.results:
        say(f"{step} {item.recipe} on {item.platform.label}: {item.outcome.value} —"
            f" {item.url or item.message}")
        if item.url and item.platform is PlatformName.youtube:
            result.videos[item.recipe] = item.url
    if batch.failed:
        raise PublishError("the demo could not publish: " + "; ".join(r.message for r in batch.failed))


def _employer_offer(settings: Settings, db: Database, say: Say) -> Path:
    _invitation, path = create_invitation(settings, db, DEMO_EMPLOYER, "30d")
    clip = make_clip(settings.media_dir / "demo-employeur" / "IMG_2041.mp4",
                     ClipSpec(width=640, height=360, fps=30, seconds=5, audio="stereo", frequency=262,
                              speech_like=True, rotation=90))
    url, stop = serve_in_thread(settings)
    try:
        say(f"8. Employer page started at {url}; invitation sent to {DEMO_EMPLOYER}")
        public_id = submit_offer(url + path, DEMO_OFFER, [clip])
    finally:
        stop()
    clip.unlink()
    say(f"9. {DEMO_EMPLOYER} sent its offer and clip through the page: submission {public_id}")
    recipe = approve(settings, db, public_id)
    say(f"10. Submission approved: {recipe.relative_to(settings.root)} written")
    return recipe


@contextlib.contextmanager
def _sandbox(settings: Settings, say: Say, result: DemoResult) -> Iterator[Settings]:
    state = settings.state_dir / "sandbox.json"
    config = SandboxConfig(history=parse_history(SEED_HISTORY), state_file=state)
    with Sandbox(config) as sandbox:
        url = sandbox.start()
        result.sandbox_state = state
        say(f"6. YouTube sandbox started at {url} with the seed's channel (600 → 2,300 subscribers,"
            " 16 March – 16 May 2020)")
        sandboxed = settings.with_overrides(youtube_url=url, graph_url=url, platforms=OFFER_PLATFORMS)
        login(sandboxed, open_browser=False, approve=approve_by_fetching)
        signed = facebook_login(sandboxed, open_browser=False, approve=approve_meta)
        hook = add_webhook(sandboxed, discord_webhook(url, "annonces")["url"]).saved
        say("   Signed in to the sandbox channel and to the Page"
            f" {signed.page_name} (with its Instagram account); Discord webhook \"{hook.name}\" added"
            f" ({hook.hook.masked()}); tokens and webhook kept with mode 0600 in .mlprod/")
        toml = settings.root / "mlprod.toml"  # where a recipe naming no platform goes: the offer
        names = ", ".join(f'"{p.value}"' for p in OFFER_PLATFORMS)
        toml.write_text(toml.read_text(encoding="utf-8").replace('platforms = ["youtube"]',
                                                                 f"platforms = [{names}]"), encoding="utf-8")
        yield sandboxed


def run_demo(folder: Path | None, say: Say) -> DemoResult:
    """Run every step of the job in ``folder`` (a new temporary folder when None)."""
    root = folder or Path(tempfile.mkdtemp(prefix="mlprod-demo-"))
    settings = init_workspace(root).settings
    result = DemoResult(root=settings.root)
    say(f"1. Workspace created in {settings.root}")
    _prepare(settings, say, result)
    db = open_database(settings.database_url, settings.site)
    try:
        _build(settings, db, result.recipes, say, "5.")
        with _sandbox(settings, say, result) as sandboxed:
            tutorials = [p for p in result.recipes if "offres" not in p.parts]
            _publish(sandboxed, db, tutorials, say, "7.", result)
            say("   (recipes/offres/boulangerie.yaml is not published: its employer's consent is not on"
                " record here — job offers come with it through the employer page, as next)")
            offer = _employer_offer(sandboxed, db, say)
            _build(sandboxed, db, [offer], say, "11.")
            _publish(sandboxed, db, [offer], say, "12.", result)
            synced = sync_stats(sandboxed, db)
            others = sync_audiences(sandboxed, db)
            say(f"13. Channel figures synced: {synced.days_stored} days, {synced.video_rows} video-days,"
                f" {synced.subscribers} subscribers now (YouTube shows {synced.youtube_count}); "
                + ", ".join(f"{a.platform.label}: {a.followers} followers" for a in others))
            result.report = write_report(sandboxed, db, settings.output_dir / "rapport.html",
                                         SEED_START, SEED_END)
            say(f"14. Directors' report written: {result.report.relative_to(settings.root)}"
                " (open it in a browser; print it on A4)")
    finally:
        db.close()
    return result
