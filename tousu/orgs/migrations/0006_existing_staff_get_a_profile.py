"""Every existing account gets a staff profile.

The name is empty (pages and documents then say 工作人员, never the username) unless the
administration page's former 姓/名 fields held one: that name, family name first for a
Chinese name, is kept. The two accounts that stand for no person get none.
"""

from typing import Any

from django.db import migrations

PSEUDO = ("tousu-system", "tousu-reporter")


def _name(first: str, last: str) -> str:
    first, last = (first or "").strip(), (last or "").strip()
    if not (first + last).isascii():
        return (last + first)[:100]
    return f"{first} {last}".strip()[:100]


def forwards(apps: Any, schema_editor: Any) -> None:
    User = apps.get_model("auth", "User")
    StaffProfile = apps.get_model("orgs", "StaffProfile")
    have = set(StaffProfile.objects.values_list("user_id", flat=True))
    rows = [
        StaffProfile(user_id=pk, name=_name(first, last))
        for pk, first, last in User.objects.exclude(username__in=PSEUDO)
        .values_list("pk", "first_name", "last_name")
        .order_by("pk")
        if pk not in have
    ]
    StaffProfile.objects.bulk_create(rows, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0005_staff_names_titles_and_notice_contacts"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
