"""sites: a ``site`` column on every table holding one Mission Locale's records; keys per site

Every row written before sites existed belongs to the site ``default`` (a single-site workspace's,
which keeps working unchanged). Keys and indexes that were the workspace's become the site's:
a day of statistics, a YouTube id, a recipe's builds are (site, …).

Revision ID: 0009_sites
Revises: 0001, through every branch that made the tables it changes (0003 to 0008): it merges them,
so that it runs after them whatever order Alembic picks. (Alembic's ``depends_on`` cannot say this
for siblings of one branch point: the upgrade fails keeping its versions table.) A branch that
adds a site's table later creates it with the ``site`` column itself, see mlprod/store/sites.py.

On SQLite, the tables other tables point at (builds, invitations, submissions) only get the new
column and indexes, which SQLite does in place: rebuilding them would drop them, and with foreign
keys on that empties or cascades into what points at them. Their unique keys stay installation-wide
(invitation nonces and submission numbers are unique in the whole region). The tables whose keys
change are rebuilt (Alembic's batch mode); nothing points at them. The column keeps ``DEFAULT
'default'`` in the schema: SQLite could not drop it from those tables; the session binding
(mlprod/store/sites.py) gives every new row its site.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.exc import SAWarning

revision = "0009_sites"
down_revision = ("0003_stats", "0004_intake", "0005_video_labels", "0006_intake_once", "0007_publications",
                 "0008_platform_stats")
branch_labels = None
depends_on = None

DEFAULT_SITE = "default"  # mlprod.store.sites.DEFAULT_SITE, frozen here as migrations are

# table → [(old index, new index, new columns)]: indexes that now start with the site
INDEXES: dict[str, list[tuple[str, str, list[str]]]] = {
    "builds": [("ix_builds_recipe", "ix_builds_site_recipe", ["site", "recipe"])],
    "upload_sessions": [("ix_upload_sessions_recipe", "ix_upload_sessions_site_recipe", ["site", "recipe"])],
    "quota_ledger": [("ix_quota_ledger_day", "ix_quota_ledger_site_day", ["site", "day"])],
    "channel_snapshots": [("ix_channel_snapshots_day", "ix_channel_snapshots_site_day", ["site", "day"])],
    "invitations": [],
    "submissions": [],
    "submission_files": [],
}
# table → (old unique columns, new constraint, its columns, [(old index, its column, new index)])
REKEYED: dict[str, tuple[list[str], str, list[str], list[tuple[str, str, str | None]]]] = {
    "publications": (["platform", "remote_id"], "uq_publications_site_remote_id",
                     ["site", "platform", "remote_id"],
                     [("ix_publications_recipe", "recipe", "ix_publications_site_recipe")]),
    "video_metrics": (["youtube_id", "day"], "uq_video_metrics_site_video_day", ["site", "youtube_id", "day"],
                      [("ix_video_metrics_day", "day", "ix_video_metrics_site_day"),
                       ("ix_video_metrics_youtube_id", "youtube_id", None)]),  # the unique key serves it
    "stats_sync_state": (["channel_id"], "uq_stats_sync_state_site_channel", ["site", "channel_id"], []),
    "platform_followers": (["platform", "day"], "uq_platform_followers_site_day", ["site", "platform", "day"],
                           []),
    "publication_views": (["platform", "remote_id", "day"], "uq_publication_views_site_remote_id_day",
                          ["site", "platform", "remote_id", "day"],
                          [("ix_publication_views_day", "day", "ix_publication_views_site_day")]),
}
# table → its natural key, which becomes (site, key)
PRIMARY_KEYS: dict[str, str] = {
    "daily_metrics": "day",
    "channel_videos": "youtube_id",
    "channel_playlists": "playlist_id",
    "video_labels": "youtube_id",
}


def _site_column() -> sa.Column[str]:
    return sa.Column("site", sa.String(length=40), nullable=False, server_default=DEFAULT_SITE)


def _unique_name(table: str, columns: Sequence[str]) -> str | None:
    for unique in sa.inspect(op.get_bind()).get_unique_constraints(table):
        if list(unique["column_names"]) == list(columns):
            return unique["name"]
    raise RuntimeError(f"{table}: no unique key on {', '.join(columns)} to replace")


def upgrade() -> None:
    for table, indexes in INDEXES.items():
        op.add_column(table, _site_column())  # in place, also on SQLite
        for old, new, columns in indexes:
            op.drop_index(old, table_name=table)
            op.create_index(new, table, columns)

    for table, (old_columns, name, columns, rekeyed_indexes) in REKEYED.items():
        old_name = _unique_name(table, old_columns)
        # SQLite's unique keys have no name: Alembic's batch mode names them by this convention
        convention = {"uq": "uq_%(table_name)s_%(column_0_N_name)s"}
        with op.batch_alter_table(table, naming_convention=convention) as batch:
            batch.add_column(_site_column())
            batch.drop_constraint(old_name or f"uq_{table}_{'_'.join(old_columns)}", type_="unique")
            batch.create_unique_constraint(name, columns)
            for old_index, column, new_index in rekeyed_indexes:
                batch.drop_index(old_index)
                if new_index is not None:
                    batch.create_index(new_index, ["site", column])

    for table, key in PRIMARY_KEYS.items():
        old_name = sa.inspect(op.get_bind()).get_pk_constraint(table).get("name")
        with warnings.catch_warnings():
            # SQLite's rebuild copies the old key's primary_key flag before the new key replaces it
            warnings.simplefilter("ignore", SAWarning)
            with op.batch_alter_table(table) as batch:
                batch.add_column(_site_column())
                if old_name:  # PostgreSQL's <table>_pkey; SQLite's has no name and goes with the rebuild
                    batch.drop_constraint(old_name, type_="primary")
                batch.create_primary_key(f"pk_{table}", ["site", key])


def downgrade() -> None:
    """Back to one workspace's keys: only for a database that holds one site's records."""
    for table, key in PRIMARY_KEYS.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SAWarning)
            with op.batch_alter_table(table) as batch:
                batch.drop_constraint(f"pk_{table}", type_="primary")
                batch.create_primary_key(f"pk_{table}", [key])
                batch.drop_column("site")
    for table, (old_columns, name, _columns, rekeyed_indexes) in REKEYED.items():
        with op.batch_alter_table(table) as batch:
            for _old, _column, new_index in rekeyed_indexes:
                if new_index is not None:
                    batch.drop_index(new_index)
            batch.drop_constraint(name, type_="unique")
            batch.drop_column("site")
            batch.create_unique_constraint(f"{table}_{'_'.join(old_columns)}_key", old_columns)
            for old_index, column, _new in rekeyed_indexes:
                batch.create_index(old_index, [column])
    for table, indexes in INDEXES.items():
        for old, new, columns in indexes:
            op.drop_index(new, table_name=table)
            op.create_index(old, table, [c for c in columns if c != "site"])
        op.drop_column(table, "site")  # SQLite >= 3.35 drops it in place
