"""The staff record (under ``desk/<org>/people/``): one reviewable list.

Reading: the roles the policy allows (view_staff_record), and each person their own
record. Appeals: the penalised person, from their own record.
"""

from __future__ import annotations

from django.urls import URLPattern, path

from tousu.accountability import views

app_name = "people"

urlpatterns: list[URLPattern] = [
    path("<str:username>/", views.record, name="record"),
    path("<str:username>/appeal/<int:penalty_id>/", views.appeal, name="appeal"),
]
