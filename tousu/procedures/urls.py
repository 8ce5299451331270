"""Procedure documents, under desk/<org>/cases/<number>/procedures/."""

from __future__ import annotations

from django.urls import path

from tousu.procedures import views

app_name = "procedures"

urlpatterns = [
    path("<slug:procedure>/<slug:step>.pdf", views.step_document, name="document"),
]
