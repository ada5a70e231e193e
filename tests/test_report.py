"""`mlprod report`: the figures a director reads equal the sandbox's history (ground truth)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete
from stats_helpers import (
    SEED,
    Element,
    SignedIn,
    figure,
    pacific_clock,
    parse_html,
    plain,
    seeded,
    signed_in,
    spec_videos,
)

from mlprod.french import fr_date
from mlprod.report.charts import subscribers_chart
from mlprod.report.figures import DayRow, Kind, Period, ReportData, VideoInfo, VideoTotals, compute_figures
from mlprod.report.render import render_html
from mlprod.sandbox.history import ChannelHistory, DayStats
from mlprod.store.models import ChannelSnapshot, DailyMetric, VideoMetric

START, END = dt.date(2020, 3, 16), dt.date(2020, 5, 16)
CREATED = dt.date(2019, 9, 18)  # the sandbox creates the channel 180 days before the history's start
NNBSP = "\u202f"


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SignedIn]:
    with seeded(tmp_path_factory.mktemp("report") / "ws") as channel:
        yield channel


def report(channel: SignedIn, path: Path, *args: str) -> Element:
    result = channel.cli("report", *args, "-o", str(path))
    assert result.exit_code == 0, result.output
    assert f"Report written to {path}" in result.output
    return parse_html(path.read_text(encoding="utf-8"))


def truth_days(history: ChannelHistory, first: dt.date, last: dt.date) -> list[DayStats]:
    return history.days_between(first, last)


def test_the_seed_report_holds_the_ground_truth(seed: SignedIn, tmp_path: Path) -> None:
    page = report(seed, tmp_path / "rapport.html", "--from", "2020-03-16", "--to", "2020-05-16")
    days = truth_days(seed.history, START, END)
    assert figure(page, "subscribers-start") == "600"
    assert figure(page, "subscribers-end") == "2300"
    assert figure(page, "net-gain") == "1700"
    assert float(figure(page, "growth-rate")) == pytest.approx(1700 * 100 / 600)
    before = seed.history.subscribers_at_end_of(dt.date(2020, 1, 13))  # 14 January – 15 March before
    comparison = page.find(data_figure="previous-net-gain")
    assert (comparison.attrs["data-start-count"], comparison.attrs["data-end-count"]) == (str(before), "600")
    assert comparison.attrs["data-value"] == str(600 - before)
    assert int(figure(page, "views")) == sum(d.views for d in days)
    assert int(figure(page, "minutes")) == sum(d.estimated_minutes_watched for d in days)
    assert figure(page, "synced-through") > "2020-05-16"

    headline = page.find(data_figure="subscribers-end").all_text
    assert f"2{NNBSP}300" in headline and "16 mai 2020" in headline
    assert plain(page.find(data_figure="growth-rate").all_text).endswith("+283,3 %")
    assert page.find("p", **{"class": "period"}).all_text.startswith("Du 16 mars 2020 au 16 mai 2020")
    # the Analytics go back to the channel's creation: exact counts, no caveat
    assert not page.find_all(data_figure="subscribers-deduced")
    method = page.find("p", **{"class": "method"}).all_text
    assert "18 septembre 2019" in method and "sous-estimés" not in method and "déduits" not in method


def test_weeks_hold_the_views_and_watch_time_of_the_history(seed: SignedIn, tmp_path: Path) -> None:
    page = report(seed, tmp_path / "rapport.html", "--from", "2020-03-16", "--to", "2020-05-16")
    rows = [r for r in page.find("table", id="weeks").find_all("tr") if "data-week-start" in r.attrs]
    assert rows[0].attrs["data-week-start"] == "2020-03-16"
    assert rows[-1].attrs["data-week-end"] == "2020-05-16"
    for row in rows:
        first, last = (dt.date.fromisoformat(row.attrs[k]) for k in ("data-week-start", "data-week-end"))
        days = truth_days(seed.history, first, last)
        assert int(row.attrs["data-views"]) == sum(d.views for d in days)
        assert int(row.attrs["data-minutes"]) == sum(d.estimated_minutes_watched for d in days)
    bars = page.find("svg", data_chart="weekly-views").find_all("rect", **{"class": "week"})
    assert [b.attrs["data-value"] for b in bars] == [r.attrs["data-views"] for r in rows]


def test_top_videos_themes_and_offers(seed: SignedIn, tmp_path: Path) -> None:
    page = report(seed, tmp_path / "rapport.html", "--from", "2020-03-16", "--to", "2020-05-16")
    videos = spec_videos(seed.history)
    totals = seed.history.video_totals(START, END)
    by_gain = sorted(totals, key=lambda t: (t.subscribers_gained, t.views, t.video_id), reverse=True)
    top = page.find("table", id="top-subscribers").find_all("tr")[1:]
    assert [r.attrs["data-youtube-id"] for r in top] == [t.video_id for t in by_gain]
    assert [int(r.attrs["data-gained"]) for r in top] == [t.subscribers_gained for t in by_gain]
    by_views = sorted(totals, key=lambda t: (t.views, t.subscribers_gained, t.video_id), reverse=True)
    top_views = page.find("table", id="top-views").find_all("tr")[1:]
    assert [(r.attrs["data-youtube-id"], int(r.attrs["data-views"])) for r in top_views] == \
        [(t.video_id, t.views) for t in by_views]

    views = {t.video_id: t.views for t in totals}
    theme = page.find(data_theme="Préparer son entretien")
    assert int(theme.attrs["data-views"]) == views[videos[0].id]
    # ours without a playlist, and the channel's own "Trouver une formation": themed by their titles
    assert videos[1].title.startswith("Rédiger son CV")
    assert page.find(data_theme="CV et lettre de motivation").find("tr", data_youtube_id=videos[1].id)
    assert videos[5].title.startswith("Trouver une formation")
    assert page.find(data_theme="Formation et apprentissage").find("tr", data_youtube_id=videos[5].id)

    offers = {r.attrs["data-youtube-id"]: r for r in page.find("table", id="offers").find_all("tr")[1:]}
    assert offers[videos[2].id].attrs["data-open"] == "false"
    assert offers[videos[4].id].attrs["data-open"] == "true"
    assert "ouverte" in offers[videos[4].id].all_text
    lifetime = {t.video_id: t.views for t in seed.history.video_totals(CREATED, dt.date.today())}
    assert int(offers[videos[2].id].attrs["data-lifetime-views"]) == lifetime[videos[2].id]

    others = page.find(id="others")  # nothing says what "Atelier numérique" is
    assert videos[3].title.startswith("Atelier numérique")
    assert int(others.attrs["data-count"]) == 1
    assert int(others.attrs["data-views"]) == views[videos[3].id]

    published = page.find("table", id="published").find_all("tr")[1:]
    assert [(r.attrs["data-youtube-id"], r.attrs["data-date"]) for r in published] == \
        [(v.id, v.published.isoformat()) for v in videos]
    assert fr_date(videos[0].published) in published[0].all_text
    marks = page.find("svg", data_chart="subscribers").find_all("g", **{"class": "publication"})
    assert [(m.attrs["data-youtube-id"], m.attrs["data-kind"]) for m in marks][:3] == \
        [(videos[0].id, "tutorial"), (videos[1].id, "tutorial"), (videos[2].id, "job_offer")]


def test_a_period_is_compared_with_the_one_before(seed: SignedIn, tmp_path: Path) -> None:
    page = report(seed, tmp_path / "avril.html", "--from", "2020-04-16", "--to", "2020-05-16")
    history = seed.history
    mid = history.subscribers_at_end_of(dt.date(2020, 4, 15))
    assert figure(page, "subscribers-start") == str(mid)
    assert figure(page, "net-gain") == str(2300 - mid)
    comparison = page.find(data_figure="previous-net-gain")
    assert comparison.attrs["data-value"] == str(mid - 600)
    assert (comparison.attrs["data-start-count"], comparison.attrs["data-end-count"]) == ("600", str(mid))
    assert figure(page, "net-gain-difference") == str((2300 - mid) - (mid - 600))
    assert "du 16 mars 2020 au 15 avril 2020" in comparison.all_text


def test_the_default_period_is_everything_delivered(seed: SignedIn, tmp_path: Path) -> None:
    result = seed.cli("report", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    [path] = tmp_path.glob("rapport-2019-09-18_*.html")  # from the channel's creation
    page = parse_html(path.read_text(encoding="utf-8"))
    assert figure(page, "subscribers-start") == "0"
    assert figure(page, "subscribers-end") == "2300"
    assert figure(page, "growth-rate") == ""  # no rate from zero
    assert page.find("p", **{"class": "period"}).attrs["data-end"] == figure(page, "synced-through")


def test_a_period_starting_before_the_statistics_starts_with_them(seed: SignedIn, tmp_path: Path) -> None:
    page = report(seed, tmp_path / "r.html", "--from", "2019-09-01", "--to", "2019-09-30")
    assert page.find("p", **{"class": "period"}).attrs["data-start"] == "2019-09-18"
    assert "commencent le 18 septembre 2019" in page.find("p", **{"class": "note muted"}).all_text
    assert figure(page, "subscribers-start") == "0"
    assert figure(page, "subscribers-end") == str(seed.history.subscribers_at_end_of(dt.date(2019, 9, 30)))


def test_a_period_before_the_history_starts_holds_the_ground_truth(seed: SignedIn, tmp_path: Path) -> None:
    first, last = dt.date(2019, 12, 1), dt.date(2020, 1, 31)
    page = report(seed, tmp_path / "hiver.html", "--from", first.isoformat(), "--to", last.isoformat())
    truth = seed.history
    start, end = truth.subscribers_at_end_of(first - dt.timedelta(days=1)), truth.subscribers_at_end_of(last)
    assert 0 < start < end < 600
    assert (figure(page, "subscribers-start"), figure(page, "subscribers-end")) == (str(start), str(end))
    assert figure(page, "net-gain") == str(end - start)
    days = truth_days(truth, first, last)
    assert int(figure(page, "views")) == sum(d.views for d in days)
    assert int(figure(page, "minutes")) == sum(d.estimated_minutes_watched for d in days)
    comparison = page.find(data_figure="previous-net-gain")  # the 62 days before: 30 September – 30 November
    assert comparison.attrs["data-start-count"] == str(truth.subscribers_at_end_of(dt.date(2019, 9, 29)))
    assert comparison.attrs["data-end-count"] == str(start)
    rows = [r for r in page.find("table", id="weeks").find_all("tr") if "data-week-start" in r.attrs]
    for row in rows:
        week = truth_days(truth, dt.date.fromisoformat(row.attrs["data-week-start"]),
                          dt.date.fromisoformat(row.attrs["data-week-end"]))
        assert int(row.attrs["data-views"]) == sum(d.views for d in week)
    totals = truth.video_totals(first, last)
    assert totals and all(v.published < START for v in truth.videos if v.id in {t.video_id for t in totals})
    by_views = sorted(totals, key=lambda t: (t.views, t.subscribers_gained, t.video_id), reverse=True)
    top_views = page.find("table", id="top-views").find_all("tr")[1:]
    assert [(r.attrs["data-youtube-id"], int(r.attrs["data-views"])) for r in top_views] == \
        [(t.video_id, t.views) for t in by_views]
    assert not page.find_all(data_figure="subscribers-deduced")


def test_the_csv_is_the_daily_table(seed: SignedIn, tmp_path: Path) -> None:
    result = seed.cli("report", "--from", "2020-03-16", "--to", "2020-05-16", "-o", str(tmp_path / "j.csv"))
    assert result.exit_code == 0, result.output
    raw = (tmp_path / "j.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # spreadsheets then read UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    days = truth_days(seed.history, START, END)
    assert len(rows) == len(days) == 62
    for row, day in zip(rows, days, strict=True):
        assert row["date"] == day.day.isoformat()
        assert (int(row["vues"]), int(row["minutes_regardees"]), int(row["abonnes_gagnes"]),
                int(row["abonnes_perdus"]), int(row["abonnes_fin_de_journee"])) == \
            (day.views, day.estimated_minutes_watched, day.subscribers_gained, day.subscribers_lost,
             day.subscribers)
        assert row["statut"] == "disponible"


def test_days_not_delivered_yet_are_shown_as_such(tmp_path: Path) -> None:
    with signed_in(tmp_path / "ws", SEED, pacific_clock(dt.date(2020, 4, 20))) as channel:
        assert channel.cli("stats", "sync").exit_code == 0
        page = report(channel, tmp_path / "r.html", "--from", "2020-04-01", "--to", "2020-04-19")
        end = page.find(data_figure="subscribers-end")
        assert end.attrs["data-value"] == "" and "pas encore disponible" in end.all_text
        latest = page.find(data_figure="latest-known")
        assert latest.attrs["data-date"] == "2020-04-17"
        truth = channel.history.subscribers_at_end_of
        assert int(latest.attrs["data-value"]) - int(figure(page, "subscribers-start")) == \
            truth(dt.date(2020, 4, 17)) - truth(dt.date(2020, 3, 31))
        assert figure(page, "net-gain") == ""
        weeks = page.find("table", id="weeks").find_all("tr")
        last_week = [r for r in weeks if "data-week-start" in r.attrs][-1]
        assert last_week.attrs["data-week-start"] == "2020-04-13"
        assert int(last_week.attrs["data-views"]) == sum(
            d.views for d in channel.history.days_between(dt.date(2020, 4, 13), dt.date(2020, 4, 17)))
        assert "partielle : 5 jours sur 7" in last_week.all_text

        result = channel.cli("report", "--from", "2020-04-01", "--to", "2020-04-19",
                             "-o", str(tmp_path / "r.csv"))
        assert result.exit_code == 0
        text = (tmp_path / "r.csv").read_text(encoding="utf-8-sig")
        rows = list(csv.reader(io.StringIO(text), delimiter=";"))
        assert rows[-2:] == [["2020-04-18", "", "", "", "", "", "pas encore disponible"],
                             ["2020-04-19", "", "", "", "", "", "pas encore disponible"]]


def test_report_and_sync_on_each_database(tmp_path: Path, database_url: str) -> None:
    with signed_in(tmp_path / "ws", SEED, pacific_clock(dt.date(2020, 6, 1)), database_url) as channel:
        assert channel.cli("stats", "sync").exit_code == 0
        page = report(channel, tmp_path / "r.html", "--from", "2020-03-16", "--to", "2020-05-16")
        assert (figure(page, "subscribers-start"), figure(page, "subscribers-end")) == ("600", "2300")
        assert int(figure(page, "views")) == sum(d.views for d in channel.history.days_between(START, END))


def test_a_count_youtube_rounds_is_reported_exactly(tmp_path: Path) -> None:
    spec = "2020-03-16:600,2020-05-16:2345"
    with signed_in(tmp_path / "ws", spec, pacific_clock(dt.date(2020, 6, 1))) as channel:
        result = channel.cli("stats", "sync")
        assert result.exit_code == 0, result.output
        assert "2,345; YouTube shows 2,340 (rounded)" in result.output
        page = report(channel, tmp_path / "r.html", "--from", "2020-03-16", "--to", "2020-05-16")
        assert (figure(page, "subscribers-start"), figure(page, "subscribers-end")) == ("600", "2345")
        assert figure(page, "net-gain") == "1745"
        assert not page.find_all(data_figure="subscribers-deduced")


def test_the_caveat_is_only_for_an_incomplete_history(tmp_path: Path) -> None:
    with signed_in(tmp_path / "ws", SEED, pacific_clock(dt.date(2020, 6, 1))) as channel:
        assert channel.cli("stats", "sync").exit_code == 0
        with channel.database() as db, db.transaction() as session:  # Analytics from the start only
            session.execute(delete(DailyMetric).where(DailyMetric.day < START))
            session.execute(delete(VideoMetric).where(VideoMetric.day < START))
            session.add(ChannelSnapshot(day=dt.date(2020, 5, 20), subscriber_count=2300))  # a delivered day
        result = channel.cli("stats", "sync")
        assert "the 600 missing were deduced" in result.output
        page = report(channel, tmp_path / "r.html", "--from", "2020-03-16", "--to", "2020-05-16")
        assert (figure(page, "subscribers-start"), figure(page, "subscribers-end")) == ("600", "2300")
        assert figure(page, "subscribers-deduced") == "600"
        assert "sous-estimés de 9 au plus" in page.find("p", **{"class": "method"}).all_text


@pytest.mark.parametrize(("args", "message"), [
    (("--from", "2020-05-01", "--to", "2020-04-01"), "--to 2020-04-01 is before --from 2020-05-01 — swap"),
    (("--to", "2999-01-01"), "--to 2999-01-01 is in the future"),
    (("--from", "2999-01-01"), "--from 2999-01-01 is in the future"),
    (("--from", "2019-01-01", "--to", "2019-06-30"), "the channel's figures start on 2019-09-18"),
    (("-o", "rapport.docx"), "unknown report format '.docx'"),
])
def test_bad_requests_say_what_to_do(seed: SignedIn, tmp_path: Path, args: tuple[str, ...],
                                     message: str) -> None:
    if "-o" not in args:
        args = (*args, "-o", str(tmp_path / "r.html"))
    result = seed.cli("report", *args)
    assert result.exit_code == 1
    assert message in result.output
    assert not (tmp_path / "r.html").exists()


def test_an_empty_database_says_to_sync_first(run_cli: object) -> None:
    result = run_cli("report", "-o", "rapport.html")  # type: ignore[operator]
    assert result.exit_code == 1
    assert "run `mlprod stats sync` first" in result.output


def test_figures_and_charts_from_rows_alone() -> None:
    days = [DayRow(dt.date(2024, 1, 1) + dt.timedelta(days=k), 100 + k, 50, 5, 1) for k in range(10)]
    hostile = VideoInfo("abc", "<script>alert(1)</script>", Kind.TUTORIAL, dt.date(2024, 1, 9), "Thème & co")
    data = ReportData(channel_title="Test", first_day=dt.date(2024, 1, 1),
                      synced_through=dt.date(2024, 1, 10), subscribers_before_rows=100, rows=days,
                      video_period=[VideoTotals("abc", 40, 20, 3, 0)], video_lifetime_views={},
                      videos={"abc": hostile})
    period = Period(dt.date(2024, 1, 8), dt.date(2024, 1, 12))
    figures = compute_figures(data, period, today=dt.date(2024, 2, 1))
    assert figures.subscribers_start == 100 + 7 * 4
    assert figures.growth is None and figures.latest_known == (dt.date(2024, 1, 10), 100 + 10 * 4)
    assert figures.pending_days == 2
    [week] = figures.weeks  # Monday 8 to Friday 12 January, the last two days not delivered
    assert (week.views, week.minutes, week.delivered_days, week.partial) == (324, 150, 3, True)
    previous = figures.previous  # 3 to 7 January
    assert previous and (previous.start_count, previous.end_count) == (100 + 2 * 4, 100 + 7 * 4)
    svg = subscribers_chart(figures.daily, [hostile])
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    page = parse_html(render_html(figures))
    assert page.find(data_theme="Thème & co")
    assert not page.find_all("script")
