"""The duty section's URL table (under ``desk/<org>/duty/``): one reviewable list.

Reading: everyone in the organisation. Roster changes: supervisors, leaders and
administrators (checked in :mod:`tousu.duty.services`). Hand-over notes: their writer,
their receiver, and supervisors and leaders.
"""

from __future__ import annotations

from django.urls import URLPattern, path

from tousu.duty import views

app_name = "duty"

urlpatterns: list[URLPattern] = [
    path("", views.roster, name="roster"),
    path("shifts/add/", views.add_shift, name="add_shift"),
    path("shifts/<int:shift_id>/cancel/", views.cancel_shift, name="cancel_shift"),
    path("mine/", views.my_duty, name="mine"),
    path("handover/", views.write_hand_over, name="write_hand_over"),
    path("handover/<int:note_id>/receive/", views.receive, name="receive"),
]
