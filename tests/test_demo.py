"""`mlprod demo` runs the whole job end to end; check what it leaves behind, not what it prints."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from mlprod.cli import cli
from mlprod.media.probe import probe
from mlprod.store import open_database
from mlprod.store.models import Publication, Submission


def test_demo_builds_publishes_takes_an_offer_syncs_and_reports(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    result = CliRunner().invoke(cli, ["demo", str(root)], catch_exceptions=False)
    assert result.exit_code == 0, result.output

    video = probe(root / "output" / "entretien" / "entretien-landscape.mp4")
    assert video.video and (video.video.display_width, video.video.display_height) == (1920, 1080)
    assert (root / "output" / "entretien" / "entretien-landscape.srt").stat().st_size > 0

    state = json.loads((root / ".mlprod" / "sandbox.json").read_text())
    videos = state["videos"]
    videos = list(videos.values()) if isinstance(videos, dict) else videos
    uploaded = [v for v in videos if v.get("media")]
    assert len(uploaded) == 3  # the tutorial, its Short and the employer's offer; nothing twice
    messages = list(state["discord"]["messages"].values())
    assert len(messages) == 2 and "Garage des Alpilles recrute" in messages[1]["content"]

    db = open_database(f"sqlite:///{root / '.mlprod' / 'mlprod.db'}")
    with db.transaction() as session:
        published = sorted((p.platform.value, p.kind.value) for p in session.query(Publication))
        submission = session.query(Submission).one()
    db.close()
    assert published == [("discord", "job_offer"), ("discord", "tutorial"), ("facebook", "job_offer"),
                         ("facebook", "tutorial"), ("instagram", "tutorial"), ("youtube", "job_offer"),
                         ("youtube", "tutorial"), ("youtube_short", "tutorial")]
    assert submission.status == "approved" and submission.consent_at is not None
    assert (root / submission.recipe).is_file() if submission.recipe else False

    report = (root / "output" / "rapport.html").read_text(encoding="utf-8")
    assert "2\u202f300" in report or "2\u00a0300" in report  # the seed's end count, French style
    assert "600" in report
    assert 'data-platform="instagram"' in report  # the platforms compared
