"""党费, 学习 ("五学"), 规范化建设 and 雷同会议记录 pages: thin, they read through scoped
querysets and write through ``services`` (which check permission and scope again, validate
against the rules and audit).

An organisation or record outside the user's scope is a 404, as on every other party page.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from tongxin.org import scope
from tongxin.org.tree import path_q
from tongxin.web.pages import add_service_errors, int_or_404, query_without_page

from . import dues, reports, selectors, services, standards
from .forms import MemberChoiceField, OrgChoiceField, _Styled, year_choices
from .models import (
    Checklist,
    ChecklistItem,
    DuesPayment,
    MinutesFlag,
    OrgKind,
    PartyOrganization,
    StudyLevel,
    StudyRecord,
)
from .views import _year

DATE_WIDGET = {"type": "date"}
MONTH_FORMATS = ["%Y-%m", "%Y-%m-%d"]


# --- helpers ------------------------------------------------------------------------------


def _branches_for(user):
    return selectors.organizations_for(user).filter(kind=OrgKind.BRANCH)


def _branch_for(user, pk) -> PartyOrganization:
    branch = selectors.organization_for(user, int_or_404(pk))
    if branch.kind != OrgKind.BRANCH:
        raise Http404("请选择党支部")
    return branch


def _six_month_run(joined: dt.date, paid: list[dt.date], today: dt.date) -> dues.UnpaidRun | None:
    """The longest unpaid run of six months or more, or ``None`` (no flag)."""
    since = dues.ledger_start(joined, paid)
    if not dues.six_month_flag(paid, joined=since, today=today):
        return None
    return dues.longest_unpaid_run(paid, since=since, until=dues.last_completed_month(today))


def _paid_months_by_member(payments) -> dict[int, list[dt.date]]:
    months: dict[int, list[dt.date]] = defaultdict(list)
    for member_id, month in payments.values_list("member_id", "month"):
        months[member_id].append(month)
    return months


# --- forms --------------------------------------------------------------------------------


class MonthField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")

    def __init__(self, **kwargs):
        super().__init__(input_formats=MONTH_FORMATS, **kwargs)


class PaymentForm(_Styled, forms.Form):
    member = MemberChoiceField(label="党员", queryset=None)
    month = MonthField(label="所属月份")
    amount_paid = forms.DecimalField(
        label="实缴金额(元)", max_digits=8, decimal_places=2, min_value=0
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, prefix="pay", **kwargs)
        self.fields["member"].queryset = members
        self._style()


class CloseForm(_Styled, forms.Form):
    month = MonthField(label="结账至月份")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="close", **kwargs)
        self._style()


class StudyForm(_Styled, forms.Form):
    organization = OrgChoiceField(label="党组织", queryset=None)
    level = forms.ChoiceField(label="层级", choices=StudyLevel.choices)
    held_on = forms.DateField(
        label="日期", widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d")
    )
    title = forms.CharField(label="学习主题", max_length=200)
    hours = forms.DecimalField(label="学时", max_digits=5, decimal_places=1, min_value=0)
    participants = forms.ModelMultipleChoiceField(
        label="参学党员", queryset=None, required=False, help_text="按住 Ctrl 可多选"
    )
    material = forms.CharField(label="学习材料", required=False, widget=forms.Textarea)

    def __init__(self, *args, user, organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = selectors.organizations_for(user)
        # Validation accepts any member in scope, so that the service gives the reason why a
        # member of another organisation cannot be recorded; the list shows the chosen org's.
        members = selectors.members_for(user)
        if not self.is_bound and organization is not None:
            members = selectors.members_for(user, organization=organization)
        self.fields["participants"].queryset = members
        self.fields["participants"].label_from_instance = lambda m: (
            f"{m.officer.name}({m.officer.police_number})"
        )
        self._style()
        self.fields["participants"].widget.attrs["class"] = "form-select"
        self.fields["participants"].widget.attrs["size"] = "8"
        self.fields["material"].widget.attrs["rows"] = "3"


class AssessmentForm(forms.Form):
    """One percent and one evidence field per active checklist item; the service refuses a
    missing or out-of-range score with every reason at once."""

    def __init__(self, *args, items, scores, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            saved = scores.get(item.pk)
            self.fields[f"percent-{item.pk}"] = forms.IntegerField(
                label=f"{item.title} 得分率(%)",
                required=False,
                min_value=0,
                max_value=100,
                initial=saved.percent if saved else None,
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
            )
            self.fields[f"evidence-{item.pk}"] = forms.CharField(
                label=f"{item.title} 佐证材料",
                required=False,
                initial=saved.evidence if saved else "",
                widget=forms.Textarea(attrs={"class": "form-control form-control-sm", "rows": 2}),
            )

    def rows(self) -> list[dict]:
        rows, checklist = [], None
        for item in self.items:
            rows.append(
                {
                    "item": item,
                    "heading": item.checklist.name if item.checklist_id != checklist else "",
                    "percent": self[f"percent-{item.pk}"],
                    "evidence": self[f"evidence-{item.pk}"],
                }
            )
            checklist = item.checklist_id
        return rows

    def scores(self) -> dict[int, tuple[int, str]]:
        scores = {}
        for item in self.items:
            percent = self.cleaned_data.get(f"percent-{item.pk}")
            if percent is not None:
                scores[item.pk] = (percent, self.cleaned_data.get(f"evidence-{item.pk}", ""))
        return scores


# --- dues ---------------------------------------------------------------------------------


def _dues_grid(members, year_payments, all_months, closed_through, year, today):
    current = dues.month_start(today)
    months = [dt.date(year, m, 1) for m in range(1, 13)]
    by_member: dict[int, dict[dt.date, DuesPayment]] = defaultdict(dict)
    for payment in year_payments:
        by_member[payment.member_id][payment.month] = payment
    rows = []
    for member in members:
        paid = by_member.get(member.pk, {})
        cells = []
        for month in months:
            if month in paid:
                state, text = "paid", f"{paid[month].amount_paid}"
            elif not dues.month_is_open(month, closed_through):
                state, text = "closed", "已结账"
            elif month < dues.month_start(member.joined_on):
                state, text = "none", ""
            elif month < current:
                state, text = "unpaid", "未交"
            else:
                state, text = "future", ""
            cells.append({"month": month, "state": state, "text": text})
        run = _six_month_run(member.joined_on, all_months.get(member.pk, []), today)
        rate = dues.rate_for(member.dues_base, retired=member.retired) * 100
        rows.append(
            {
                "member": member,
                "rate": f"{rate.normalize():f}%",
                "amount": dues.monthly_dues(member.dues_base, retired=member.retired),
                "cells": cells,
                "paid_total": sum((p.amount_paid for p in paid.values()), start=0),
                "run": run,
            }
        )
    return months, rows


@login_required
@permission_required("party.view_duespayment", raise_exception=True)
@require_http_methods(["GET", "POST"])
def dues_ledger(request):
    user = request.user
    today = timezone.localdate()
    year = _year(request, today)
    branches = _branches_for(user)
    org_id = request.GET.get("org")
    branch = _branch_for(user, org_id) if org_id else branches.first()
    if branch is None:
        return render(request, "party/records_dues.html", {"branch": None, "year": year})
    members = selectors.members_for(user, organization=branch)
    committee = services.committee_of(branch)
    can_pay = user.has_perm("party.add_duespayment")
    can_close = user.has_perm("party.add_duesclosing") and committee is not None
    here = f"{reverse('party_records:dues')}?org={branch.pk}&year={year}"
    action = request.POST.get("action") if request.method == "POST" else None
    pay_form = PaymentForm(
        request.POST if action == "pay" else None,
        members=members,
        initial={"month": dues.previous_month(today) if year == today.year else None},
    )
    close_form = CloseForm(
        request.POST if action == "close" else None,
        initial={"month": dues.last_completed_month(today)},
    )
    if action == "pay":
        if not can_pay:
            raise PermissionDenied("您没有登记党费的权限")
        if pay_form.is_valid():
            data = pay_form.cleaned_data
            try:
                payment = services.record_dues_payment(
                    user=user,
                    member=data["member"],
                    month=data["month"],
                    amount_paid=data["amount_paid"],
                )
            except ValidationError as exc:
                add_service_errors(pay_form, exc)
            else:
                messages.success(
                    request,
                    f"已登记 {payment.member.officer.name} "
                    f"{dues.format_month(payment.month)}党费 {payment.amount_paid} 元。",
                )
                return redirect(here)
    elif action == "close":
        if not can_close:
            raise PermissionDenied("您没有党费结账的权限")
        if close_form.is_valid():
            try:
                closing = services.close_dues_month(
                    user=user, committee=committee, month=close_form.cleaned_data["month"]
                )
            except ValidationError as exc:
                add_service_errors(close_form, exc)
            else:
                messages.success(
                    request,
                    f"{committee.name} 已结账至{dues.format_month(closing.month)}。",
                )
                return redirect(here)
    elif request.method == "POST":
        raise Http404("参数有误")
    member_list = list(members)
    year_payments = DuesPayment.objects.filter(member__organization=branch, month__year=year)
    all_months = _paid_months_by_member(DuesPayment.objects.filter(member__organization=branch))
    closed_through = services.dues_closed_through(branch)
    months, rows = _dues_grid(member_list, year_payments, all_months, closed_through, year, today)
    return render(
        request,
        "party/records_dues.html",
        {
            "branch": branch,
            "branches": branches,
            "year": year,
            "years": year_choices(today),
            "months": months,
            "rows": rows,
            "flagged": sum(1 for r in rows if r["run"]),
            "committee": committee,
            "closed_through": closed_through,
            "pay_form": pay_form if can_pay else None,
            "close_form": close_form if can_close else None,
        },
    )


@login_required
@permission_required("party.view_duespayment", raise_exception=True)
def dues_arrears(request):
    """Members in scope with six or more consecutive unpaid months (党章 art. 9)."""
    user = request.user
    today = timezone.localdate()
    org_id = request.GET.get("org")
    org = selectors.organization_for(user, int_or_404(org_id)) if org_id else None
    members = selectors.members_for(user, organization=org)
    months = _paid_months_by_member(DuesPayment.objects.filter(member__in=members.values("pk")))
    rows = []
    for member in members:
        run = _six_month_run(member.joined_on, months.get(member.pk, []), today)
        if run is not None:
            rows.append({"member": member, "run": run, "text": run.describe()})
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "party/records_arrears.html",
        {
            "org": org,
            "organizations": selectors.organizations_for(user).exclude(kind=OrgKind.GROUP),
            "page_obj": page,
            "query": query_without_page(request),
        },
    )


# --- study --------------------------------------------------------------------------------


@login_required
@permission_required("party.view_studyrecord", raise_exception=True)
@require_http_methods(["GET", "POST"])
def study_list(request):
    user = request.user
    org_id = request.GET.get("org")
    org = selectors.organization_for(user, int_or_404(org_id)) if org_id else None
    records = scope.scoped(
        StudyRecord.objects.select_related("organization"), user, "organization__unit__path"
    )
    if org is not None:
        records = records.filter(path_q("organization__path", org.path))
    records = records.annotate(participant_count=Count("participants")).order_by("-held_on", "-id")
    can_add = user.has_perm("party.add_studyrecord")
    form = None
    if can_add:
        form = StudyForm(
            request.POST if request.method == "POST" else None,
            user=user,
            organization=org,
            initial={"organization": org, "held_on": timezone.localdate()},
        )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("您没有登记学习记录的权限")
        if form.is_valid():
            data = form.cleaned_data
            try:
                study = services.record_study(
                    user=user,
                    organization=data["organization"],
                    level=data["level"],
                    held_on=data["held_on"],
                    title=data["title"],
                    hours=data["hours"],
                    participants=list(data["participants"]),
                    material=data["material"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"已登记学习记录:{study.title}。")
                return redirect(f"{reverse('party_records:study')}?org={study.organization_id}")
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "party/records_study.html",
        {
            "org": org,
            "organizations": selectors.organizations_for(user),
            "page_obj": page,
            "query": query_without_page(request),
            "form": form,
        },
    )


# --- standardisation ----------------------------------------------------------------------


@login_required
@permission_required("party.view_partyorganization", raise_exception=True)
def standardisation(request):
    user = request.user
    today = timezone.localdate()
    year = _year(request, today)
    ranking = reports.standardisation_ranking(user, year=year)
    assessed = {a.branch_id for a in ranking}
    pending = (
        _branches_for(user)
        .filter(established_on__lte=dt.date(year, 12, 31))
        .exclude(pk__in=assessed)
        .exclude(dissolved_on__lt=dt.date(year, 1, 1))
    )
    return render(
        request,
        "party/records_standardisation.html",
        {
            "year": year,
            "years": year_choices(today),
            "rows": [{"rank": i, "assessment": a} for i, a in enumerate(ranking, start=1)],
            "pending": pending,
            "can_assess": user.has_perm("party.change_partyorganization"),
        },
    )


@login_required
@permission_required("party.view_partyorganization", raise_exception=True)
@require_http_methods(["GET", "POST"])
def assess(request, pk: int, year: int):
    user = request.user
    branch = _branch_for(user, pk)
    if not 2000 <= year <= timezone.localdate().year:
        raise Http404("年度有误")
    can_assess = user.has_perm("party.change_partyorganization")
    if can_assess and not Checklist.objects.exists():
        standards.ensure_default_checklists()
    items = list(
        ChecklistItem.objects.filter(checklist__is_active=True)
        .select_related("checklist")
        .order_by("checklist__sort_order", "checklist_id", "sort_order", "id")
    )
    assessment = branch.assessments.filter(year=year).first()
    saved = {s.item_id: s for s in assessment.scores.all()} if assessment else {}
    form = AssessmentForm(
        request.POST if request.method == "POST" else None, items=items, scores=saved
    )
    if request.method == "POST":
        if not can_assess:
            raise PermissionDenied("您没有评定规范化建设的权限")
        if form.is_valid():
            try:
                result = services.assess_branch(
                    user=user, branch=branch, year=year, scores=form.scores()
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, f"已评定 {branch.name} {year}年规范化建设:{result.total:.1f}分。"
                )
                return redirect(f"{reverse('party_records:standardisation')}?year={year}")
    return render(
        request,
        "party/records_assess.html",
        {
            "branch": branch,
            "year": year,
            "assessment": assessment,
            "form": form,
            "rows": form.rows(),
            "can_assess": can_assess,
        },
    )


# --- copied minutes -----------------------------------------------------------------------


def _flags_for(user):
    return scope.scoped(
        MinutesFlag.objects.select_related(
            "activity__organization__unit", "similar_to__organization", "reviewed_by"
        ),
        user,
        "activity__organization__unit__path",
    )


@login_required
@permission_required("party.view_activity", raise_exception=True)
def minutes_flags(request):
    user = request.user
    # Unreviewed first: NULLs sort first on SQLite and last on PostgreSQL, so say it.
    flags = _flags_for(user).order_by(F("reviewed_at").asc(nulls_first=True), "-similarity", "-id")
    page = Paginator(flags, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "party/records_flags.html",
        {
            "page_obj": page,
            "query": query_without_page(request),
            "can_review": user.has_perm("party.change_activity"),
            "unreviewed": _flags_for(user).filter(reviewed_at__isnull=True).count(),
        },
    )


@login_required
@require_POST
def review_flag(request, pk: int):
    user = request.user
    try:
        flag = _flags_for(user).get(pk=pk)
    except MinutesFlag.DoesNotExist as exc:
        raise Http404("记录不存在或不在您的数据范围内") from exc
    try:
        services.review_minutes_flag(
            user=user, flag=flag, note=request.POST.get("note", "").strip()[:300]
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"已记录核查意见:{flag.activity.topic}。")
    return redirect("party_records:flags")
