"""Sites: one installation for many Missions Locales. Through the real CLI, on SQLite and PostgreSQL,
one site's command never reads or changes another site's records, tokens or files."""

from __future__ import annotations

import datetime as dt
import json
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from click.testing import Result
from intake_helpers import clip_file, offer_fields, post_offer
from publish_helpers import sha256, tutorial
from sites_helpers import SITES, Region, declare_sites
from sqlalchemy import Table, delete, func, insert, inspect, literal, select, text, update

from mlprod.config import Settings, load_settings
from mlprod.errors import StoreError
from mlprod.intake import serve_in_thread
from mlprod.media.samples import ClipSpec, make_clip
from mlprod.store import open_database
from mlprod.store.db import MIGRATIONS, make_engine
from mlprod.store.models import (
    Base,
    Build,
    DailyMetric,
    Publication,
    Submission,
    SubmissionFile,
    VideoLabel,
)
from mlprod.store.sites import holds_sites, site_models

# -- records ------------------------------------------------------------------------------------


def test_each_site_syncs_lists_and_reports_its_own_channel(region: Region, tmp_path: Path) -> None:
    listed = {site: {v["youtube_id"] for v in json.loads(region.ok(site, "videos", "list", "--json").output)}
              for site in SITES}
    for site, history in region.histories.items():
        assert listed[site] == {v.id for v in history.videos}
    assert listed["salon"] and not listed["salon"] & listed["istres"]

    for site, end in {"salon": "2300", "istres": "400"}.items():
        out = tmp_path / f"{site}.csv"
        region.ok(site, "report", "--from", "2020-03-16", "--to", "2020-05-16", "-o", str(out))
        lines = out.read_text(encoding="utf-8-sig").splitlines()
        first_day = region.histories[site].subscribers_at_end_of(dt.date(2020, 3, 16))
        assert (lines[1].split(";")[5], lines[-1].split(";")[5]) == (str(first_day), end)

    # the default site holds nothing: its report says to sync first
    result = region.cli(None, "report", "-o", str(tmp_path / "default.html"))
    assert result.exit_code != 0 and "stats sync" in result.output


def test_a_label_on_one_sites_video_is_out_of_reach_of_the_other(region: Region) -> None:
    salon_video = region.histories["salon"].videos[0].id
    result = region.cli("istres", "videos", "set", salon_video, "--kind", "job_offer")
    assert result.exit_code != 0 and "no video with this id" in result.output
    region.ok("salon", "videos", "set", salon_video, "--kind", "job_offer")
    with region.database("istres") as db, db.transaction() as session:
        assert session.scalars(select(VideoLabel)).all() == []
    with region.database("salon") as db, db.transaction() as session:
        assert [(label.site, label.youtube_id) for label in session.scalars(select(VideoLabel))] == [
            ("salon", salon_video)]


def _site_clip_and_recipe(root: Path, site: str) -> Path:
    folder = root / "sites" / site
    make_clip(folder / "media" / "a.mp4", ClipSpec(seconds=2))
    recipe = folder / "recipes" / "entretien.yaml"
    recipe.parent.mkdir(parents=True)
    recipe.write_text(tutorial(playlist="Préparer son entretien").replace(
        "kind: tutorial", "kind: tutorial\noutput:\n  quality: draft"), encoding="utf-8")
    return recipe


def test_builds_and_publications_stay_with_their_site(region: Region) -> None:
    recipe = _site_clip_and_recipe(region.root, "salon")
    result = region.ok("salon", "publish", str(recipe))
    [video] = region.sandboxes["salon"].state()["videos"][-1:]
    built = region.root / "sites" / "salon" / "output" / "entretien" / "entretien-landscape.mp4"
    assert video["media_sha256"] == sha256(built) and video["id"] in result.output
    salon_status = json.loads(region.ok("salon", "status", "--json").output)
    assert [(e["recipe"], e["youtube_id"]) for e in salon_status] == [
        ("sites/salon/recipes/entretien.yaml", video["id"])]

    # istres sees none of it, and cannot publish salon's recipe
    assert json.loads(region.ok("istres", "status", "--json").output) == []
    before = len(region.sandboxes["istres"].state()["videos"])
    refused = region.cli("istres", "publish", str(recipe))
    assert refused.exit_code != 0
    assert "sites/salon/recipes/entretien.yaml: this recipe belongs to site 'salon'" in refused.output
    assert "--site salon" in refused.output
    region.ok("istres", "expire")
    assert len(region.sandboxes["istres"].state()["videos"]) == before

    # the same recipe in istres's own folder is istres's own build and publication
    own = _site_clip_and_recipe(region.root, "istres")
    region.ok("istres", "publish", str(own))
    assert len(region.sandboxes["istres"].state()["videos"]) == before + 1
    assert (region.root / "sites" / "istres" / "output" / "entretien" / "entretien-landscape.mp4").is_file()
    with region.database("salon") as salon, salon.transaction() as session:
        [publication] = session.scalars(select(Publication)).all()
        assert (publication.site, publication.remote_id) == ("salon", video["id"])
        assert {b.site for b in session.scalars(select(Build))} == {"salon"}
    with region.database("istres") as istres, istres.transaction() as session:
        assert [p.site for p in session.scalars(select(Publication))] == ["istres"]
        # salon's rows are not there to read, change or delete
        assert session.get(Publication, publication.id) is None
        theirs = Publication.id == publication.id
        assert session.execute(update(Publication).where(theirs).values(title="x")).rowcount == 0
        assert session.execute(delete(Build).where(Build.site == "salon")).rowcount == 0
    with region.database("salon") as salon, salon.transaction() as session:
        assert session.scalars(select(Publication.title)).all() == [publication.title]
        assert len(session.scalars(select(Build)).all()) == 1


def _serve(region: Region, site: str) -> tuple[str, Callable[[], None], Callable[[], None]]:
    db = open_database(region.database_url, site)
    url, stop = serve_in_thread(region.settings(site), db=db)
    return url, stop, db.close


def test_submissions_stay_with_their_site(region: Region, clip_factory: Callable[..., Path]) -> None:
    salon_url, stop_salon, close_salon = _serve(region, "salon")
    istres_url, stop_istres, close_istres = _serve(region, "istres")
    try:
        invite = region.ok("salon", "intake", "invite", "Boulangerie du Cours", "--base-url", salon_url)
        link = next(word for word in invite.output.split() if word.startswith(salon_url))
        answer = post_offer(link, offer_fields(), [clip_file(clip_factory("offre.mp4", seconds=2))])
        assert answer.status_code == 303, answer.text
        # the link works on salon's page only: istres's does not know the invitation
        assert post_offer(link.replace(salon_url, istres_url), offer_fields(), []).status_code in (403, 404)
    finally:
        stop_salon()
        stop_istres()
        close_salon()
        close_istres()

    [submission] = json.loads(region.ok("salon", "intake", "list", "--json").output)
    public_id = submission["public_id"]
    assert json.loads(region.ok("istres", "intake", "list", "--json").output) == []
    assert json.loads(region.ok("istres", "intake", "invitations", "--json").output) == []
    for args in (("approve", public_id), ("reject", public_id, "--reason", "doublon"), ("show", public_id)):
        result = region.cli("istres", "intake", *args)
        assert result.exit_code != 0 and public_id in result.output, result.output
    assert not (region.root / "sites" / "istres" / "recipes").exists()
    stored = list((region.root / "sites" / "salon" / "media" / "offres").rglob("*.mp4"))
    assert len(stored) == 1

    approved = region.ok("salon", "intake", "approve", public_id)
    assert "sites/salon/recipes/offres/" in approved.output
    with region.database("salon") as db, db.transaction() as session:
        row = session.scalars(select(Submission)).one()
        assert (row.site, row.status.value, [f.site for f in row.files]) == ("salon", "approved", ["salon"])


# -- tokens and files ---------------------------------------------------------------------------


def test_a_sites_token_is_its_own(region: Region) -> None:
    state = region.root / ".mlprod"
    tokens = {site: state / "sites" / site / "token.json" for site in SITES}
    for path in tokens.values():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert tokens["salon"].read_bytes() != tokens["istres"].read_bytes()
    assert not (state / "token.json").exists()  # the default site never signed in

    status = json.loads(region.ok("salon", "auth", "status", "--json").output)
    assert status["token_file"] == str(tokens["salon"])
    # the default site does not borrow a named site's sign-in, even pointed at its channel
    result = region.cli(None, "stats", "sync", MLPROD_YOUTUBE_URL=region.sandboxes["salon"].url)
    assert result.exit_code != 0 and "auth login" in result.output
    result = region.cli(None, "auth", "status", "--json")
    assert result.exit_code == 1 and json.loads(result.output)["token_file"] == str(state / "token.json")

    region.ok("istres", "auth", "logout")
    assert not tokens["istres"].exists() and tokens["salon"].is_file()
    region.ok("salon", "auth", "status")


def test_site_settings_and_folders(workspace: Settings) -> None:
    declare_sites(workspace.root, SITES, '\n[sites.martigues]\nbrand = "ml-martigues"\n')
    salon = load_settings(workspace.root, {}, site="salon")
    root = workspace.root
    assert (salon.recipes_dir, salon.media_dir, salon.output_dir) == (
        root / "sites/salon/recipes", root / "sites/salon/media", root / "sites/salon/output")
    assert salon.token_file == root / ".mlprod/sites/salon/token.json"
    assert salon.cache_dir == root / ".mlprod/cache"  # pieces are keyed by content: shared
    assert salon.database_url == workspace.database_url  # one database for the installation
    assert salon.client_secret_file == root / ".mlprod/client_secret.json"  # the installation's, if shared
    assert salon.site_info().title == SITES["salon"] and salon.brand == "ml-prod"
    assert load_settings(root, {}, site="martigues").brand == "ml-martigues"
    assert load_settings(root, {"MLPROD_SITE": "istres"}).site == "istres"
    default = load_settings(root, {})
    assert (default.site, default.recipes_dir, default.token_file) == (
        "default", root / "recipes", root / ".mlprod/token.json")
    assert [s.name for s in default.sites] == ["salon", "istres", "martigues"]


@pytest.mark.parametrize(("args", "env", "message"), [
    (["--site", "salom"], {}, "--site: there is no site 'salom' in {config}; the sites declared there"
                              " are: salon, istres — check the spelling, or declare it with a [sites.salom]"
                              " table"),
    (["--site", "Salon de P"], {}, "--site: 'Salon de P' is not a site name — a site name is 1 to 40"),
    ([], {"MLPROD_SITE": "../x"}, "MLPROD_SITE: '../x' is not a site name"),
    ([], {"MLPROD_SITE": "aix"}, "MLPROD_SITE: there is no site 'aix' in {config}"),
])
def test_a_site_that_does_not_exist_is_refused(workspace: Settings, run_cli: Callable[..., Result],
                                               args: list[str], env: dict[str, str], message: str) -> None:
    declare_sites(workspace.root, SITES)
    result = run_cli(*args, "status", env=env)
    assert result.exit_code == 1
    assert message.format(config=workspace.root / "mlprod.toml") in result.output
    assert not (workspace.root / "sites").exists() and not (workspace.state_dir / "sites").exists()


def test_a_single_site_workspace_has_no_sites_to_choose(run_cli: Callable[..., Result]) -> None:
    result = run_cli("--site", "salon", "status")
    assert result.exit_code == 1
    assert "it declares no site (a single-site workspace needs no --site)" in result.output
    assert run_cli("status").exit_code == 0


# -- the binding itself -------------------------------------------------------------------------


def _metric(day: dt.date, views: int) -> dict[str, object]:
    return {"day": day, "views": views, "minutes_watched": 0, "subscribers_gained": 1, "subscribers_lost": 0,
            "synced_at": dt.datetime.now(dt.UTC)}


def test_what_cannot_be_bound_to_a_site_is_refused(database_url: str) -> None:
    salon, istres = open_database(database_url, "salon"), open_database(database_url, "istres")
    day = dt.date(2020, 3, 16)
    daily = cast_table(DailyMetric)
    for db, views in ((salon, 1), (istres, 2)):
        with db.transaction() as session:  # Core executemany, as `mlprod stats sync` writes
            session.execute(insert(daily), [_metric(day, views)])
    with salon.transaction() as session:
        assert session.scalars(select(DailyMetric.views)).all() == [1]
        assert session.scalar(select(func.count()).select_from(DailyMetric)) == 1
        assert session.execute(delete(daily).where(daily.c.day == day)).rowcount == 1  # salon's only
    refused = {
        "raw SQL": lambda s: s.execute(text("SELECT * FROM daily_metrics")),
        "Core read": lambda s: s.execute(select(daily.c.views)),
        "moving a row": lambda s: s.execute(update(DailyMetric).values(site="salon")),
        "another site's row": lambda s: s.execute(insert(daily), [{**_metric(day, 3), "site": "salon"}]),
        "INSERT … SELECT": lambda s: s.execute(insert(daily).from_select(
            ["site", "day", "views", "minutes_watched", "subscribers_gained", "subscribers_lost",
             "synced_at"],
            select(literal("salon"), DailyMetric.day, DailyMetric.views, DailyMetric.minutes_watched,
                   DailyMetric.subscribers_gained, DailyMetric.subscribers_lost, DailyMetric.synced_at))),
        "adding another site's object": lambda s: s.add(VideoLabel(site="salon", youtube_id="x")),
    }
    for name, statement in refused.items():
        with pytest.raises(StoreError, match="refused for site 'istres'"), istres.transaction() as session:
            statement(session)
            session.flush()
            pytest.fail(f"{name} was not refused")
    with istres.transaction() as session:
        assert [(m.site, m.views) for m in session.scalars(select(DailyMetric))] == [("istres", 2)]
    with pytest.raises(StoreError, match="cannot open another site's records"):
        istres.for_site("salon")
    with pytest.raises(StoreError, match="cannot list the other sites"):
        istres.sites()

    network = open_database(database_url, every_site=True)
    assert network.sites() == ["istres"]
    with pytest.raises(StoreError, match="this session only reads"), network.transaction() as session:
        session.add(VideoLabel(site="istres", youtube_id="x"))
    with pytest.raises(StoreError, match="this session only reads"), network.transaction() as session:
        session.execute(delete(DailyMetric))
    with network.for_site("istres").transaction() as session:
        assert session.scalars(select(DailyMetric.views)).all() == [2]
    for db in (salon, istres, network):
        db.close()


def cast_table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


# -- the migration ------------------------------------------------------------------------------


def _upgrade(url: str, *revisions: str) -> None:
    engine = make_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        for revision in revisions:
            command.upgrade(cfg, revision)
    engine.dispose()


BEFORE_SITES = ("0003_stats", "0004_intake", "0005_video_labels", "0006_intake_once", "0007_publications",
                "0008_platform_stats")


def test_records_written_before_sites_become_the_default_sites(database_url: str) -> None:
    _upgrade(database_url, *BEFORE_SITES)
    engine = make_engine(database_url)
    now = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO builds (id, recipe, slug, format, quality, content_hash, status,"
                          " reused, renderer_version, created_at) VALUES (1, 'recipes/a.yaml', 'a',"
                          " 'landscape', 'standard', 'h', 'done', false, '1', :now)"), {"now": now})
        conn.execute(text("INSERT INTO publications (recipe, platform, remote_id, build_id, kind, title,"
                          " state, missing, privacy, adopted, published_at, updated_at) VALUES"
                          " ('recipes/a.yaml', 'youtube', 'yt1', 1, 'tutorial', 'A', 'published', '[]',"
                          " 'public', false, :now, :now)"), {"now": now})
        conn.execute(text("INSERT INTO submissions (id, public_id, employer, status, offer, consent_text,"
                          " consent_at, created_at) VALUES (1, 'sub-2026-0001', 'E', 'approved', '{}', 'oui',"
                          " :now, :now)"), {"now": now})
        conn.execute(text("INSERT INTO submission_files (submission_id, role, stored_path, original_name,"
                          " size_bytes, sha256) VALUES (1, 'clip', 'media/offres/x.mp4', 'x.mp4', 1, 'h')"))
        conn.execute(text("INSERT INTO daily_metrics (day, views, minutes_watched, subscribers_gained,"
                          " subscribers_lost, synced_at) VALUES ('2020-03-16', 5, 0, 1, 0, :now)"),
                     {"now": now})
        conn.execute(text("INSERT INTO video_labels (youtube_id, kind, updated_at) VALUES ('yt1', 'tutorial',"
                          " :now)"), {"now": now})
    engine.dispose()

    default, salon = open_database(database_url), open_database(database_url, "salon")
    with default.transaction() as session:
        publication = session.scalars(select(Publication)).one()
        # the tables others point at were altered in place: nothing cascaded or went NULL
        assert publication.build_id == 1 and publication.site == "default"
        assert [f.stored_path for f in session.scalars(select(SubmissionFile))] == ["media/offres/x.mp4"]
        assert session.get(DailyMetric, ("default", dt.date(2020, 3, 16))).views == 5
        assert session.scalars(select(VideoLabel.site)).all() == ["default"]
    with salon.transaction() as session:
        for model in site_models():
            assert session.scalars(select(model)).all() == [], model
        # keys are per site now: salon may hold the same day and video as the default site
        session.add(DailyMetric(day=dt.date(2020, 3, 16), views=7, minutes_watched=0, subscribers_gained=0,
                                subscribers_lost=0))
        session.add(VideoLabel(youtube_id="yt1"))
        session.add(Publication(recipe="sites/salon/recipes/a.yaml", platform="youtube", remote_id="yt1",
                                kind="tutorial", title="A", state="published", privacy="public"))
    with salon.transaction() as session:
        assert session.scalars(select(DailyMetric.views)).all() == [7]
    default.close()
    salon.close()


def test_every_sites_table_has_its_site_key_in_the_migrated_schema(database_url: str) -> None:
    """The migrations and the models agree on every table that holds sites' records (a branch that
    adds such a table and forgets the column in its migration fails here)."""
    db = open_database(database_url)
    tables = {model.__tablename__ for model in site_models()}
    assert all(holds_sites(Base.metadata.tables[name]) for name in tables)
    with db.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        columns = {name: {c["name"]: c for c in inspect(conn).get_columns(name)} for name in tables}
    assert [d for d in diffs if _table_of(d) in tables] == []
    for name in tables:
        assert columns[name]["site"]["nullable"] is False, name
    db.close()


def _table_of(diff: object) -> str | None:
    first = diff[0] if isinstance(diff, list) else diff
    assert isinstance(first, tuple)
    for item in first[1:]:
        if isinstance(item, str):
            return item
        name = getattr(item, "name", None)
        table = getattr(item, "table", None)
        if table is not None:
            return str(table.name)
        if isinstance(name, str) and hasattr(item, "columns"):
            return name
    return None
