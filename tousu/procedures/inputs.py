"""Typed inputs of the procedure actions (the API's request schemas, the desk's forms).

The details of every record form are flat optional fields, so that one desk form serves
every step; :mod:`tousu.procedures.forms` says which fields each form needs and refuses
the rest.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from tousu.cases.values import Code, In, PastMoment, ShortText, Text

# How a notice went out or a party was told.
Method = Literal["", "written", "phone", "in_person", "fax", "online"]
Name = Field(default="", max_length=200)
Names: Any = Field(default_factory=list, max_length=50)


class StartProcedureIn(In):
    procedure: str = Code
    note: str = Text


class RecordProcedureStepIn(In):
    procedure: str = Code
    step: str = Code
    body: str = Text
    # When it happened: sealed, reported, referred, told, the committee met.
    occurred_at: PastMoment | None = None
    # Sealing (封存): what, where, who sealed, who witnessed, who signed for each party.
    items: list[str] = Field(default_factory=list, max_length=100)
    location: str = ShortText
    sealed_by: list[str] = Names
    witnesses: list[str] = Names
    patient_signatory: str = Name
    patient_refused: bool = False
    hospital_signatory: str = Name
    hospital_refused: bool = False
    seal_number: str = ShortText
    # Authority notice or referral: to whom, how, under which reference.
    target: str = Field(default="", max_length=40)
    method: Method = ""
    reference: str = ShortText
    # Autopsy notice (尸检告知): who in the family was told, their answer, the body.
    family_member: str = Name
    family_relation: str = Field(default="", max_length=50)
    answer: Literal["", "consent", "refuse", "undecided"] = ""
    died_at: PastMoment | None = None
    body_kept: str = Field(default="", max_length=500)
    # Kept frozen (冻存): the longer limit of the policy applies (7 days instead of 48 hours).
    body_frozen: bool = False
    # Committee decision (裁定): members present and the decision.
    members: list[str] = Names
    decision: str = Text
    # Decision notice: each party, who was told, when and how.
    patient_told: str = Name
    patient_told_at: PastMoment | None = None
    patient_told_how: Method = ""
    hospital_told: str = Name
    hospital_told_at: PastMoment | None = None
    hospital_told_how: Method = ""
