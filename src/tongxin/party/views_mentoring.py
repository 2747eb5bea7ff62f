"""The "1+N" mentoring page (党员联系支委): a branch's sitting committee members each with the
members they keep in touch with, the members without one highlighted, the coverage figure,
and for party affairs staff a form per member that writes through ``services.assign_mentor``.

An organisation outside the user's scope is a 404, as on every other party page.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from tongxin.web.pages import add_service_errors, int_or_404

from . import reports, selectors, services
from .forms import MemberChoiceField, _Styled
from .models import CommitteePost, OrgKind, PartyMember, PartyOrganization


def _branches_for(user):
    return selectors.organizations_for(user).filter(kind=OrgKind.BRANCH)


def _branch_for(user, pk) -> PartyOrganization:
    branch = selectors.organization_for(user, int_or_404(pk))
    if branch.kind != OrgKind.BRANCH:
        raise Http404("请选择党支部")
    return branch


class MentorForm(_Styled, forms.Form):
    mentor = MemberChoiceField(label="联系支委", queryset=PartyMember.objects.none())
    replace = forms.BooleanField(
        label="更换联系人", required=False, help_text="已有联系支委时,勾选后方可更换"
    )

    def __init__(self, *args, member: PartyMember, committee, loaded=None, **kwargs):
        """``committee`` validates the choice; ``loaded``, the sitting committee already
        read with their officers, lists it, so that a page of rows costs no query each."""
        super().__init__(*args, auto_id=f"mentor-{member.pk}-%s", **kwargs)
        self.member = member
        field = self.fields["mentor"]
        field.queryset = committee.exclude(pk=member.pk)
        if loaded is not None:
            field.choices = [("", field.empty_label)] + [
                (m.pk, field.label_from_instance(m)) for m in loaded if m.pk != member.pk
            ]
        if member.mentor_id:
            self.fields["mentor"].initial = member.mentor_id
        self._style()
        self.fields["mentor"].widget.attrs["class"] = "form-select form-select-sm"


POST_ORDER = {post: i for i, post in enumerate(CommitteePost.values)}


def _committee_members(branch: PartyOrganization, today) -> list[PartyMember]:
    """The sitting committee, 书记 first, then 副书记, then 委员; each with ``post_display``."""
    seats = sorted(
        selectors.seats_active_on(branch, today),
        key=lambda s: (POST_ORDER.get(s.post, len(POST_ORDER)), s.started_on, s.pk),
    )
    seen, committee = set(), []
    for seat in seats:
        if seat.member_id not in seen:
            seen.add(seat.member_id)
            seat.member.post_display = seat.get_post_display()
            committee.append(seat.member)
    return committee


def _coverage(user, branch: PartyOrganization) -> dict | None:
    for row in reports.mentoring_coverage(user, root=branch):
        if row["organization_id"] == branch.pk:
            coverage = row["coverage"]
            return {**row, "percent": f"{coverage * 100:.0f}%" if coverage is not None else "—"}
    return None


@login_required
@permission_required("party.view_partymember", raise_exception=True)
@require_http_methods(["GET", "POST"])
def branch_mentoring(request):
    user = request.user
    today = timezone.localdate()
    branches = _branches_for(user)
    org_id = request.GET.get("org")
    branch = _branch_for(user, org_id) if org_id else branches.first()
    if branch is None:
        if request.method == "POST":
            raise Http404("参数有误")
        return render(request, "party/mentoring.html", {"branch": None})
    can_assign = user.has_perm("party.change_partymember")
    committee = _committee_members(branch, today)
    committee_ids = {m.pk for m in committee}
    committee_qs = PartyMember.objects.select_related("officer").filter(pk__in=committee_ids)
    members = selectors.members_for(user, organization=branch)
    here = f"{reverse('party_mentoring:branch')}?org={branch.pk}"

    bound: MentorForm | None = None
    if request.method == "POST":
        if not can_assign:
            raise PermissionDenied("您没有调整联系支委的权限")
        target = members.filter(pk=int_or_404(request.POST.get("member"))).first()
        if target is None:
            raise Http404("党员不存在或不在您的数据范围内")
        bound = MentorForm(request.POST, member=target, committee=committee_qs)
        if bound.is_valid():
            mentor = bound.cleaned_data["mentor"]
            try:
                services.assign_mentor(
                    user=user,
                    member=target,
                    mentor=mentor,
                    replace=bound.cleaned_data["replace"],
                )
            except ValidationError as exc:
                add_service_errors(bound, exc)
            else:
                messages.success(
                    request, f"已确定由{mentor.officer.name}联系{target.officer.name}。"
                )
                return redirect(here)

    member_list = list(members)
    groups = [
        {"mentor": m, "mentees": [x for x in member_list if x.mentor_id == m.pk]} for m in committee
    ]
    rows = []
    for member in member_list:
        if member.pk in committee_ids:
            continue
        form = None
        if can_assign:
            form = (
                bound
                if bound is not None and bound.member.pk == member.pk
                else MentorForm(member=member, committee=committee_qs, loaded=committee)
            )
        rows.append(
            {
                "member": member,
                "missing": member.mentor_id is None,
                "stale": member.mentor_id is not None and member.mentor_id not in committee_ids,
                "form": form,
            }
        )
    return render(
        request,
        "party/mentoring.html",
        {
            "branch": branch,
            "branches": branches,
            "groups": groups,
            "rows": rows,
            "missing": sum(1 for r in rows if r["missing"]),
            "coverage": _coverage(user, branch),
            "can_assign": can_assign and bool(committee),
        },
    )
