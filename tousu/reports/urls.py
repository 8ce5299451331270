"""The ledger's URL table (included at ``desk/<org>/ledger/``)."""

from __future__ import annotations

from django.urls import path

from tousu.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("export.xlsx", views.export, name="export"),
    path("bulk/", views.ledger_bulk, name="bulk"),
    path("dossier/<int:year>/", views.dossier, name="dossier"),
]
