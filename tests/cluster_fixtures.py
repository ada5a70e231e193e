"""Fixtures for the cluster tests: the real Redis on 127.0.0.1:6379 (a database of its own per run),
two real `mlprod worker` processes, a shared folder holding the workspaces — or an S3 bucket served by
moto's server on loopback (a real HTTP S3 endpoint, boto3 finding it by AWS_ENDPOINT_URL)."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cluster_helpers import WorkerProcess, start_worker, wait_for_workers

REDIS = os.environ.get("MLPROD_TEST_REDIS", "redis://127.0.0.1:6379")


@dataclass
class Cluster:
    queue: str                 # the broker URL, with this run's database
    shared: Path | str         # the shared folder every worker reads, or an s3:// URL
    workers: list[WorkerProcess]
    app: Any                   # a Celery app on the queue, for the tests' own looks
    redis: Any                 # a redis client on this run's database
    folder: Path

    def replace(self, worker: WorkerProcess, name: str) -> None:
        """A new worker in place of one a test killed."""
        new = start_worker(name, self.queue, self.shared, self.folder)
        self.workers[self.workers.index(worker)] = new
        wait_for_workers(self.app, {name}, [new])


@pytest.fixture(scope="session")
def redis_db() -> Iterator[str]:
    """A Redis database no other test run uses now (claimed by a key), emptied before and after."""
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(f"{REDIS}/0", socket_connect_timeout=1).ping()
    except redis.RedisError as err:
        pytest.skip(f"no Redis answers on {REDIS} ({err}): install redis-server and start it (CI does)")
    for number in range(1, 16):
        client = redis.Redis.from_url(f"{REDIS}/{number}")
        if client.set("mlprod-test-run", os.getpid(), nx=True, ex=3600):
            client.flushdb()
            client.set("mlprod-test-run", os.getpid(), ex=3600)
            try:
                yield f"{REDIS}/{number}"
            finally:
                client.flushdb()
            return
    pytest.skip("every Redis database 1–15 is taken by other test runs")


def _cluster(redis_db: str, folder: Path, names: tuple[str, ...],
             shared: Path | str | None = None) -> Iterator[Cluster]:
    import redis

    from mlprod.cluster.app import make_app

    if shared is None:
        shared = folder / "shared"
        shared.mkdir()
    app = make_app(redis_db)
    workers = [start_worker(name, redis_db, shared, folder) for name in names]
    try:
        wait_for_workers(app, set(names), workers)
        yield Cluster(redis_db, shared, workers, app, redis.Redis.from_url(redis_db), folder)
    finally:
        for worker in workers:
            worker.stop()
        app.close()


@pytest.fixture(scope="module")
def cluster(redis_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Two workers (one piece at a time each) on a shared folder, for a whole test module."""
    yield from _cluster(redis_db, tmp_path_factory.mktemp("cluster"), ("w1@test", "w2@test"))



@dataclass
class Bucket:
    url: str                   # s3://bucket/prefix, as render.shared takes it
    name: str
    prefix: str
    client: Any                # a boto3 S3 client on the server, for the tests' own looks


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def s3_bucket() -> Iterator[Bucket]:
    """A bucket on moto's S3 server (a thread, on loopback); the AWS_* variables point boto3 at it for
    this process and for the workers it starts, restored afterwards."""
    server_module = pytest.importorskip("moto.server")
    boto3 = pytest.importorskip("boto3")
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    values = {"AWS_ENDPOINT_URL": f"http://{host}:{port}", "AWS_ACCESS_KEY_ID": "test",
              "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1"}
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        client = boto3.client("s3")
        client.create_bucket(Bucket="mlprod-renders")
        yield Bucket("s3://mlprod-renders/salon", "mlprod-renders", "salon", client)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        server.stop()


@pytest.fixture(scope="module")
def s3_cluster(redis_db: str, s3_bucket: Bucket,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Two workers whose shared storage is the moto bucket (each with its own scratch folder)."""
    folder = tmp_path_factory.mktemp("s3cluster")
    yield from _cluster(redis_db, folder, ("s1@test", "s2@test"), s3_bucket.url)
