"""``mlprod publish``: build if needed, upload once, then each step that follows, on each platform.

A batch is planned first without touching the network (recipe, consent, each platform's rules,
what is left to do and what it costs), refused up front if a platform's budget for today cannot
cover it, then carried out recipe by recipe: a failing recipe does not stop the others, except a
spent quota or a lost sign-in, which stop that platform's part of the batch cleanly. Each step is
recorded as soon as the platform confirms it, so running the same command again finishes what is
missing and never repeats what was done. The platforms are reached only through
:class:`~mlprod.publishing.Platform`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from mlprod.clock import paris_today
from mlprod.config import Settings
from mlprod.errors import AuthError, MlprodError, NotYet, PublishError, QuotaExceeded
from mlprod.jobs.build import build_recipe, current_build
from mlprod.jobs.platforms import DEFAULT_PLATFORMS, open_platform
from mlprod.jobs.publish_results import BatchResult, Outcome, PublishOptions, PublishResult
from mlprod.jobs.records import (
    check_consent,
    files_of_build,
    finish_session,
    publication_for,
    publication_row,
    state_after,
    stored_path,
    view_of,
)
from mlprod.locks import workspace_lock
from mlprod.progress import ProgressBar
from mlprod.publishing import (
    BuiltFiles,
    Platform,
    PlatformOptions,
    Post,
    PublicationView,
    Remote,
    StepOutcome,
    Uploaded,
)
from mlprod.publishing.destinations import in_order, recipe_platforms
from mlprod.publishing.markers import marker_for
from mlprod.publishing.sessions import active_sessions
from mlprod.recipe import LoadedRecipe, load_recipe
from mlprod.states import Format, PlatformName, PublicationState, PublishAction, Step
from mlprod.store import Database
from mlprod.store.models import Publication, utcnow

FILE_STEPS = frozenset({Step.thumbnail, Step.captions})
"""Steps that send the build's files: skipped (with a warning) when the build is gone."""


@dataclass
class Plan:
    """One recipe's work on one platform, decided before anything is sent."""

    path: Path
    key: str
    loaded: LoadedRecipe
    platform: Platform
    post: Post
    publication: PublicationView | None
    action: PublishAction
    steps: tuple[Step, ...]
    """What is to be done after the upload (or is still missing), in order."""
    estimate: int
    format: Format


class Publisher:
    def __init__(self, settings: Settings, db: Database, options: PublishOptions,
                 platforms: dict[PlatformName, Platform] | None = None) -> None:
        self.settings = settings
        self.db = db
        self.options = options
        self.platforms: dict[PlatformName, Platform] = dict(platforms or {})

    def platform(self, name: PlatformName) -> Platform:
        if name not in self.platforms:
            options = PlatformOptions(quota_budget=self.options.quota_budget, sleep=self.options.sleep)
            self.platforms[name] = open_platform(name, self.settings, self.db, options)
        return self.platforms[name]

    def named(self, loaded: LoadedRecipe) -> tuple[PlatformName, ...]:
        """Where the recipe goes: ``options.platforms`` if given, else what it (or mlprod.toml) names."""
        if self.options.platforms:
            return in_order(self.options.platforms)
        return recipe_platforms(loaded, self.settings.platforms)

    def platforms_for(self, loaded: LoadedRecipe) -> tuple[PlatformName, ...]:
        """:meth:`named`, limited to ``--platform`` when given."""
        only = self.options.only
        return tuple(p for p in self.named(loaded) if only is None or p is only)

    # -- planning (no network) -----------------------------------------------------------------

    def plan(self, path: Path, name: PlatformName) -> Plan:
        loaded = load_recipe(path)
        key = stored_path(self.settings, loaded.path)
        platform = self.platform(name)
        publication = publication_for(self.db, key, name)
        closed_on = publication.offer_closes if publication is not None and publication.expired_at else None
        post = platform.post_for(loaded, marker_for(name, key), closed_on=closed_on)
        fmt = platform.cut(loaded, self.options.format)
        now = self.options.now()

        def planned(action: PublishAction, steps: Sequence[Step]) -> Plan:
            return Plan(path, key, loaded, platform, post, publication, action, tuple(steps),
                        platform.estimate(action, post, steps), fmt)

        if publication is None:
            check_consent(self.db, loaded, key)
            platform.check(post, key, now)
            return planned(PublishAction.upload, platform.steps(post))
        post = post.settled(now)
        pending = list(publication.missing)
        if post.playlist and not publication.playlist_id and Step.playlist not in pending:
            pending.insert(0, Step.playlist)  # the recipe named a playlist since
        if self.options.update and publication.metadata_hash != post.fingerprint():
            check_consent(self.db, loaded, key)
            platform.check(post, key, now)
            return planned(PublishAction.update, pending)
        return planned(PublishAction.finish if pending else PublishAction.nothing, pending)

    # -- doing ---------------------------------------------------------------------------------

    def execute(self, plan: Plan) -> PublishResult:
        if plan.action is PublishAction.nothing:
            return self._already(plan)
        if plan.action is PublishAction.upload:
            return self._upload(plan)
        assert plan.publication is not None
        plan.platform.ensure_budget(plan.estimate, self.options.now())
        files = files_of_build(self.settings, self.db, plan.publication.build_id)
        if plan.action is PublishAction.update:
            self._push_metadata(plan)
            warnings = self._steps(plan.publication.id, plan, files, check_first=True)
            return self._result(plan, Outcome.updated,
                                f"metadata updated on {plan.platform.label} (no re-upload)", warnings)
        warnings = self._steps(plan.publication.id, plan, files, check_first=True)
        return self._result(plan, Outcome.completed, "published earlier; the missing steps are done",
                            warnings)

    def _result(self, plan: Plan, outcome: Outcome, message: str,
                warnings: list[str] | None = None, remote_id: str | None = None) -> PublishResult:
        remote_id = remote_id or (plan.publication.remote_id if plan.publication else None)
        url = plan.platform.url(remote_id) if remote_id else None
        return PublishResult(plan.key, outcome, message, remote_id, url, plan.platform.name, warnings or [])

    def _already(self, plan: Plan) -> PublishResult:
        assert plan.publication is not None
        message = "already published: nothing changed on the channel"
        if plan.publication.metadata_hash != plan.post.fingerprint() and not self.options.update:
            message += " (the recipe's title, description, tags or schedule changed since —"
            message += " `mlprod publish --update` pushes them)"
        return self._result(plan, Outcome.unchanged if self.options.update else Outcome.already, message)

    def _build(self, plan: Plan) -> BuiltFiles:
        """The recipe's current build in the cut to publish, rendered first if missing or stale."""
        found = current_build(self.settings, self.db, plan.loaded.path, plan.format)
        if found is None:
            bars: list[ProgressBar] = []

            def progress(label: str) -> Callable[[float, float], None]:
                assert self.options.build_bar is not None
                bars.append(self.options.build_bar(f"build {label}"))
                return bars[-1].update

            try:
                built = build_recipe(self.settings, self.db, plan.loaded.path, formats=[plan.format],
                                     progress=progress if self.options.build_bar else None)
            finally:
                for bar in bars:
                    bar.close()
            found = next((b for b in built if b.format == plan.format), None)
            if found is None:
                raise PublishError(f"{plan.key}: the build made no {plan.format.value} video — run"
                                   f" `mlprod build {plan.key}` to see why")
        return BuiltFiles(found.build_id, found.video, found.captions, found.thumbnail)

    def _upload(self, plan: Plan) -> PublishResult:
        files = self._build(plan)
        plan.platform.check_files(files, plan.key)
        plan.platform.ensure_budget(plan.estimate, self.options.now())
        found = plan.platform.find(marker_for(plan.platform.name, plan.key))
        if found is not None:
            return self._adopt(plan, files, found)
        bar = self.options.upload_bar(f"upload {plan.loaded.slug}") if self.options.upload_bar else None
        try:
            uploaded = plan.platform.upload(plan.key, files, plan.post, bar.update if bar else None)
        finally:
            if bar:
                bar.close()
        publication_id = self._record(plan, files, uploaded)
        warnings = self._steps(publication_id, plan, files, check_first=uploaded.recovered)
        outcome, message = self._shown(publication_id)
        if uploaded.recovered:
            message += "; the upload had finished in an earlier run, it is now recorded"
        return self._result(plan, outcome, message, warnings, uploaded.remote.remote_id)

    def _adopt(self, plan: Plan, files: BuiltFiles, found: Remote) -> PublishResult:
        """An earlier run published it and this database lost the record: record it, finish what it
        lacks (looking before adding: it may have it already), and upload nothing."""
        post = plan.post.settled(self.options.now())
        done = set(found.done)
        if found.privacy == post.privacy and found.publish_at == post.publish_at:
            done.add(Step.release)
        offer = getattr(plan.loaded.recipe, "offer", None)
        if offer is not None and offer.closes is not None and offer.closes < paris_today(self.options.now()):
            done.add(Step.release)  # a closed offer is not shown again: `mlprod expire` takes it down
        steps = tuple(step for step in plan.steps if step not in done)
        plan = replace(plan, post=post, steps=steps)
        sessions = [s.id for s in active_sessions(self.db, plan.key, plan.platform.name)]
        publication_id = self._record(plan, files, Uploaded(found, sessions[0] if sessions else None),
                                      adopted=True)
        warnings = self._steps(publication_id, plan, files, check_first=True)
        _outcome, shown = self._shown(publication_id)
        return self._result(plan, Outcome.adopted, f"adopted: already on {plan.platform.label}, published by"
                            " mlprod before (found by its marker; this database had no record of it) —"
                            f" recorded, not uploaded again; {shown}", warnings, found.remote_id)

    def _shown(self, publication_id: int) -> tuple[Outcome, str]:
        """What the outcome of an upload says, from the publication's state once its steps ran."""
        with self.db.transaction() as s:
            row = view_of(publication_row(s, publication_id))
        if row.state is PublicationState.scheduled and row.publish_at is not None:
            when = row.publish_at.strftime("%Y-%m-%dT%H:%M:%SZ")
            return Outcome.scheduled, f"scheduled: private until {when}, public from then"
        if row.state is PublicationState.incomplete:
            missing = ", ".join(step.value for step in row.missing)
            return Outcome.incomplete, (f"uploaded, kept private until whole ({missing} missing) — run"
                                        " `mlprod publish` again to finish it")
        return Outcome.published, f"published ({row.privacy.value})"

    def _record(self, plan: Plan, files: BuiltFiles, uploaded: Uploaded, *, adopted: bool = False) -> int:
        """The publication and the end of its upload session, in one transaction."""
        remote, now = uploaded.remote, self.options.now()
        offer = getattr(plan.loaded.recipe, "offer", None)
        missing = list(plan.steps)
        with self.db.transaction() as s:
            finish_session(s, uploaded.session_id, remote.remote_id)
            row = Publication(
                recipe=plan.key, platform=plan.platform.name, remote_id=remote.remote_id,
                build_id=files.build_id, kind=plan.loaded.kind, title=plan.post.title,
                state=state_after(missing, remote.privacy, remote.publish_at, now), missing=missing,
                privacy=remote.privacy, publish_at=remote.publish_at, url=remote.url,
                offer_closes=offer.closes if offer else None, metadata_hash=plan.post.fingerprint(),
                marker=marker_for(plan.platform.name, plan.key), adopted=adopted)
            s.add(row)
            s.flush()
            return row.id

    def _steps(self, publication_id: int, plan: Plan, files: BuiltFiles | None,
               *, check_first: bool) -> list[str]:
        """Each step still to do, each recorded as soon as it is done; warnings for what was not."""
        warnings: list[str] = []
        if files is None and FILE_STEPS & set(plan.steps):
            warnings.append("the build behind this video is gone: thumbnail and captions not sent —"
                            " run `mlprod build` on the recipe, then `mlprod publish --update`")
        for step in plan.steps:
            if files is None and step in FILE_STEPS:
                continue
            with self.db.transaction() as s:
                publication = view_of(publication_row(s, publication_id))
            outcome = plan.platform.do_step(step, publication, plan.post, files, check_first=check_first)
            if outcome.warning:
                warnings.append(outcome.warning)
            if outcome.done:
                self._mark_done(publication_id, step, outcome)
        return warnings

    def _mark_done(self, publication_id: int, step: Step, outcome: StepOutcome) -> None:
        with self.db.transaction() as s:
            row = publication_row(s, publication_id)
            row.missing = [m for m in row.missing if m != step.value]
            if outcome.playlist_id:
                row.playlist_id = outcome.playlist_id
            if outcome.privacy is not None:
                row.privacy, row.publish_at = outcome.privacy, outcome.publish_at
            view = view_of(row)
            row.state = state_after(view.missing, view.privacy, view.publish_at, self.options.now(),
                                    row.state)
            row.updated_at = utcnow()

    def _push_metadata(self, plan: Plan) -> None:
        publication = plan.publication
        assert publication is not None
        remote = plan.platform.update(publication, plan.post)
        offer = getattr(plan.loaded.recipe, "offer", None)
        with self.db.transaction() as s:
            row = publication_row(s, publication.id)
            row.title, row.privacy, row.publish_at = plan.post.title, remote.privacy, remote.publish_at
            row.playlist_id, row.metadata_hash = remote.playlist_id, plan.post.fingerprint()
            row.offer_closes = offer.closes if offer else None
            row.state = state_after(publication.missing, remote.privacy, remote.publish_at,
                                    self.options.now(), row.state)
            row.updated_at = utcnow()


def publish_recipes(settings: Settings, db: Database, paths: Sequence[Path],
                    options: PublishOptions | None = None,
                    platforms: dict[PlatformName, Platform] | None = None) -> BatchResult:
    """Publish each recipe on each of its platforms; a failing one does not stop the others (a spent
    quota or a lost sign-in stops that platform's part). Raises :class:`QuotaExceeded` up front when
    a platform's budget for today cannot cover the whole batch."""
    with workspace_lock(settings, "publish", "mlprod publish", PublishError):
        return _publish_batch(Publisher(settings, db, options or PublishOptions(), platforms), paths)


def _publish_batch(publisher: Publisher, paths: Sequence[Path]) -> BatchResult:
    settings, now = publisher.settings, publisher.options.now
    results: dict[int, PublishResult] = {}
    plans: list[tuple[int, Plan]] = []
    index = 0
    for path in paths:
        try:
            loaded = load_recipe(path)
        except MlprodError as err:
            results[index] = PublishResult(stored_path(settings, path), Outcome.failed, str(err))
            index += 1
            continue
        names = publisher.platforms_for(loaded)
        if not names and publisher.options.only is not None:
            results[index] = _not_named(stored_path(settings, path), publisher.options.only,
                                        publisher.named(loaded))
            index += 1
            continue
        for name in names:
            try:
                plans.append((index, publisher.plan(path, name)))
            except MlprodError as err:
                results[index] = PublishResult(stored_path(settings, path), Outcome.failed, str(err),
                                               platform=name)
            index += 1
    pools: dict[str, tuple[Platform, int]] = {}
    for _, plan in plans:  # platforms spending one budget (YouTube and its Shorts) are checked together
        pool = str(getattr(plan.platform, "budget_pool", plan.platform.name.value))
        first, needed = pools.get(pool, (plan.platform, 0))
        pools[pool] = (first, needed + plan.estimate)
    for platform, needed in pools.values():
        platform.ensure_budget(needed, now())
    stopped: dict[PlatformName, str] = {}
    for index, plan in plans:
        if plan.platform.name in stopped:
            results[index] = PublishResult(plan.key, Outcome.skipped, "not tried: the batch stopped",
                                           platform=plan.platform.name)
            continue
        try:
            results[index] = publisher.execute(plan)
        except NotYet as err:
            results[index] = PublishResult(plan.key, Outcome.waiting, str(err), platform=plan.platform.name)
        except (QuotaExceeded, AuthError) as err:
            stopped[plan.platform.name] = str(err)
            results[index] = PublishResult(plan.key, Outcome.failed, str(err), platform=plan.platform.name)
        except MlprodError as err:
            results[index] = PublishResult(plan.key, Outcome.failed, str(err), platform=plan.platform.name)
    for name in DEFAULT_PLATFORMS:  # the summary shows their budget even when nothing was planned
        publisher.platform(name)
    budgets = {name: budget for name, platform in publisher.platforms.items()
               if (budget := platform.budget(now())) is not None}
    return BatchResult([results[i] for i in sorted(results)], budgets,
                       next(iter(stopped.values()), None))


def _not_named(key: str, only: PlatformName, named: tuple[PlatformName, ...]) -> PublishResult:
    names = ", ".join(p.value for p in named)
    return PublishResult(key, Outcome.not_named, f"not for {only.value}: the recipe is published on {names}"
                         f" — add {only.value} to its publish.platforms to publish it there too",
                         platform=only)
