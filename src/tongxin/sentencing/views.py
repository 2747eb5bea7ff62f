"""The review centre's pages (刑罚执行评审中心): the case list and its export, my tasks, a case
with the forms of the acts open to the user, the proposal, a prison's public notice, and the
official documents as PDF.

Thin, as everywhere: reads through ``selectors`` (scoped: a case outside the user's scope is a
404), writes through ``services`` (which check permission, scope, separation of duties, the
law and the version the user saw). A refused act re-renders the case with the reason beside
its field: 200 when the form itself is incomplete, 400 when the service refuses it, 409 when
someone else acted on the case meanwhile, 403 when the user may not act at all.
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from tongxin.audit.services import record
from tongxin.org import scope
from tongxin.prisoners import selectors as prisoner_selectors
from tongxin.prisoners.models import CustodyStatus
from tongxin.web.pages import (
    add_service_errors,
    int_or_404,
    page_by_ids,
    query_without_page,
    xlsx_response,
)

from . import documents, judge, selectors, services
from .forms import (
    TEMPORARY_GROUNDS,
    AnswerForm,
    CaseFilterForm,
    CloseNoticeForm,
    DecisionForm,
    DisposeForm,
    NoticeForm,
    ObjectionForm,
    ProposeForm,
    ReviewForm,
    RulingForm,
    SubmitForm,
    WithdrawForm,
)
from .models import Case, CaseKind, CaseStatus, Objection, RiskAlert

PAGE_SIZE = 50
VIEW = "sentencing.view_case"


# --- lists ----------------------------------------------------------------------------------


def _filters(request) -> tuple[CaseFilterForm, dict]:
    """The list's filters from the query string: a unit outside the scope is a 404; any other
    bad value is ignored (the form shows it)."""
    form = CaseFilterForm(request.GET or None, units=selectors.filter_units(request.user))
    filters: dict = {}
    if form.is_bound:
        under = request.GET.get("under")
        if under:
            filters["under"] = selectors.unit_for(request.user, int_or_404(under))
        form.is_valid()
        data = getattr(form, "cleaned_data", {})
        filters.update(
            kind=data.get("kind") or "",
            status=data.get("status") or "",
            search=data.get("q") or "",
            year=data.get("year") or None,
        )
    return form, filters


@login_required
@permission_required(VIEW, raise_exception=True)
def case_list(request):
    """评审中心案件列表."""
    form, filters = _filters(request)
    rows = selectors.cases_for(request.user, **filters)
    page = page_by_ids(rows, request.GET.get("page"), PAGE_SIZE)
    return render(
        request,
        "sentencing/case_list.html",
        {
            "form": form,
            "page_obj": page,
            "rows": selectors.decorate(page.object_list),
            "query": query_without_page(request),
            "prisons": selectors.notice_prisons(request.user),
            "can_propose": request.user.has_perm("sentencing.propose_case"),
        },
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def case_export(request):
    """The filtered list as a workbook (audited)."""
    _, filters = _filters(request)
    rows = selectors.cases_for(request.user, **filters)
    content, count = documents.cases_workbook(rows)
    record(
        actor=request.user,
        action="sentencing.case.export",
        unit=filters.get("under"),
        summary=f"导出减刑假释暂予监外执行案件 {count} 件",
    )
    return xlsx_response(content, quote(f"评审案件-{timezone.localdate():%Y%m%d}.xlsx"))


@login_required
@permission_required(VIEW, raise_exception=True)
def my_tasks(request):
    """待办: the cases waiting for this user now."""
    rows = selectors.my_tasks(request.user)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "sentencing/tasks.html",
        {"page_obj": page, "rows": selectors.decorate(page.object_list), "query": ""},
    )


# --- one case -------------------------------------------------------------------------------

# action slug -> (form class, form prefix)
ACTS = {
    "decide": (DecisionForm, "decide"),
    "review": (ReviewForm, "review"),
    "withdraw": (WithdrawForm, "withdraw"),
    "publish-notice": (NoticeForm, "notice"),
    "close-notice": (CloseNoticeForm, "close"),
    "submit": (SubmitForm, "submit"),
    "ruling": (RulingForm, "ruling"),
    "dispose": (DisposeForm, "alert"),
    "objection": (ObjectionForm, "objection"),
    "answer": (AnswerForm, "answer"),
}
VERSIONED = {"decide", "review", "withdraw", "publish-notice", "close-notice", "submit", "ruling"}


def _form(action: str, data=None, *, version: int, item: int | None = None, initial=None):
    form_class, prefix = ACTS[action]
    if item is not None:
        prefix = f"{prefix}-{item}"
    kwargs = {"prefix": prefix, "initial": initial or {}}
    if action in VERSIONED or action == "dispose":
        kwargs["version"] = version
    return form_class(data, **kwargs)


def _offered_forms(case: Case, actions: selectors.CaseActions) -> dict:
    """Unbound forms of every act open to the user now."""
    today = timezone.localdate()
    v = case.version
    forms: dict = {}
    for transition in actions.steps:
        if transition.decision:
            forms["decide"] = {
                "form": _form("decide", version=v, initial={"step": transition.code}),
                "label": transition.label,
            }
        elif transition.code == "publish_notice":
            forms["publish-notice"] = {
                "form": _form("publish-notice", version=v, initial={"notice_start": today}),
                "label": transition.label,
            }
        elif transition.code == "close_notice":
            forms["close-notice"] = {"form": _form("close-notice", version=v), "label": "结束公示"}
        elif transition.code in ("submit_court", "submit_bureau"):
            forms["submit"] = {"form": _form("submit", version=v), "label": transition.label}
        elif transition.code == "record_ruling":
            forms["ruling"] = {
                "form": _form("ruling", version=v, initial={"ruling_date": today}),
                "label": transition.label,
            }
    if actions.review:
        forms["review"] = {
            "form": _form("review", version=v),
            "label": "评审中心评审(评审员意见)",
        }
    if actions.withdraw:
        forms["withdraw"] = {"form": _form("withdraw", version=v), "label": "撤回提请"}
    if actions.record_objection:
        forms["objection"] = {
            "form": _form("objection", version=v, initial={"received_on": today}),
            "label": "登记公示异议",
        }
    return forms


def _render_case(request, case: Case, *, bound=None, status: int = 200, stale: bool = False):
    """The case page; ``bound`` = (action, item, form) puts a submitted form back in its
    place with its errors."""
    user = request.user
    dossier = selectors.dossier(case)
    actions = selectors.actions_for(
        user,
        case,
        steps=dossier.steps,
        reviewers=dossier.reviewers,
        alerts=dossier.alerts,
        objections=dossier.objections,
    )
    forms = _offered_forms(case, actions)
    alert_forms = {a.pk: _form("dispose", version=case.version, item=a.pk) for a in actions.alerts}
    answer_forms = {
        o.pk: _form("answer", version=case.version, item=o.pk) for o in actions.objections
    }
    loose_errors: list[str] = []
    if bound is not None:
        action, item, form = bound
        if action == "dispose" and item in alert_forms:
            alert_forms[item] = form
        elif action == "answer" and item in answer_forms:
            answer_forms[item] = form
        elif action in forms:
            forms[action]["form"] = form
        else:
            # The act is no longer open (someone moved the case on): say why above the page.
            loose_errors = [str(e) for errors in form.errors.values() for e in errors]
    for alert in dossier.alerts:
        alert.form = alert_forms.get(alert.pk)
    for objection in dossier.objections:
        objection.form = answer_forms.get(objection.pk)
    part = selectors.verdict_part(case.kind, case.verdict)
    prison = selectors.prison_of_case(case)
    return render(
        request,
        "sentencing/case_detail.html",
        {
            "case": case,
            "prisoner": case.prisoner,
            "dossier": dossier,
            "actions": actions,
            "forms": forms,
            "loose_errors": loose_errors,
            "stale": stale,
            "stale_message": services.STALE,
            "badge": selectors.STATUS_BADGES.get(case.status, "text-bg-secondary"),
            "amount_text": selectors.amount_text(case),
            "ruling_text": selectors.ruling_text(case),
            "part": part,
            "merit_label": prisoner_selectors.merit_label(case.merit or None),
            "category_labels": case.prisoner.category_labels(),
            "step_labels": selectors.STEP_LABELS,
            "decision_labels": selectors.DECISION_LABELS,
            "prison": prison,
            "grounds": _ground_labels(case.temporary_grounds),
            "document_title": documents.document_title(case),
        },
        status=status,
    )


def _ground_labels(grounds: dict | None) -> list[str]:
    grounds = grounds or {}
    return [label for name, label in TEMPORARY_GROUNDS if grounds.get(name)]


@login_required
@permission_required(VIEW, raise_exception=True)
def case_detail(request, pk: int):
    case = selectors.case_for(request.user, pk)
    return _render_case(request, case)


def _call_service(action: str, *, user, case: Case, data: dict, item):
    version = data.get("expected_version")
    if action == "decide":
        return services.decide(
            user=user,
            case=case,
            step=data["step"],
            decision=data["decision"],
            opinion=data["opinion"],
            expected_version=version,
        )
    if action == "review":
        return services.review(
            user=user,
            case=case,
            decision=data["decision"],
            opinion=data["opinion"],
            expected_version=version,
        )
    if action == "withdraw":
        return services.withdraw_case(
            user=user, case=case, expected_version=version, reason=data["opinion"]
        )
    if action == "publish-notice":
        return services.publish_notice(
            user=user, case=case, start=data["notice_start"], expected_version=version
        )
    if action == "close-notice":
        return services.close_notice(user=user, case=case, expected_version=version)
    if action == "submit":
        return services.submit(user=user, case=case, expected_version=version)
    if action == "ruling":
        return services.record_ruling(
            user=user,
            case=case,
            ruling_date=data["ruling_date"],
            granted=data["granted"],
            months=data.get("ruling_months"),
            to_years=data.get("ruling_to_years"),
            ruling_number=data["ruling_number"],
            expected_version=version,
        )
    if action == "dispose":
        alert = get_object_or_404(RiskAlert, pk=item, case=case)
        return services.dispose_alert(
            user=user, alert=alert, disposition=data["disposition"], expected_version=version
        )
    if action == "objection":
        return services.record_objection(
            user=user,
            case=case,
            received_on=data["received_on"],
            objector=data["objector"],
            content=data["content"],
        )
    if action == "answer":
        objection = get_object_or_404(Objection, pk=item, case=case)
        return services.answer_objection(user=user, objection=objection, answer=data["answer"])
    raise Http404("没有此办理事项")


DONE = {
    "decide": "已提交审批意见。",
    "review": "已提交评审意见。",
    "withdraw": "案件已撤回。",
    "publish-notice": "已开始狱内公示。",
    "close-notice": "公示已结束。",
    "submit": "案件已提请。",
    "ruling": "已登记裁定。",
    "dispose": "已处置风险预警。",
    "objection": "已登记公示异议。",
    "answer": "已答复公示异议。",
}


@login_required
@permission_required(VIEW, raise_exception=True)
@require_POST
def case_act(request, pk: int, action: str, item: int | None = None):
    """One act on the case (POST of one of the forms on the case page)."""
    if action not in ACTS or (item is None) != (action not in ("dispose", "answer")):
        raise Http404("没有此办理事项")
    case = selectors.case_for(request.user, pk)
    form = _form(action, request.POST, version=case.version, item=item)
    if not form.is_valid():
        return _render_case(request, case, bound=(action, item, form))
    try:
        _call_service(action, user=request.user, case=case, data=form.cleaned_data, item=item)
    except ValidationError as exc:
        stale = getattr(exc, "code", None) == "stale"
        fresh = selectors.case_for(request.user, pk)
        if stale:
            # Keep what the user wrote, now against the state shown: acting again is a
            # decision taken on the latest state, not a blind retry of the old one.
            data = request.POST.copy()
            data[form.add_prefix("expected_version")] = str(fresh.version)
            form = _form(action, data, version=fresh.version, item=item)
            form.is_valid()
        add_service_errors(form, exc)
        return _render_case(
            request, fresh, bound=(action, item, form), status=409 if stale else 400, stale=stale
        )
    messages.success(request, DONE[action])
    return redirect("sentencing:case-detail", pk=case.pk)


# --- proposal -------------------------------------------------------------------------------


@login_required
@permission_required("sentencing.propose_case", raise_exception=True)
def propose_start(request):
    """Find a prisoner in scope to propose (姓名或罪犯编号)."""
    q = (request.GET.get("q") or "").strip()
    prisoners = []
    if q:
        prisoners = list(
            prisoner_selectors.prisoners_for(
                request.user, search=q, status=CustodyStatus.IN_CUSTODY
            )[:30]
        )
    return render(request, "sentencing/propose_start.html", {"q": q, "prisoners": prisoners})


@login_required
@permission_required("sentencing.propose_case", raise_exception=True)
@require_http_methods(["GET", "POST"])
def propose(request, prisoner_pk: int):
    """提请: the engine's verdict for the prisoner today above the form."""
    user = request.user
    prisoner = prisoner_selectors.prisoner_for(user, prisoner_pk)
    changes = list(prisoner.changes.order_by("ruling_date", "id"))
    merit, merit_basis = prisoner_selectors.merit_of(prisoner, changes)
    today = timezone.localdate()
    form = ProposeForm(request.POST or None, initial={"kind": CaseKind.REDUCTION})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.propose_case(
                user=user,
                prisoner=prisoner,
                kind=data["kind"],
                reasons=data["reasons"],
                proposed_months=data.get("proposed_months"),
                proposed_to_years=data.get("proposed_to_years"),
                risk_assessment=data.get("risk_assessment") or "",
                medical_assessment=data.get("medical_assessment") or "",
                temporary_grounds=form.temporary_grounds(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已提请,案件编号 {case.number}。")
            return redirect("sentencing:case-detail", pk=case.pk)
    verdict, _version = judge.verdict_for(prisoner, on=today, merit=merit)
    open_case = Case.objects.filter(prisoner=prisoner).exclude(status=CaseStatus.CLOSED).first()
    return render(
        request,
        "sentencing/propose.html",
        {
            "prisoner": prisoner,
            "form": form,
            "verdict": verdict,
            "merit_label": prisoner_selectors.merit_label(merit),
            "merit_basis": merit_basis,
            "term_end": judge.term_end(prisoner, changes),
            "current_sentence": prisoner.current_sentence_label(changes),
            "changes": changes,
            "open_case": open_case,
            "today": today,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# --- notice and documents -------------------------------------------------------------------


def _notice_rows(request, pk: int):
    prison = selectors.notice_prison_for(request.user, pk)
    cases = scope.scoped(selectors.notice_cases(prison), request.user, "unit__path")
    return prison, documents.notice_rows(cases)


@login_required
@permission_required(VIEW, raise_exception=True)
def notice(request, pk: int):
    """公示: a prison's cases in their notice period, printable."""
    prison, rows = _notice_rows(request, pk)
    return render(
        request,
        "sentencing/notice.html",
        {
            "prison": prison,
            "rows": rows,
            "how_to_object": documents.HOW_TO_OBJECT,
            "today": timezone.localdate(),
        },
    )


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
@permission_required(VIEW, raise_exception=True)
def notice_pdf(request, pk: int):
    prison, rows = _notice_rows(request, pk)
    today = timezone.localdate()
    content = documents.notice_pdf(prison.name, rows, today=today)
    record(
        actor=request.user,
        action="sentencing.notice.document",
        obj=prison,
        unit=prison,
        summary=f"下载{prison.name}狱内公示({len(rows)}件)",
    )
    return _pdf_response(content, f"公示-{prison.name}-{today:%Y%m%d}.pdf")


@login_required
@permission_required(VIEW, raise_exception=True)
def case_pdf(request, pk: int):
    """The proposal to the court, or the approval form of temporary execution."""
    case = selectors.case_for(request.user, pk)
    dossier = selectors.dossier(case)
    conduct = selectors.conduct_of(case, dossier.changes)
    prison = selectors.prison_of_case(case)
    title = documents.document_title(case)
    content = documents.case_pdf(
        case, dossier, conduct, prison_name=prison.name if prison else case.unit.name
    )
    record(
        actor=request.user,
        action="sentencing.case.document",
        obj=case,
        unit=case.unit,
        summary=f"下载{title} {case.number}",
    )
    return _pdf_response(content, f"{title}-{case.number}.pdf")
