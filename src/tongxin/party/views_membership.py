"""发展党员 and 组织关系转接 pages: thin, they read through scoped querysets and write through
``services`` (which check permission and scope again, validate against the rules and audit).

A case or transfer outside the user's scope is a 404, as on every other party page.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from tongxin.org import scope
from tongxin.org.models import Officer
from tongxin.org.tree import path_q
from tongxin.web.pages import add_service_errors, int_or_404, query_without_page

from . import development, selectors, services
from .forms import MemberChoiceField, OrgChoiceField, _Styled
from .models import (
    DevelopmentCase,
    MembershipTransfer,
    OrgKind,
    PartyMember,
    PartyOrganization,
    TransferStatus,
)

DUE_WITHIN_DAYS = 30
DATE_WIDGET = {"type": "date"}
CLOSED_STAGES = (development.Stage.FULL, development.Stage.WITHDRAWN)


# --- helpers ------------------------------------------------------------------------------


def _cases_for(user):
    return scope.scoped(
        DevelopmentCase.objects.select_related("officer", "branch").prefetch_related(
            "contacts__officer"
        ),
        user,
        "branch__unit__path",
    )


def _case_for(user, pk: int) -> DevelopmentCase:
    try:
        return _cases_for(user).get(pk=pk)
    except DevelopmentCase.DoesNotExist as exc:
        raise Http404("发展党员记录不存在或不在您的数据范围内") from exc


def _step_view(step: development.NextStep) -> dict:
    """The next step as the screen shows it."""
    if step.stage_to is None:
        return {"text": "发展程序已结束", "reasons": [], "allowed": False, "stage": None}
    text = f"下一步:{step.stage_to.label}"
    if step.earliest_on is not None:
        text += f",最早可于{development.format_date(step.earliest_on)}"
    return {
        "text": text,
        "stage": step.stage_to,
        "earliest_on": step.earliest_on,
        "allowed": step.allowed_now,
        "reasons": [f"{r.text}(依据:{r.basis})" for r in step.reasons],
    }


def _transfers_for(user):
    qs = MembershipTransfer.objects.select_related(
        "member__officer", "from_branch", "to_branch__unit"
    )
    if not scope.sees_all(user):
        qs = qs.filter(
            scope.scope_q(user, "from_branch__unit__path")
            | scope.scope_q(user, "to_branch__unit__path")
        )
    return qs


# --- forms --------------------------------------------------------------------------------


class BranchNameField(forms.ModelChoiceField):
    def label_from_instance(self, obj: PartyOrganization) -> str:
        return obj.name


class CaseForm(_Styled, forms.Form):
    police_number = forms.CharField(label="申请人警号", max_length=20)
    branch = OrgChoiceField(label="培养党支部", queryset=None)
    applied_on = forms.DateField(
        label="递交申请日期", widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["branch"].queryset = selectors.organizations_for(user).filter(
            kind=OrgKind.BRANCH
        )
        self._style()

    def clean_police_number(self):
        number = self.cleaned_data["police_number"].strip()
        officer = scope.scoped(Officer.objects.all(), self.user).filter(police_number=number)
        officer = officer.first()
        if officer is None:
            raise forms.ValidationError("未找到该警号的民警,或不在您的数据范围内。")
        if PartyMember.objects.filter(officer=officer).exists():
            raise forms.ValidationError(f"{officer.name}已是党员。")
        self.cleaned_data["officer"] = officer
        return number


class StepForm(_Styled, forms.Form):
    to = forms.ChoiceField(label="办理阶段")
    on = forms.DateField(label="日期", widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"))
    contacts = forms.ModelMultipleChoiceField(
        label="培养联系人", queryset=None, required=False, help_text="本支部党员,1至2名"
    )
    training_hours = forms.IntegerField(
        label="集中培训学时", required=False, min_value=0, max_value=999
    )
    political_review_done = forms.BooleanField(label="政治审查已完成", required=False)
    note = forms.CharField(label="说明", max_length=300, required=False)

    def __init__(self, *args, case: DevelopmentCase, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [
            (s.value, s.label) for s in development.Stage if s != development.Stage.APPLICANT
        ]
        self.fields["contacts"].queryset = PartyMember.objects.filter(
            organization=case.branch, is_active=True
        ).select_related("officer")
        self.fields["contacts"].label_from_instance = lambda m: (
            f"{m.officer.name}({m.officer.police_number})"
        )
        self._style()
        self.fields["contacts"].widget.attrs["class"] = "form-select"


class TransferForm(_Styled, forms.Form):
    member = MemberChoiceField(label="党员", queryset=None)
    to_branch = BranchNameField(label="转入党支部", queryset=None)
    letter_number = forms.CharField(label="介绍信编号", max_length=40)
    valid_days = forms.IntegerField(label="有效期(天)", initial=30, min_value=1, max_value=90)
    note = forms.CharField(label="备注", max_length=300, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = selectors.members_for(user)
        # The receiving branch may lie outside the sender's scope: names only.
        self.fields["to_branch"].queryset = PartyOrganization.objects.filter(
            kind=OrgKind.BRANCH, dissolved_on__isnull=True
        ).order_by("path")
        self._style()


# --- development ----------------------------------------------------------------------------


@login_required
@permission_required("party.view_partymember", raise_exception=True)
def development_list(request):
    user = request.user
    today = timezone.localdate()
    org_id = request.GET.get("org")
    org = selectors.organization_for(user, int_or_404(org_id)) if org_id else None
    cases = _cases_for(user)
    if org is not None:
        cases = cases.filter(path_q("branch__path", org.path))
    cases = cases.order_by("branch__path", "applied_on", "pk")
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    rows = [
        {
            "case": case,
            "next": _step_view(development.next_step(services.case_facts(case), today=today)),
        }
        for case in page
    ]
    active = {c.pk: c for c in cases.exclude(stage__in=CLOSED_STAGES)}
    due = development.due_soon(
        ((pk, services.case_facts(c)) for pk, c in active.items()),
        today,
        within_days=DUE_WITHIN_DAYS,
    )
    return render(
        request,
        "party/development_list.html",
        {
            "org": org,
            "organizations": selectors.organizations_for(user).exclude(kind=OrgKind.GROUP),
            "page_obj": page,
            "rows": rows,
            "query": query_without_page(request),
            "due": [{"case": active[d.key], "next": _step_view(d.step)} for d in due],
            "due_days": DUE_WITHIN_DAYS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def development_create(request):
    user = request.user
    if not user.has_perm("party.change_partymember"):
        raise PermissionDenied("您没有办理发展党员的权限")
    form = CaseForm(request.POST or None, user=user, initial={"applied_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.open_development_case(
                user=user,
                officer=data["officer"],
                branch=data["branch"],
                applied_on=data["applied_on"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, aliases={"officer": "police_number"})
        else:
            messages.success(request, f"已登记 {case.officer.name} 的入党申请。")
            return redirect("party_membership:development-detail", case.pk)
    return render(request, "party/development_form.html", {"form": form})


@login_required
@permission_required("party.view_partymember", raise_exception=True)
@require_http_methods(["GET", "POST"])
def development_detail(request, pk: int):
    user = request.user
    case = _case_for(user, pk)
    today = timezone.localdate()
    step = development.next_step(services.case_facts(case), today=today)
    can_act = user.has_perm("party.change_partymember") and step.stage_to is not None
    initial = {
        "to": step.stage_to.value if step.stage_to else "",
        "on": today,
        "contacts": [c.pk for c in case.contacts.all()],
        "training_hours": case.training_hours,
        "political_review_done": case.political_review_done,
    }
    form = StepForm(request.POST or None, case=case, initial=initial) if can_act else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("您没有办理发展党员的权限")
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = services.advance_development(
                    user=user,
                    case=case,
                    to=data["to"],
                    on=data["on"],
                    contacts=list(data["contacts"]) or None,
                    training_hours=data["training_hours"],
                    political_review_done=data["political_review_done"],
                    note=data["note"].strip(),
                )
            except ValidationError as exc:
                add_service_errors(form, exc, aliases={"stage": "to"})
            else:
                messages.success(
                    request,
                    f"已记录 {saved.officer.name}:{saved.get_stage_display()}。",
                )
                return redirect("party_membership:development-detail", saved.pk)
    return render(
        request,
        "party/development_detail.html",
        {
            "case": case,
            "next": _step_view(step),
            "steps": case.steps.select_related("recorded_by").order_by("on", "id"),
            "form": form,
        },
    )


# --- transfers ------------------------------------------------------------------------------


@login_required
@permission_required("party.view_partymember", raise_exception=True)
def transfer_list(request):
    user = request.user
    transfers = _transfers_for(user).order_by(
        Case(
            When(status=TransferStatus.PENDING, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        "-issued_on",
        "-id",
    )
    page = Paginator(transfers, 50).get_page(request.GET.get("page"))
    can_change = user.has_perm("party.change_partymember")
    rows = [
        {
            "transfer": t,
            "can_decide": can_change
            and t.status == TransferStatus.PENDING
            and scope.can_see_unit(user, t.to_branch.unit),
        }
        for t in page
    ]
    return render(
        request,
        "party/transfer_list.html",
        {"page_obj": page, "rows": rows, "query": query_without_page(request)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def transfer_create(request):
    user = request.user
    if not user.has_perm("party.change_partymember"):
        raise PermissionDenied("您没有办理组织关系转接的权限")
    form = TransferForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            transfer = services.issue_transfer(
                user=user,
                member=data["member"],
                to_branch=data["to_branch"],
                letter_number=data["letter_number"].strip(),
                valid_days=data["valid_days"],
                note=data["note"].strip(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"已开具介绍信 {transfer.letter_number}:"
                f"{transfer.member.officer.name} 转往 {transfer.to_branch.name}。",
            )
            return redirect("party_membership:transfer-list")
    return render(request, "party/transfer_form.html", {"form": form})


@login_required
@require_POST
def transfer_decide(request, pk: int):
    user = request.user
    try:
        transfer = _transfers_for(user).get(pk=pk)
    except MembershipTransfer.DoesNotExist as exc:
        raise Http404("转接记录不存在或不在您的数据范围内") from exc
    decision = request.POST.get("decision")
    if decision not in ("accept", "reject"):
        raise Http404("参数有误")
    try:
        services.decide_transfer(
            user=user,
            transfer=transfer,
            accept=decision == "accept",
            note=request.POST.get("note", "").strip()[:300],
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        verb = "接收" if decision == "accept" else "退回"
        messages.success(
            request,
            f"已{verb} {transfer.member.officer.name} 的组织关系"
            f"(介绍信 {transfer.letter_number})。",
        )
    return redirect("party_membership:transfer-list")
