"""The organisation's administration pages, under ``desk/<org>/manage/``."""

from __future__ import annotations

from django.urls import path

from tousu.orgadmin.views import departments, holidays, home, policy, policy_forms, staff

app_name = "orgadmin"

urlpatterns = [
    path("", home.home, name="home"),
    path("language/", home.language, name="language"),
    path("policy/", policy.policy, name="policy"),
    path("policy/edit/", policy.policy_edit, name="policy_edit"),
    path("policy/edit/<slug:section>/", policy_forms.policy_section, name="policy_section"),
    path("policy/versions/", policy.versions, name="versions"),
    path("policy/versions/<int:number>/", policy.version, name="version"),
    path("departments/", departments.departments, name="departments"),
    path("departments/<slug:code>/", departments.department, name="department"),
    path(
        "departments/<slug:code>/rename/", departments.department_rename, name="department_rename"
    ),
    path("departments/<slug:code>/move/", departments.department_move, name="department_move"),
    path(
        "departments/<slug:code>/deactivate/",
        departments.department_deactivate,
        name="department_deactivate",
    ),
    path(
        "departments/<slug:code>/activate/",
        departments.department_activate,
        name="department_activate",
    ),
    path("staff/", staff.staff, name="staff"),
    path("staff/new/", staff.staff_new, name="staff_new"),
    path("staff/<int:user_id>/", staff.member, name="member"),
    path("staff/<int:user_id>/roles/", staff.member_role, name="member_role"),
    path("staff/<int:user_id>/profile/", staff.member_profile, name="member_profile"),
    path("staff/<int:user_id>/password-link/", staff.password_link, name="password_link"),
    path(
        "staff/<int:user_id>/account/deactivate/",
        staff.account_deactivate,
        name="account_deactivate",
    ),
    path("staff/<int:user_id>/account/activate/", staff.account_activate, name="account_activate"),
    path("roles/<int:pk>/deactivate/", staff.membership_deactivate, name="membership_deactivate"),
    path("roles/<int:pk>/activate/", staff.membership_activate, name="membership_activate"),
    path("holidays/", holidays.holidays, name="holidays"),
    path("holidays/new/", holidays.holiday_add, name="holiday_add"),
    path("holidays/<int:pk>/withdraw/", holidays.holiday_withdraw, name="holiday_withdraw"),
]
