"""The entry page is rendered once per language for visitors with no session, each with a CSRF token of its own."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from core.pagecache import TOKEN_MARKER

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def new_visitor(**headers) -> Client:
    return Client(enforce_csrf_checks=True, **headers)


def test_new_visitors_get_one_page_with_their_own_working_token(make_wallet):
    wallet = make_wallet(balance="10")
    first, second = new_visitor(), new_visitor()
    pages = [visitor.get(reverse("cabinet:entry")) for visitor in (first, second)]
    tokens = [TOKEN.search(page.content.decode()).group(1) for page in pages]
    assert tokens[0] != tokens[1] and TOKEN_MARKER not in pages[1].content.decode()
    assert TOKEN.sub("", pages[0].content.decode()) == TOKEN.sub("", pages[1].content.decode())
    assert "no-store" in pages[1]["Cache-Control"]
    # the copy's token is the visitor's own: the form posts with it (CSRF enforced)
    answer = second.post(reverse("cabinet:entry"), {"phone": wallet.phone, "csrfmiddlewaretoken": tokens[1]})
    assert answer.status_code == 302
    refused = first.post(reverse("cabinet:entry"), {"phone": wallet.phone, "csrfmiddlewaretoken": "x" * 64})
    assert refused.status_code == 403


def test_the_copy_costs_no_query_and_follows_the_language(django_assert_num_queries):
    new_visitor().get(reverse("cabinet:entry"))
    with django_assert_num_queries(0):
        russian = new_visitor().get(reverse("cabinet:entry"))
    english_visitor = new_visitor()
    english_visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # English is chosen, never taken from the browser
    english = english_visitor.get(reverse("cabinet:entry"))
    kyrgyz = new_visitor(HTTP_ACCEPT_LANGUAGE="ky-KG,ky;q=0.9").get(reverse("cabinet:entry"))
    assert "Войти" in russian.content.decode()
    assert english["Content-Language"] == "en" and "Войти" not in english.content.decode()
    assert kyrgyz["Content-Language"] == "ky" and "Кирүү" in kyrgyz.content.decode()


def test_a_visitor_with_a_session_gets_the_live_page(client, make_wallet):
    """A message waiting in the session (e.g. from a page that needs the number first) is shown, not a copy."""
    new_visitor().get(reverse("cabinet:entry"))  # the copy exists
    client.get(reverse("cabinet:register"))  # no number yet: a message, back to the entry page
    page = client.get(reverse("cabinet:entry")).content.decode()
    assert 'role="status"' in page or 'role="alert"' in page
