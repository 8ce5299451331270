"""Remedy and reward documents of a case, under desk/<org>/cases/<number>/remedies/."""

from __future__ import annotations

from django.urls import path

from tousu.remedies import views

app_name = "remedies"

urlpatterns = [
    path("<int:remedy_id>/approval.pdf", views.approval, name="approval"),
    path("rewards/<int:reward_id>/decision.pdf", views.reward_decision, name="reward_decision"),
]
