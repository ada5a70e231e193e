"""YouTube's metadata rules (mlprod.recipe.youtube_rules), shared by validate and the publisher."""

from __future__ import annotations

import datetime as dt

import pytest

from mlprod.recipe import youtube_rules as rules


def test_title() -> None:
    assert rules.title_problems("x" * 100) == []
    assert rules.title_problems("é" * 100) == []  # characters, not bytes
    assert rules.title_problems("x" * 101) == [
        "the title is 101 characters long, YouTube allows 100 — shorten it by 1 character"]
    assert rules.title_problems("  ") == ["the title is empty — write a title (YouTube needs one)"]
    assert rules.title_problems("a > b") == [
        "the title contains '>', which YouTube refuses — remove them or write « » instead"]


def test_description_counts_bytes() -> None:
    assert rules.description_problems("x" * 5000) == []
    assert rules.description_problems("é" * 2500) == []
    assert rules.description_problems("é" * 2500 + "x") == [
        "the description is 5001 bytes long (UTF-8: an accented letter takes two), YouTube allows 5000"
        " — shorten it by 1 byte"]
    assert len(rules.description_problems("<b>gras</b>")) == 1


@pytest.mark.parametrize(("tags", "length"), [
    ([], 0), (["emploi"], 6), (["emploi", "cv"], 9), (["mission locale"], 16),
    (["mission locale", "emploi"], 23),
])
def test_tags_length(tags: list[str], length: int) -> None:
    assert rules.tags_length(tags) == length


def test_tags_budget() -> None:
    assert rules.tags_problems(["x" * 500]) == []
    assert rules.tags_problems(["x" * 249, "y" * 250]) == []  # 499 + one comma
    assert rules.tags_problems(["x" * 250, "y" * 250])[0].startswith("the tags count for 501 characters")
    assert rules.tags_problems(["a b" * 100, "c" * 199])[0].startswith("the tags count for 502 characters")
    assert rules.tags_problems(["", "ok"]) == ["a tag is empty — remove it"]


def test_tags_leave_room_for_mlprods_own_tag() -> None:
    reserved = rules.MARKER_TAG_CHARS  # the marker every published video carries, and its comma
    assert rules.tags_problems(["x" * 480], reserved) == []
    assert rules.tags_problems(["x" * 481], reserved) == [
        "the tags count for 481 characters (commas included, quotes around tags with a space), YouTube"
        " allows 480 beside mlprod's own tag — remove tags to save 1 characters"]


def test_publish_at() -> None:
    later = dt.datetime(2030, 1, 7, 10, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert rules.publish_at_problems("private", later) == []
    assert rules.publish_at_problems("public", None) == []
    assert rules.publish_at_problems("public", later) == [
        "publish_at only works with a private video (privacy is public)"
        " — set privacy: private; the video becomes public at publish_at"]
    assert rules.publish_at_problems("private", later.replace(tzinfo=None)) == [
        "publish_at has no time zone — add one, e.g. 2027-01-04T10:00:00+01:00"]
    now = dt.datetime(2030, 1, 7, 10, tzinfo=dt.UTC)
    assert rules.publish_at_timing_problems(later, now) == [
        "publish_at (2030-01-07T10:00:00+01:00) is in the past"
        " — choose a later date, or remove publish_at to publish at once"]


def test_check_metadata_gives_the_api_reasons() -> None:
    found = rules.check_metadata("<titre>", "d" * 5001, ["t" * 501], "unlisted",
                                 dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    assert [(v.field, v.reason) for v in found] == [
        ("title", "invalidTitle"), ("description", "invalidDescription"), ("tags", "invalidTags"),
        ("publish_at", "invalidPublishAt")]
    assert rules.check_metadata("Un bon titre", "Une description", ["emploi"], "public") == []
