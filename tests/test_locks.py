"""Two publishes in one workspace must not race: the second is refused at once, clearly."""

from __future__ import annotations

import pytest

from mlprod.config import Settings
from mlprod.errors import PublishError
from mlprod.jobs.publish import publish_recipes
from mlprod.locks import workspace_lock
from mlprod.store import open_database


def test_a_second_publish_is_refused_while_one_runs(workspace: Settings) -> None:
    db = open_database(workspace.database_url)
    with (workspace_lock(workspace, "publish", "mlprod publish", PublishError),
          pytest.raises(PublishError, match="another `mlprod publish` is running")):
        publish_recipes(workspace, db, [])
    # once the first is over, the lock is free again
    assert publish_recipes(workspace, db, []).results == []
    db.close()
