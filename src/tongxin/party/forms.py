"""Forms of the party pages: filters, and recording a meeting with its attendance.

The attendance rows are not a Django formset: who is expected depends on the organisation,
the kind and the date, so the rows are posted as ``attendance_member`` (one per row) with
``status-<id>`` and ``reason-<id>``; every posted id reaches the service, which refuses
anyone not expected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from . import selectors
from .models import Activity, AttendanceStatus, OrgKind, PartyMember, PartyOrganization


class _Styled:
    """Bootstrap classes on every widget (as in org.forms)."""

    def _style(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            widget.attrs.setdefault("class", css)


class OrgChoiceField(forms.ModelChoiceField):
    """Organisations indented by depth, so a long select still reads as a tree."""

    def label_from_instance(self, obj: PartyOrganization) -> str:
        return "\u3000" * obj.depth + obj.name


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: PartyMember) -> str:
        return f"{obj.officer.name}({obj.officer.police_number})"


def year_choices(today: dt.date, back: int = 6) -> list[tuple[int, str]]:
    return [(year, f"{year}年") for year in range(today.year, today.year - back, -1)]


class YearOrgForm(_Styled, forms.Form):
    """``?year=&org=`` of the compliance and statistics pages."""

    year = forms.TypedChoiceField(label="年度", coerce=int, required=False)
    org = OrgChoiceField(label="党组织", queryset=None, required=False, empty_label="全部")

    def __init__(self, *args, organizations: QuerySet, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = year_choices(today)
        self.fields["org"].queryset = organizations
        self._style()
        for field in self.fields.values():
            field.widget.attrs["data-autosubmit"] = ""


class MemberFilterForm(_Styled, forms.Form):
    q = forms.CharField(label="姓名/警号", required=False)
    org = OrgChoiceField(label="党组织", queryset=None, required=False, empty_label="全部")

    def __init__(self, *args, organizations: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = organizations
        self._style()


class ActivityFilterForm(_Styled, forms.Form):
    org = OrgChoiceField(label="党组织", queryset=None, required=False, empty_label="全部")
    kind = forms.ChoiceField(label="类型", required=False)
    date_from = forms.DateField(
        label="起始日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label="截止日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    q = forms.CharField(label="主题/记录", required=False)

    def __init__(self, *args, organizations: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = organizations
        self.fields["kind"].choices = [("", "全部"), *Activity._meta.get_field("kind").choices]
        self._style()

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "截止日期不能早于起始日期。")
        return data


RECORDING_KINDS = (OrgKind.BRANCH, OrgKind.GROUP, OrgKind.GENERAL_BRANCH, OrgKind.COMMITTEE)
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def host_candidates(user, organization: PartyOrganization | None, day: dt.date) -> QuerySet:
    """Who may be chosen as host: a committee's sitting members; a group's branch; otherwise
    the organisation's own members (a general branch: its whole subtree)."""
    if organization is None:
        return PartyMember.objects.none()
    if organization.kind == OrgKind.COMMITTEE:
        seated = selectors.seats_active_on(organization, day).values("member_id")
        return selectors.members_for(user).filter(pk__in=seated)
    if organization.kind == OrgKind.GROUP and organization.parent_id:
        return selectors.members_for(user).filter(organization_id=organization.parent_id)
    return selectors.members_for(user, organization=organization)


@dataclass
class AttendanceRow:
    """One expected member's row in the attendance table."""

    member: PartyMember
    status: str = AttendanceStatus.ABSENT
    reason: str = ""
    checked_in_at: dt.datetime | None = None


class ActivityForm(_Styled, forms.Form):
    """A meeting's record. The organisation cannot change on edit (the service keeps it)."""

    organization = OrgChoiceField(label="党组织", queryset=None)
    kind = forms.ChoiceField(label="类型")
    held_on = forms.DateField(
        label="日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    topic = forms.CharField(label="主题", max_length=200)
    host = MemberChoiceField(
        label="主持人/主讲人", queryset=None, required=False, empty_label="(未指定)"
    )
    location = forms.CharField(label="地点", max_length=100, required=False)
    minutes = forms.CharField(
        label="会议记录", required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    starts_at = forms.DateTimeField(
        label="签到开始时间",
        required=False,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text="可选:填写会议起止时间后,党员可在开始前30分钟至结束时扫码签到。",
    )
    ends_at = forms.DateTimeField(
        label="签到结束时间",
        required=False,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    # Fields whose change reloads the attendance rows (and the host choices).
    RELOADS = ("organization", "kind", "held_on")

    def __init__(self, *args, user, activity: Activity | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.activity = activity
        self.fields["organization"].queryset = selectors.organizations_for(user).filter(
            kind__in=RECORDING_KINDS
        )
        self.fields["kind"].choices = [("", "请选择"), *Activity._meta.get_field("kind").choices]
        if activity is not None and activity.pk:
            organization_field = self.fields["organization"]
            organization_field.disabled = True
            organization_field.initial = activity.organization_id
            self.fields["version"].initial = activity.updated_at.isoformat()
        organization, day = self.chosen_organization(), self.chosen_day()
        self.fields["host"].queryset = host_candidates(user, organization, day)
        self._style()
        # A change of any of these reloads the rows with htmx (attributes, no inline script).
        rows_url = reverse("party:attendance-rows")
        for name in self.RELOADS:
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": rows_url,
                    "hx-trigger": "change",
                    "hx-include": "closest form",
                    "hx-target": "#attendance-rows",
                    "hx-indicator": "#rows-indicator",
                }
            )

    # --- what the form currently says (bound or not), for the rows and the host choices ---

    def _raw(self, name: str):
        if self.is_bound and not self.fields[name].disabled:
            return self.data.get(self.add_prefix(name))
        return self.initial.get(name, self.fields[name].initial)

    def chosen_organization(self) -> PartyOrganization | None:
        raw = self._raw("organization")
        if isinstance(raw, PartyOrganization):
            return raw
        try:
            return self.fields["organization"].queryset.get(pk=int(raw))
        except (TypeError, ValueError, PartyOrganization.DoesNotExist):
            return None

    def chosen_kind(self) -> str:
        raw = self._raw("kind") or ""
        return raw if raw in dict(self.fields["kind"].choices) else ""

    def chosen_day(self) -> dt.date:
        raw = self._raw("held_on")
        if isinstance(raw, dt.date):
            return raw
        try:
            return dt.date.fromisoformat(str(raw))
        except ValueError:
            return timezone.localdate()

    # --- attendance ---

    def posted_attendance(self) -> tuple[dict[int, tuple[str, str]], list[str]]:
        """``{member id: (status, reason)}`` as posted, and the errors of the rows' shape."""
        rows: dict[int, tuple[str, str]] = {}
        problems: list[str] = []
        valid = set(AttendanceStatus.values)
        for raw in self.data.getlist("attendance_member"):
            try:
                member_id = int(raw)
            except (TypeError, ValueError):
                problems.append("出席名单有误,请刷新页面后重新填写。")
                continue
            status = self.data.get(f"status-{member_id}", AttendanceStatus.ABSENT)
            if status not in valid:
                problems.append("出席情况只能是出席、请假或缺席。")
                continue
            rows[member_id] = (status, self.data.get(f"reason-{member_id}", "")[:200])
        return rows, problems

    def attendance_rows(self) -> list[AttendanceRow]:
        """One row per expected member for what the form currently says, carrying what was
        posted (or, on edit, what was recorded); a member not yet in the table starts as
        present, so the secretary marks only the exceptions."""
        organization, kind = self.chosen_organization(), self.chosen_kind()
        if organization is None or not kind:
            return []
        expected = selectors.expected_members(organization, kind, self.chosen_day()).order_by(
            "officer__police_number"
        )
        if self.is_bound:
            given, _ = self.posted_attendance()
            known = {k: (status, reason, None) for k, (status, reason) in given.items()}
        elif self.activity is not None and self.activity.pk:
            known = {
                a.member_id: (a.status, a.reason, a.checked_in_at)
                for a in self.activity.attendance.all()
            }
        else:
            known = {}
        rows = []
        for member in expected:
            status, reason, checked_in_at = known.get(
                member.pk,
                (AttendanceStatus.PRESENT, "", None),
            )
            rows.append(AttendanceRow(member, status, reason, checked_in_at))
        return rows

    def clean(self):
        data = super().clean()
        _, problems = self.posted_attendance()
        for problem in dict.fromkeys(problems):
            self.add_error(None, problem)
        return data
