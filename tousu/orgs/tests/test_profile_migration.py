"""The data migration: every existing account gets a profile, with an empty name (so the
neutral 工作人员 shows) unless the former 姓/名 fields held one."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tousu.orgs.people import display_name

BEFORE = [("orgs", "0004_organisation_language")]
AFTER = [("orgs", "0006_existing_staff_get_a_profile")]


@pytest.mark.django_db(transaction=True)
def test_existing_accounts_get_a_profile_with_an_empty_or_their_former_name() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    User = apps.get_model("auth", "User")
    User.objects.create(username="rm_hand", email="rm@example.org")
    User.objects.create(username="zhang", first_name="三", last_name="张")
    User.objects.create(username="tousu-reporter", is_active=False)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    Profile = apps.get_model("orgs", "StaffProfile")
    names = dict(Profile.objects.values_list("user__username", "name"))
    assert names == {"rm_hand": "", "zhang": "张三"}
    assert display_name(get_user_model().objects.get(username="rm_hand")) == "工作人员"
