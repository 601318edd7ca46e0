"""`/health`: the database and the task workers' heartbeat, for monitoring."""

import datetime as dt

import pytest
from django.db import DatabaseError
from django.utils import timezone

from tillit.core.models import WorkerHeartbeat

DATABASE_QUEUE = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "imports", "reports"],
    }
}

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def database_queue(settings):
    settings.TASKS = DATABASE_QUEUE


def test_healthy_with_a_live_worker(client):
    WorkerHeartbeat.objects.create(worker_id="w", queues="default", host="h", pid=1)
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "worker": "ok"}


def test_failing_when_no_worker_beats(client):
    WorkerHeartbeat.objects.create(
        worker_id="w",
        queues="default",
        host="h",
        pid=1,
        seen_at=timezone.now() - dt.timedelta(minutes=10),
    )
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["worker"] == "silent"


def test_failing_when_the_database_does_not_answer(client, monkeypatch):
    from tillit.core import views

    class Broken:
        def __enter__(self):
            raise DatabaseError("gone")

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(views.connection, "cursor", lambda: Broken())
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
