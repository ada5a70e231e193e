"""The build workflow's entry to the cluster: a target's pieces rendered by workers, then joined here.

Called before the target is rendered: the timeline is planned and cut into pieces exactly as the
local render will (same plan, same keys), the pieces missing from the shared storage are rendered
by the workers, and the local render then finds every piece in its cache and only makes the sound
and the thumbnail, joins and muxes on this machine.
"""

from __future__ import annotations

import logging

from mlprod.cluster.app import make_app
from mlprod.cluster.dispatch import ClusterReport, render_on_cluster
from mlprod.cluster.storage import SharedStorage, open_storage, pieces_under
from mlprod.config import Settings
from mlprod.render import ProgressFactory, RecipeBuild, Target
from mlprod.render.build import plan_build, renderer_identity
from mlprod.render.plan import plan_timeline
from mlprod.render.sources import gather_sources

log = logging.getLogger(__name__)


def builder_storage(settings: Settings) -> SharedStorage:
    """The shared storage as this machine sees it; a bucket's downloads go to its render cache."""
    return open_storage(settings.render_shared, settings.state_dir / "cluster")


def render_pieces(job: RecipeBuild, target: Target, progress: ProgressFactory | None = None) -> ClusterReport:
    """Make every piece of ``target`` present in the render cache, rendered by the cluster."""
    settings = job.settings
    assert settings.render_queue is not None
    storage = builder_storage(settings)
    if job.sources is None:
        job.sources = gather_sources(job.loaded)
    timeline = plan_timeline(job.sources, job.brand, target.profile)
    plan = plan_build(job, timeline)
    app = make_app(settings.render_queue)
    label = f"{job.loaded.slug} ({target.format.value}): {len(plan.pieces)} pieces on the cluster"
    try:
        report = render_on_cluster(app, storage, pieces_under(settings.cache_dir), plan.pieces,
                                   renderer_identity(settings.ffmpeg), fps=timeline.fps,
                                   progress=progress(label) if progress else None)
    finally:
        app.close()
    log.debug("%s: %d pieces sent to the cluster (%d sent again), %d found on the shared storage; by"
              " worker: %s", label, report.sent, report.resent, report.shared,
              ", ".join(f"{w} {n}" for w, n in sorted(report.workers.items())) or "none")
    return report
