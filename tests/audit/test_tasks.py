"""The chain verification job: in process without a broker, and through Redis with a worker."""

from __future__ import annotations

import pytest

from tests.audit.test_chain import raw
from tests.conftest import make_user
from tongxin.audit.services import record
from tongxin.audit.tasks import verify_chain
from tongxin.web.models import Notification

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def log(tree, admin_a):
    return [record(actor=admin_a, action="t", unit=tree.prison_a, summary=str(i)) for i in range(3)]


def test_whole_chain_notifies_nobody(log, province_admin):
    outcome = verify_chain.delay().get()
    assert outcome == {"entries": 3, "broken_entry": None}
    assert not Notification.objects.exists()


def test_broken_chain_warns_province_auditors_only(log, province_admin, admin_a, roles, tree):
    inspector = make_user("inspector", "discipline_inspector", tree.bureau)
    raw("UPDATE audit_auditentry SET summary = 'x' WHERE id = %s", [log[1].pk])
    outcome = verify_chain.delay().get()
    assert outcome["broken_entry"] == log[1].pk
    warned = set(Notification.objects.values_list("recipient__username", flat=True))
    assert warned == {province_admin.username, inspector.username}  # not the prison admin
    assert Notification.objects.first().level == "warning"


@pytest.fixture
def redis_app():
    """A Celery app on the machine's Redis (CI starts it) with a real worker in a thread."""
    import redis
    from celery import Celery
    from celery.contrib.testing.worker import start_worker

    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError:
        pytest.fail("Redis is not answering on 127.0.0.1:6379 (.ci/run starts it)")
    app = Celery("tongxin-redis-test", broker=url, backend=url, set_as_current=False)
    app.conf.task_always_eager = False
    import tongxin.audit.tasks  # noqa: F401  (shared tasks register on every app)

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield app


def test_job_runs_on_a_worker_through_redis(log, redis_app):
    result = redis_app.send_task("audit.verify_chain")
    assert result.get(timeout=30) == {"entries": 3, "broken_entry": None}
    assert type(result.backend).__name__ == "RedisBackend"
