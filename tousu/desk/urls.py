"""The desk's URL table: one reviewable list."""

from __future__ import annotations

from django.urls import include, path

from tousu.desk import bulk, inbox, receipts, registration, saved, snippet_pages, views

app_name = "desk"

urlpatterns = [
    path("", views.root, name="root"),
    path("desk/<slug:org>/", views.home, name="home"),
    path("desk/<slug:org>/queue/<slug:code>/", views.queue, name="queue"),
    path("desk/<slug:org>/queue/<slug:code>/bulk/", bulk.queue_bulk, name="queue_bulk"),
    path("desk/<slug:org>/queues/counts/", views.queue_counts, name="queue_counts"),
    path("desk/<slug:org>/filters/", saved.panel, name="saved_filters"),
    path("desk/<slug:org>/filters/save/", saved.save_filter, name="save_filter"),
    path("desk/<slug:org>/filters/<int:pk>/delete/", saved.delete_filter, name="delete_filter"),
    path("desk/<slug:org>/new/", registration.register, name="register"),
    path("desk/<slug:org>/lookup/", registration.lookup, name="lookup"),
    path("desk/<slug:org>/cases/<str:number>/", views.case_page, name="case"),
    # 发放查询回执 is filed once per form (receipts.py), ahead of the other actions.
    path(
        "desk/<slug:org>/cases/<str:number>/act/issue_receipt/",
        receipts.issue,
        name="issue_receipt",
    ),
    path(
        "desk/<slug:org>/cases/<str:number>/receipt/<slug:key>/",
        receipts.issued,
        name="issued_receipt",
    ),
    path("desk/<slug:org>/cases/<str:number>/act/<slug:action>/", views.act, name="act"),
    path("desk/<slug:org>/inbox/", inbox.inbox, name="inbox"),
    path("desk/<slug:org>/inbox/<int:note_id>/read/", inbox.inbox_read, name="inbox_read"),
    path("desk/<slug:org>/inbox/read-all/", inbox.inbox_read_all, name="inbox_read_all"),
    path("desk/<slug:org>/inbox/preferences/", inbox.inbox_preferences, name="inbox_preferences"),
    path("desk/<slug:org>/snippets/", snippet_pages.snippet_list, name="snippets"),
    path(
        "desk/<slug:org>/snippets/<int:snippet_id>/retire/",
        snippet_pages.snippet_retire,
        name="snippet_retire",
    ),
    # Each part of the desk keeps its own URL table, under the organisation's prefix.
    path("accounts/", include("tousu.accounts.urls")),
    path("desk/<slug:org>/ledger/", include("tousu.reports.urls")),
    path("desk/<slug:org>/cases/<str:number>/documents/", include("tousu.documents.urls")),
    path("desk/<slug:org>/cases/<str:number>/files/", include("tousu.evidence.urls")),
    path("desk/<slug:org>/duty/", include("tousu.duty.urls")),
    path("desk/<slug:org>/manage/", include("tousu.orgadmin.urls")),
    path("desk/<slug:org>/people/", include("tousu.accountability.urls")),
    path("desk/<slug:org>/cases/<str:number>/quality/", include("tousu.quality.urls")),
    path("desk/<slug:org>/cases/<str:number>/procedures/", include("tousu.procedures.urls")),
    path("desk/<slug:org>/cases/<str:number>/remedies/", include("tousu.remedies.urls")),
]
