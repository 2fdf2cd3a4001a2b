"""Webhook delivery and saved-search alerts as tasks: queued after the commit,
idempotent, with their back-off; task latency and failures in /metrics."""
import datetime as dt

import pytest
from django.utils import timezone

from liaison.analysis import alerts
from liaison.analysis.models import SavedSearch
from liaison.requests import services as requests_services
from liaison.requests import webhooks
from liaison.requests.models import WebhookDelivery, WebhookEndpoint
from liaison.tasks import tasks
from tests.factories import make_person
from tests.requests.conftest import REPATRIATION_FIELDS, desk  # noqa: F401  (fixture)
from tests.requests.test_webhooks import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def loopback(settings):
    settings.REQUESTS_WEBHOOKS_ALLOW_LOOPBACK = True
    settings.REQUESTS_WEBHOOKS_ON_COMMIT = False


def send(desk):  # noqa: F811
    req = requests_services.create_request(desk.vn_lo, kind="repatriation", to_agency=desk.kh, title="T",
                                           persons=desk.persons, fields=REPATRIATION_FIELDS)
    return requests_services.transition(desk.vn_lo, req, "send", version=req.version)


def test_a_request_step_hands_its_deliveries_to_the_queue_after_the_commit(desk, loopback, settings,  # noqa: F811
                                                                              django_capture_on_commit_callbacks):
    settings.REQUESTS_WEBHOOKS_ON_COMMIT = True
    with Receiver(codes=[200]) as rx:
        WebhookEndpoint.objects.create(agency=desk.kh, url=rx.url, secret="kh-secret")
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            send(desk)
        assert rx.received == [], "nothing leaves before the step commits"
        for callback in callbacks:
            callback()  # the commit: the task runs (eager mode)
    assert len(rx.received) == 1
    assert WebhookDelivery.objects.get().state == "delivered"


def test_the_delivery_task_is_idempotent_and_keeps_the_back_off(desk, loopback):  # noqa: F811
    with Receiver(codes=[500, 200]) as rx:
        WebhookEndpoint.objects.create(agency=desk.kh, url=rx.url, secret="kh-secret")
        send(desk)
        assert tasks.deliver_webhooks.apply().get() == {"delivered": 0, "failed": 1}
        delivery = WebhookDelivery.objects.get()
        assert (delivery.state, delivery.attempts) == ("pending", 1)
        assert delivery.next_attempt_at > timezone.now() + dt.timedelta(seconds=50), "1 minute back-off"
        # The beat's next passes before the back-off is over send nothing.
        assert tasks.deliver_webhooks.apply().get() == {"delivered": 0, "failed": 0}
        assert tasks.deliver_webhooks.apply().get() == {"delivered": 0, "failed": 0}
        WebhookDelivery.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
        assert tasks.deliver_webhooks.apply().get() == {"delivered": 1, "failed": 0}
        assert tasks.deliver_webhooks.apply().get() == {"delivered": 0, "failed": 0}
    assert len(rx.received) == 2 and rx.received[0][2] == rx.received[1][2]


def test_without_a_broker_and_without_on_commit_the_step_sends_nothing_itself(desk, loopback,  # noqa: F811
                                                                             django_capture_on_commit_callbacks):
    with Receiver() as rx:
        WebhookEndpoint.objects.create(agency=desk.kh, url=rx.url, secret="kh-secret")
        with django_capture_on_commit_callbacks(execute=True):
            send(desk)
        assert rx.received == [] and WebhookDelivery.objects.get().state == "pending"
        assert webhooks.deliver_due() == (1, 0)


def test_alerts_are_queued_not_evaluated_in_the_saving_request(desk, monkeypatch,  # noqa: F811
                                                              django_capture_on_commit_callbacks):
    """With a broker, the save's request only queues the evaluation: its duration does
    not depend on whose saved searches match (a timing leak before)."""
    SavedSearch.objects.create(owner=desk.vn_analyst, name="Nguyen", kind="search", query="Nguyen")
    queued, evaluated = [], []
    monkeypatch.setattr(alerts, "run_pending", lambda *a, **k: evaluated.append(a))
    monkeypatch.setattr(tasks.alerts_pending, "apply_async", lambda args, **kw: queued.append(tuple(args)))
    with django_capture_on_commit_callbacks(execute=True):
        person = make_person(desk.vn, "Nguyen Van Moi")
    assert evaluated == [], "nothing evaluated in the request"
    ((created, widened, assignments),) = queued
    assert person.pk in created["registry.person"] and assignments == []


def test_the_alert_task_reports_once_however_often_it_runs(desk, django_capture_on_commit_callbacks):  # noqa: F811
    from liaison.requests.models import Notification

    SavedSearch.objects.create(owner=desk.vn_analyst, name="Nguyen", kind="search", query="Nguyen")
    with django_capture_on_commit_callbacks(execute=True):  # eager mode: the task runs after the commit
        person = make_person(desk.vn, "Nguyen Van Moi")
    assert Notification.for_user(desk.vn_analyst).filter(kind=alerts.NOTICE_KIND).count() == 1
    # The same message delivered again, and the beat's catch-up: nothing twice.
    tasks.alerts_pending.apply(args=[{"registry.person": [person.pk]}, {}, []]).get()
    tasks.alerts_catch_up.apply().get()
    assert Notification.for_user(desk.vn_analyst).filter(kind=alerts.NOTICE_KIND).count() == 1


def test_task_latency_and_failures_reach_the_metrics(desk, loopback):  # noqa: F811
    from prometheus_client import REGISTRY

    def sample(name):
        return REGISTRY.get_sample_value(name, {"task": "deliver_webhooks"}) or 0

    before = sample("liaison_task_duration_seconds_count")
    tasks.deliver_webhooks.apply().get()
    assert sample("liaison_task_duration_seconds_count") == before + 1
