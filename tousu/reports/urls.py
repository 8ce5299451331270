"""The ledger's URL table (included at ``desk/<org>/ledger/``)."""

from __future__ import annotations

from django.urls import path

from tousu.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("export.xlsx", views.export, name="export"),
    path("exports/", views.exports, name="exports"),
    path("exports/<int:pk>/", views.export_row, name="export_row"),
    path("exports/<int:pk>/download", views.export_download, name="export_download"),
    path("bulk/", views.ledger_bulk, name="bulk"),
    path("dossier/<int:year>/", views.dossier, name="dossier"),
    path("dossier/<int:year>/export", views.dossier_export, name="dossier_export"),
]
