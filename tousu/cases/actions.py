"""Every change to a case after registration, as typed actions: the core's own.

Each runs inside :func:`tousu.cases.steps.step`: locked, authorised, one transaction, one
event. Views, the API, importers and jobs call these functions (and
:func:`tousu.cases.intake.register`), or find any action, the features' included, in
:data:`tousu.cases.registry.ACTION_FUNCTIONS`.

The actions live by theme in :mod:`~tousu.cases.decisions`, :mod:`~tousu.cases.routing`,
:mod:`~tousu.cases.answers` and :mod:`~tousu.cases.safeguards`; this module names them and
registers them with the core's table (the features and the reporter channel register theirs
from their own apps).
"""

from __future__ import annotations

from tousu.cases import inputs, registry, safeguards
from tousu.cases.answers import (
    close,
    follow_up,
    reopen,
    reply,
    request_review,
    resolve,
    start_reverification,
    start_review,
    withdraw,
)
from tousu.cases.decisions import accept, classify, refer, reject, resolve_on_the_spot
from tousu.cases.intake import amend, register
from tousu.cases.registry import ACTION_FUNCTIONS, SYSTEM_FUNCTIONS
from tousu.cases.routing import (
    approve_extension,
    assign,
    escalate,
    merge,
    notify_authority,
    pause,
    receive,
    record,
    request_extension,
    resume,
    return_case,
    split,
    transfer,
)
from tousu.cases.sweeps import CORE_SYSTEM_FUNCTIONS

registry.actions(
    {
        "amend": (amend, inputs.AmendIn),
        "classify": (classify, inputs.ClassifyIn),
        "resolve_on_the_spot": (resolve_on_the_spot, inputs.ResolveOnTheSpotIn),
        "accept": (accept, inputs.AcceptIn),
        "reject": (reject, inputs.RejectIn),
        "refer": (refer, inputs.ReferIn),
        "assign": (assign, inputs.AssignIn),
        "transfer": (transfer, inputs.TransferIn),
        "receive": (receive, inputs.ReceiveIn),
        "return": (return_case, inputs.ReturnIn),
        "record": (record, inputs.RecordIn),
        "pause": (pause, inputs.PauseIn),
        "resume": (resume, inputs.ResumeIn),
        "request_extension": (request_extension, inputs.RequestExtensionIn),
        "approve_extension": (approve_extension, inputs.ApproveExtensionIn),
        "escalate": (escalate, inputs.EscalateIn),
        "notify_authority": (notify_authority, inputs.NotifyAuthorityIn),
        "split": (split, inputs.SplitIn),
        "merge": (merge, inputs.MergeIn),
        "resolve": (resolve, inputs.ResolveIn),
        "reply": (reply, inputs.ReplyIn),
        "follow_up": (follow_up, inputs.FollowUpIn),
        "close": (close, inputs.CloseIn),
        "reopen": (reopen, inputs.ReopenIn),
        "request_review": (request_review, inputs.RequestReviewIn),
        "recuse": (safeguards.recuse, inputs.RecuseIn),
        "hold": (safeguards.hold, inputs.HoldIn),
        "redact": (safeguards.redact, inputs.RedactIn),
        "release_hold": (safeguards.release_hold, inputs.HoldIn),
        "request_recusal": (safeguards.request_recusal, inputs.RequestRecusalIn),
        "decide_recusal": (safeguards.decide_recusal, inputs.DecideRecusalIn),
        "request_reveal": (safeguards.request_reveal, inputs.RequestRevealIn),
        "approve_reveal": (safeguards.approve_reveal, inputs.ApproveRevealIn),
        "withdraw": (withdraw, inputs.WithdrawIn),
    },
    core=True,
)
registry.system_actions(CORE_SYSTEM_FUNCTIONS, core=True)

__all__ = [
    "ACTION_FUNCTIONS", "SYSTEM_FUNCTIONS", "accept", "amend", "approve_extension", "assign",
    "classify", "close", "escalate", "follow_up", "merge", "notify_authority", "pause",
    "receive", "record", "refer", "register", "reject", "reopen", "reply", "request_extension",
    "request_review", "resolve", "resolve_on_the_spot", "resume", "return_case", "split",
    "start_reverification", "start_review", "transfer", "withdraw",
]  # fmt: skip
