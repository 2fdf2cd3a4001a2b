"""Fixtures of the interchange tests."""
import pytest


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo data, loaded once for a whole test module instead of once per test (the load
    takes seconds). It is written inside a transaction that is rolled back when the module
    ends; each test runs in a savepoint inside it (pytest-django's ``django_db``), so what a
    test writes is undone after it and the next module starts from an empty database."""
    from django.db import transaction

    from liaison.demo import builder

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            builder.load()
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
