"""Schemathesis against our own OpenAPI schema, in process (WSGI): for generated requests to every operation,
no 500, and every response (status, content type, body) is one the schema documents. A bounded number of
examples per operation keeps it under a minute."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def token(device):
    """The signed-in device's token, for requests that go through the WSGI handler: it closes the database
    connection at a request's start and end, and the test's transaction lives on it, so the signals are
    disconnected meanwhile (as Django's test client does; after the sign-in, whose client reconnects them)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield device["token"]
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented(case, token):
    # Schema-valid is not the same as acceptable: a well-typed but unknown account or too large an amount is the
    # domain's 400 with its code, documented as such; every other check (no 500, statuses, bodies and headers as
    # documented, schema-invalid data refused) applies.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "ru"},
        excluded_checks=[positive_data_acceptance],
    )
