"""Documents of a case, under desk/<org>/cases/<number>/documents/."""

from __future__ import annotations

from django.urls import path

from tousu.documents import views

app_name = "documents"

urlpatterns = [
    path("registration.pdf", views.registration, name="registration"),
    path("mediation.pdf", views.mediation, name="mediation"),
    path("reply.pdf", views.reply, name="reply"),
]
