"""Bulk work on a queue's rows: the form posts here, each case goes through its own action
(tousu.web.bulk), and the queue shows what was done and each refusal with its reason."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from tousu.cases.errors import not_found
from tousu.desk import queues
from tousu.web import bulk
from tousu.web.pages import DeskRequest, desk_view


@require_POST
@desk_view
def queue_bulk(request: DeskRequest, org: str, code: str) -> HttpResponse:
    desk = request.desk
    if code not in {q.code for q in queues.available(desk.actor, desk.policy)}:
        raise not_found()
    numbers = bulk.selection(request.POST.getlist("cases"))
    back = reverse("desk:queue", kwargs={"org": org, "code": code})
    query = bulk.back_query(str(request.POST.get("back") or ""))
    if bulk.operation(str(request.POST.get("operation") or "")) == "export":
        # The ledger's export of the chosen cases: the same form posted on to the ledger's
        # export (307 keeps the method and the body), which starts it like any other.
        target = reverse("desk:reports:export", kwargs={"org": org})
        return HttpResponse(status=307, headers={"Location": target})
    outcome = bulk.run(desk.actor, request.POST, numbers)
    bulk.tell(request, outcome)
    return redirect(f"{back}?{query}" if query else back)
