"""YouTube behind the platform interface: what the workflows reach it through, against the sandbox.

Publishing, expiring and status go through it in test_publish.py, test_expire.py and
test_publish_resume.py; here, what those do not cover: the registry, and followers and views.
"""

from __future__ import annotations

from publish_helpers import Channel, tutorial

from mlprod.jobs.platforms import open_platform
from mlprod.publishing import Platform
from mlprod.recipe import load_recipe
from mlprod.sandbox import parse_history
from mlprod.states import Format, PlatformName, Step
from mlprod.youtube.platform import YouTubePlatform

SEED = "2020-03-16:600,2020-05-16:2300"


def test_the_registry_opens_youtube_without_signing_in(channel: Channel) -> None:
    db = channel.db()
    platform: Platform = open_platform(PlatformName.youtube, channel.settings, db)
    before = channel.state()["requests"]

    loaded = load_recipe(channel.recipe("a.yaml", tutorial(playlist="Entretiens")))
    post = platform.post_for(loaded, "mlprod-000000000000")

    assert isinstance(platform, YouTubePlatform) and platform.label == "YouTube"
    assert platform.cut(loaded, None) is Format.landscape
    assert platform.steps(post) == (Step.thumbnail, Step.captions, Step.playlist, Step.release)
    assert channel.state()["requests"] == before  # planning sends nothing
    db.close()


def test_followers_and_views_come_from_the_channel(channel_factory) -> None:
    channel: Channel = channel_factory(history=parse_history(SEED))
    channel.ready_build(channel.recipe("a.yaml", tutorial()))
    assert channel.cli("publish", "recipes/a.yaml").exit_code == 0
    [ours] = [v for v in channel.state()["videos"] if v.get("media_sha256")]
    db = channel.db()

    figures = open_platform(PlatformName.youtube, channel.settings, db).audience([ours["id"]])

    assert figures.followers == 2300  # the history's last count, as YouTube rounds it
    assert figures.views == {ours["id"]: 0}
    db.close()
