"""The staff record (under ``desk/<org>/people/``): one reviewable list.

Reading: the roles the policy allows (view_staff_record), and each person their own
record. Appeals: the penalised person, from their own record.
"""

from __future__ import annotations

from django.urls import URLPattern, path

from tousu.accountability import views

app_name = "people"

urlpatterns: list[URLPattern] = [
    # The written notices (a penalty's number, never a person's name, in the path).
    path("penalties/<int:penalty_id>/notice.pdf", views.notice, name="notice"),
    path(
        "penalties/<int:penalty_id>/appeal-decision.pdf",
        views.appeal_decision,
        name="appeal_decision",
    ),
    path("<str:username>/", views.record, name="record"),
    path("<str:username>/appeal/<int:penalty_id>/", views.appeal, name="appeal"),
]
