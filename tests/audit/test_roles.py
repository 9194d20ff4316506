"""The roles as the migrations made them are the roles audit/roles.py describes."""

import pytest
from django.contrib.auth.models import Group

from audit.roles import ROLE_PERMISSIONS, Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", list(Role))
def test_each_group_holds_exactly_the_permissions_of_its_role(role):
    # given the groups made by the migrations
    group = Group.objects.get(name=role)
    # when their permissions are read as "app_label.codename"
    held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
    # then they are the role's, no more and no less
    assert held == {str(permission) for permission in ROLE_PERMISSIONS[role]}


def test_the_audit_log_permissions_moved_with_the_model():
    """The console's own permissions are checked as audit.* now; no staff.* permission is left behind."""
    agent = Group.objects.get(name=Role.AGENT)
    labels = set(agent.permissions.values_list("content_type__app_label", flat=True))
    assert "audit" in labels and "staff" not in labels
