"""Hiding who brought a case from those who may not know it.

One place for the two masks every restricted surface uses: the marked phrases of a case
(标注遮蔽), and the complainant's or reporter's own particulars as stored in the sealed
record. Output is masked; what was written is stored as written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.utils.translation import gettext_lazy

from tousu.cases.models import Case, CaseRecord, Party

REDACTED = "■■■"

# Told to a writer who may see the identity when their text names the sender (and to
# nobody else: it would confirm a guess).
IDENTITY_IN_TEXT = gettext_lazy(
    "所写内容含有投诉举报人的身份信息；被投诉人等受限查看者看到的将是遮蔽后的文字。"
)


def identity_values(case: Case) -> tuple[str, ...]:
    """Every value the complainant or reporter ever gave (name, phone, e-mail, address,
    employer, ID number); values under two characters are left alone."""
    values: set[str] = set()
    for party in Party.objects.filter(case=case).exclude(role=Party.Role.AGENT):
        party.case = case  # the key of the case in hand opens the sealed fields
        for value in (party.name, party.phone, party.email, party.address, party.employer,
                      party.id_number):  # fmt: skip
            if len(value) >= 2:
                values.add(value)
    return tuple(values)


def identity_maskers(case_ids: Iterable[int]) -> dict[int, Callable[[str], str]]:
    """:func:`identity_masker` of many cases in two queries (lists): case id → masker. The
    cases come along with their parties and records: their keys open the sealed fields."""
    ids = list(dict.fromkeys(case_ids))
    phrases: dict[int, set[str]] = {pk: set() for pk in ids}
    parties = Party.objects.filter(case_id__in=ids).exclude(role=Party.Role.AGENT)
    for party in parties.select_related("case"):
        for value in (party.name, party.phone, party.email, party.address, party.employer,
                      party.id_number):  # fmt: skip
            if len(value) >= 2:
                phrases[party.case_id].add(value)
    records = CaseRecord.objects.filter(case_id__in=ids, kind="redaction")
    for record in records.select_related("case"):
        phrases[record.case_id].update(record.data.get("phrases", []))
    return {pk: masker(found) for pk, found in phrases.items()}


def identity_masker(case: Case) -> Callable[[str], str]:
    """A function hiding, in any text of this case, the complainant's or reporter's own
    details and the marked phrases. The phrases are read once, however many texts it is
    applied to."""
    return redactor(case, identity_values(case))


def redactor(case: Case, extra: tuple[str, ...] = ()) -> Callable[[str], str]:
    """A function hiding every phrase marked for this case (and ``extra``)."""
    phrases: set[str] = set(extra)
    for record in CaseRecord.objects.filter(case=case, kind="redaction"):
        record.case = case
        phrases.update(record.data.get("phrases", []))
    return masker(phrases)


def masker(values: Iterable[str]) -> Callable[[str], str]:
    """A function hiding these values in a text, longer first (names inside names)."""
    ordered = sorted({v for v in values if v}, key=len, reverse=True)

    def hide(text: str) -> str:
        for value in ordered:
            text = text.replace(value, REDACTED)
        return text

    return hide


def names_identity(case: Case, texts: Iterable[str]) -> bool:
    """Whether any of these texts contains the complainant's or reporter's own particulars.

    Asked only for a writer who may see the identity (to warn them): telling anyone else
    would confirm a guess about who brought the case.
    """
    values = identity_values(case)
    return any(value in text for text in texts for value in values)
