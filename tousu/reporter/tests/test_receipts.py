"""Receipts: shown once, stored only as a keyed hash, the same None for every wrong one."""

from __future__ import annotations

from tousu.cases.models import Case
from tousu.reporter import receipts
from tousu.reporter.models import Receipt


def _case(world) -> Case:
    number = world.api("clerk").register().json()["number"]
    return Case.objects.get(number=number)


def test_a_receipt_finds_its_case_and_only_its_hash_is_stored(world):
    case = _case(world)
    digits = receipts.issue(case, channel="phone", by_user_id=world.users["clerk"].pk)
    assert len(digits) == 20 and digits.isdigit()
    assert receipts.find(world.org, digits) == case
    assert receipts.find(world.org, receipts.grouped(digits)) == case  # as printed
    row = Receipt.objects.get(case=case)
    assert digits not in row.digest and row.digest == receipts.digest(world.org, digits)


def test_wrong_revoked_and_foreign_receipts_find_nothing(world):
    case = _case(world)
    digits = receipts.issue(case, channel="web")
    wrong = ("0" if digits[0] != "0" else "1") + digits[1:]
    assert receipts.find(world.org, wrong) is None
    assert receipts.find(world.other, digits) is None  # another organisation's portal
    assert receipts.find(world.org, digits[:-1]) is None
    assert receipts.find(world.org, "一二三") is None
    Receipt.objects.filter(case=case).update(revoked_at=case.registered_at)
    assert receipts.find(world.org, digits) is None


def test_a_box_form_receipt_is_bound_when_the_form_is_registered(world):
    [digits] = receipts.pre_issue(world.org, 1, by_user_id=world.users["clerk"].pk)
    assert receipts.find(world.org, digits) is None  # printed, not yet used
    case = _case(world)
    assert receipts.bind(case, receipts.grouped(digits))
    assert receipts.find(world.org, digits) == case
    assert not receipts.bind(_case(world), digits)  # once only
