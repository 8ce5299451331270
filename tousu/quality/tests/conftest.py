"""A PCB manufacturer (pcb-quality preset) with one person per part of the story."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from tousu.cases.access import Actor, actor_for
from tousu.conftest import Api
from tousu.ops.tokens import create_token
from tousu.orgs.models import Organisation
from tousu.orgs.services import create_user
from tousu.policy.services import create_org

PEOPLE: dict[str, tuple[str, str | None]] = {
    "rep": ("intake_clerk", "sales"),  # 业务人员
    "sales_manager": ("department_head", "sales"),  # 业务经理
    "qa_engineer": ("handler", "qa"),  # 质量工程师
    "qa_head": ("department_head", "qa"),
    "mfg_engineer": ("handler", "manufacturing"),
    "mfg_head": ("department_head", "manufacturing"),
    "pm_officer": ("dispatcher", None),  # 生产管理组专员
    "gm_clerk": ("handler", "gm_office"),  # another department, never given a sub-task
    "supervisor": ("supervisor", None),
    "auditor": ("auditor", None),
}


@dataclass
class Plant:
    org: Organisation
    users: dict[str, Any]
    tokens: dict[str, str] = field(default_factory=dict)

    def actor(self, name: str) -> Actor:
        org = "elsewhere" if name == "outsider" else self.org.slug
        return actor_for(self.users[name], org)

    def api(self, name: str) -> Api:
        if name not in self.tokens:
            self.tokens[name] = create_token(self.users[name])
        return Api(Client(), self.tokens[name], org=self.org.slug)

    def desk(self, name: str) -> Client:
        client = Client()
        client.force_login(self.users[name])
        return client


@pytest.fixture(autouse=True)
def _no_stale_caches_after(_fresh_process_caches: None) -> Iterator[None]:
    yield
    from tousu.clock.overrides import clear_cache
    from tousu.orgs import models as org_models
    from tousu.policy import models as policy_models

    org_models._DEPARTMENT_IDS.clear()
    policy_models._LOADED.clear()
    clear_cache()


@pytest.fixture
def plant(db: None) -> Plant:
    org = create_org("pcb", "线路板公司", "pcb-quality")
    other = create_org("elsewhere", "另一单位", "pcb-quality")
    users = {
        name: create_user(f"pcb_{name}", org=org, role=role, department=dept)
        for name, (role, dept) in PEOPLE.items()
    }
    users["outsider"] = create_user("elsewhere_dispatcher", org=other, role="dispatcher")
    return Plant(org, users)
