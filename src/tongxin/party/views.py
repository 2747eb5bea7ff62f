"""智慧党建 pages: thin, they call selectors, reports and services.

Every read goes through the party selectors (scoped to the user: an organisation outside the
scope is a 404); every write through ``services`` (which check permission and scope again and
audit). Exports are audited here, like the org app's.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict

import segno
from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from tongxin.audit.services import record
from tongxin.org import excel
from tongxin.web import charts
from tongxin.web.pages import add_service_errors, int_or_404, query_without_page, xlsx_response

from . import compliance, member_selectors, reports, selectors, services
from .compliance import ComplianceState
from .forms import (
    ActivityFilterForm,
    ActivityForm,
    MemberFilterForm,
    YearOrgForm,
    year_choices,
)
from .models import Activity, ActivityKind, AttendanceStatus, CommitteePost

STATE_CSS = {
    ComplianceState.DONE: "text-bg-success",
    ComplianceState.UPCOMING: "text-bg-warning",
    ComplianceState.OVERDUE: "text-bg-danger",
    ComplianceState.NOT_APPLICABLE: "text-bg-light",
}
SEAT_ORDER = {CommitteePost.SECRETARY: 0, CommitteePost.DEPUTY: 1, CommitteePost.MEMBER: 2}
CHILDREN_BREAKDOWN_LIMIT = 30
REMINDERS_SHOWN = 20
COVERAGE_SHOWN = 100

FIGURE_LABELS = reports.FIGURE_LABELS
# Counts of today, not of a year: shown without a previous year or a change.
CURRENT_FIGURES = ("organizations", "members")


# --- helpers ------------------------------------------------------------------------------


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


def _signed_percent(value: float | None) -> str:
    return "" if value is None else f"{value:+.1%}"


def _year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _year_and_root(request):
    """The ``?year=&org=`` of the report pages: the form, the year, the root (or ``None``)."""
    today = timezone.localdate()
    form = YearOrgForm(
        request.GET or None, organizations=selectors.organizations_for(request.user), today=today
    )
    year, root = today.year, None
    if form.is_bound:
        # An organisation outside the scope is not a choice: 404, as on every other page.
        org_id = request.GET.get("org")
        if org_id:
            root = selectors.organization_for(request.user, int_or_404(org_id))
        if form.is_valid() and form.cleaned_data.get("year"):
            year = form.cleaned_data["year"]
    return form, year, root


def _year(request, today: dt.date) -> int:
    """``?year=`` within the years offered; anything else is this year."""
    years = {y for y, _ in year_choices(today)}
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return today.year
    return year if year in years else today.year


# --- home and organisations ---------------------------------------------------------------


@login_required
def home(request):
    """The user's top organisations with head counts and this year's compliance so far."""
    user = request.user
    if not user.has_perm("party.view_partyorganization"):
        if selectors.member_of_user(user) is not None:
            return redirect("party:me")
        raise PermissionDenied("您没有查看党建信息的权限")
    today = timezone.localdate()
    tops = selectors.top_organizations(user)
    report = reports.compliance_report(
        user, root=None, start=dt.date(today.year, 1, 1), end=today, today=today
    )
    counts = member_selectors.member_counts_by_subtree(user, tops)
    month_end = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    due = compliance.due_reminders(report.statuses, today, within_days=(month_end - today).days)
    names = {o.pk: o.name for o in report.organizations}
    return render(
        request,
        "party/home.html",
        {
            "year": today.year,
            "cards": [
                {"org": o, "members": counts.get(o.pk, 0), "rate": report.rate_of(o.pk)}
                for o in tops
            ],
            "reminders": [
                {
                    "org_id": s.org_id,
                    "org_name": names.get(s.org_id, ""),
                    "text": compliance.explain(s),
                }
                for s in due[:REMINDERS_SHOWN]
            ],
            "reminder_count": len(due),
            "member": selectors.member_of_user(user),
        },
    )


def _compliance_table(statuses: list[compliance.Status]) -> list[dict]:
    """Rows of requirements, each with cells spanning their periods' months (1–12)."""
    rows: dict[str, dict] = {}
    for status in statuses:
        row = rows.setdefault(
            status.requirement.key, {"requirement": status.requirement, "cells": []}
        )
        row["cells"].append(
            {
                "status": status,
                "span": status.requirement.frequency.months,
                "css": STATE_CSS[status.state],
                "title": compliance.explain(status),
                "label": status.state.label,
            }
        )
    return list(rows.values())


@login_required
@permission_required("party.view_partyorganization", raise_exception=True)
def org_detail(request, pk: int):
    user = request.user
    org = selectors.organization_for(user, pk)
    today = timezone.localdate()
    year = _year(request, today)
    start, end = _year_bounds(year)
    report = reports.compliance_report(user, root=org, start=start, end=end, today=today)
    children = list(selectors.organizations_for(user).filter(parent=org))
    counts = member_selectors.member_counts_by_subtree(user, [org, *children])
    return render(
        request,
        "party/org_detail.html",
        {
            "org": org,
            "year": year,
            "years": [y for y, _ in year_choices(today)],
            "ancestors": selectors.organizations_for(user).filter(
                path__in=org.ancestor_paths()[:-1]
            ),
            "seats": sorted(
                selectors.seats_active_on(org, today), key=lambda s: SEAT_ORDER.get(s.post, 9)
            ),
            "member_count": counts.get(org.pk, 0),
            "rate": report.rate_of(org.pk),
            "children": [
                {"org": c, "members": counts.get(c.pk, 0), "rate": report.rate_of(c.pk)}
                for c in children
            ],
            "table": _compliance_table(report.statuses_of(org.pk)),
            "months": range(1, 13),
            "states": [(STATE_CSS[s], s.label) for s in ComplianceState],
            "activities": selectors.activities_for(user, organization=org)[:10],
        },
    )


@login_required
@permission_required("party.view_partymember", raise_exception=True)
def member_list(request):
    user = request.user
    form = MemberFilterForm(request.GET or None, organizations=selectors.organizations_for(user))
    org_id = request.GET.get("org")
    org = selectors.organization_for(user, int_or_404(org_id)) if org_id else None
    q = form.cleaned_data.get("q", "") if form.is_valid() else ""
    members = selectors.members_for(user, organization=org, q=q.strip())
    page = Paginator(members, 50).get_page(request.GET.get("page"))
    coverage = reports.mentoring_coverage(user, root=org)
    return render(
        request,
        "party/member_list.html",
        {
            "form": form,
            "org": org,
            "page_obj": page,
            "query": query_without_page(request),
            "coverage": coverage[:COVERAGE_SHOWN],
            "coverage_more": max(len(coverage) - COVERAGE_SHOWN, 0),
        },
    )


# --- activities ---------------------------------------------------------------------------


def _activity_filters(request):
    user = request.user
    form = ActivityFilterForm(request.GET or None, organizations=selectors.organizations_for(user))
    org_id = request.GET.get("org")
    org = selectors.organization_for(user, int_or_404(org_id)) if org_id else None
    data = form.cleaned_data if form.is_valid() else {}
    activities = selectors.activities_for(
        user,
        organization=org,
        kind=data.get("kind", ""),
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        q=data.get("q", "").strip(),
    )
    return form, org, activities


@login_required
@permission_required("party.view_activity", raise_exception=True)
def activity_list(request):
    form, org, activities = _activity_filters(request)
    page = Paginator(activities, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "party/activity_list.html",
        {"form": form, "org": org, "page_obj": page, "query": query_without_page(request)},
    )


ACTIVITY_COLUMNS = (
    excel.Column("日期", "held_on", width=12),
    excel.Column("党组织", "organization", width=28),
    excel.Column("类型", "kind", width=16),
    excel.Column("主题", "topic", width=36),
    excel.Column("主持人/主讲人", "host", width=12),
    excel.Column("地点", "location", width=14),
    excel.Column("应到", "expected_count", width=8),
    excel.Column("实到", "present_count", width=8),
    excel.Column("请假", "excused_count", width=8),
    excel.Column("参会率", "participation_rate", width=10),
    excel.Column("未达三分之二", "below_quorum", width=12),
)


@login_required
@permission_required("party.view_activity", raise_exception=True)
def activity_export(request):
    _, org, activities = _activity_filters(request)
    kinds = dict(Activity._meta.get_field("kind").choices)
    # Plain tuples, not model instances: a province's five years are over 100,000 rows.
    values = activities.values_list(
        "held_on",
        "organization__name",
        "kind",
        "topic",
        "host__officer__name",
        "location",
        "expected_count",
        "present_count",
        "excused_count",
    )

    def row(held_on, org_name, kind, topic, host, location, expected, present, excused):
        # The quorum rule is the model's; an unsaved instance carries the three fields it reads.
        quorum = Activity(kind=kind, expected_count=expected, present_count=present)
        return [
            held_on,
            org_name,
            kinds.get(kind, kind),
            topic,
            host or "",
            location,
            expected,
            present,
            excused,
            _percent(quorum.participation_rate),
            "是" if quorum.below_quorum else "",
        ]

    rows = (row(*values_row) for values_row in values.iterator(chunk_size=5000))
    content = excel.write_rows(ACTIVITY_COLUMNS, rows, "组织生活")
    record(
        actor=request.user,
        action="party.activity.export",
        unit=org.unit if org else None,
        summary=f"导出组织生活记录{'(' + org.name + ')' if org else ''}",
    )
    return xlsx_response(content, f"组织生活-{timezone.localdate():%Y%m%d}.xlsx")


def _presences(form) -> list[services.Presence]:
    rows, _ = form.posted_attendance()
    return [
        services.Presence(member_id, status, reason) for member_id, (status, reason) in rows.items()
    ]


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request, pk: int | None = None):
    """Record a meeting (``pk`` is ``None``) or correct one; the attendance rows come along."""
    user = request.user
    activity = selectors.activity_for(user, pk) if pk else None
    perm = "party.change_activity" if pk else "party.add_activity"
    if not user.has_perm(perm):
        raise PermissionDenied("您没有记录组织生活的权限")
    initial = {}
    if activity is not None:
        initial = {
            "kind": activity.kind,
            "held_on": activity.held_on,
            "topic": activity.topic,
            "host": activity.host_id,
            "location": activity.location,
            "minutes": activity.minutes,
            "starts_at": timezone.localtime(activity.starts_at) if activity.starts_at else None,
            "ends_at": timezone.localtime(activity.ends_at) if activity.ends_at else None,
        }
    elif request.GET.get("org"):
        initial["organization"] = selectors.organization_for(
            user, int_or_404(request.GET["org"])
        ).pk
    if activity is None:
        initial.setdefault("held_on", timezone.localdate())
    form = ActivityForm(request.POST or None, user=user, activity=activity, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {
            "kind": data["kind"],
            "held_on": data["held_on"],
            "topic": data["topic"],
            "host": data["host"],
            "location": data["location"],
            "minutes": data["minutes"],
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
        }
        try:
            if activity is not None:
                version = data.get("version")
                saved = services.update_activity(
                    user=user,
                    activity=activity,
                    expected_updated_at=dt.datetime.fromisoformat(version) if version else None,
                    presences=_presences(form),
                    **fields,
                )
            else:
                saved = services.record_activity(
                    user=user,
                    organization=data["organization"],
                    presences=_presences(form),
                    **fields,
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已保存{saved.get_kind_display()}记录:{saved.topic}。")
            return redirect("party:activity-detail", saved.pk)
    return render(
        request,
        "party/activity_form.html",
        {
            "form": form,
            "activity": activity,
            "rows": form.attendance_rows(),
            "statuses": AttendanceStatus.choices,
        },
    )


@login_required
@require_http_methods(["GET"])
def attendance_rows(request):
    """The attendance table for the form's organisation, kind and date (loaded by htmx), with
    the host choices swapped out of band."""
    user = request.user
    if not (user.has_perm("party.add_activity") or user.has_perm("party.change_activity")):
        raise PermissionDenied("您没有记录组织生活的权限")
    form = ActivityForm(request.GET, user=user)
    return render(
        request,
        "party/_attendance_rows.html",
        {
            "form": form,
            "rows": form.attendance_rows(),
            "statuses": AttendanceStatus.choices,
            "host_out_of_band": True,
        },
    )


def _checkin_url(request, activity: Activity) -> str:
    return request.build_absolute_uri(reverse("party:checkin", args=[activity.checkin_token]))


@login_required
@permission_required("party.view_activity", raise_exception=True)
def activity_detail(request, pk: int):
    activity = selectors.activity_for(request.user, pk)
    groups = defaultdict(list)
    for attendance in activity.attendance.all():
        groups[attendance.status].append(attendance)
    window = services.checkin_window(activity)
    qr_svg = checkin_url = None
    if window is not None:
        checkin_url = _checkin_url(request, activity)
        # Presentation attributes only (no style=""), so the CSP lets it render inline.
        qr_svg = segno.make(checkin_url, error="m").svg_inline(scale=4, title="签到二维码")
    now = timezone.now()
    return render(
        request,
        "party/activity_detail.html",
        {
            "activity": activity,
            "groups": [(label, groups.get(value, [])) for value, label in AttendanceStatus.choices],
            "window": window,
            "window_open": window is not None and window[0] <= now <= window[1],
            "checkin_url": checkin_url,
            "qr_svg": qr_svg,
        },
    )


# --- check-in and the member's own page (phone) ------------------------------------------


def _window_state(window, now) -> str:
    if window is None:
        return "本次活动未开放扫码签到"
    opens, closes = window
    if now < opens:
        return f"签到尚未开始,{timezone.localtime(opens):%m月%d日 %H:%M} 起可签到"
    if now > closes:
        return "签到已结束"
    return f"正在签到,{timezone.localtime(closes):%H:%M} 截止"


@login_required
@require_http_methods(["GET", "POST"])
def checkin(request, token: str):
    """The page a member's phone opens from the QR code; signing in first returns here."""
    activity = member_selectors.activity_by_token(token)
    result = error = None
    if request.method == "POST":
        try:
            result = services.check_in(user=request.user, token=token)
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            activity.refresh_from_db()
    window = services.checkin_window(activity)
    now = timezone.now()
    return render(
        request,
        "party/checkin.html",
        {
            "activity": activity,
            "window": window,
            "window_state": _window_state(window, now),
            "window_open": window is not None and window[0] <= now <= window[1],
            "result": result,
            "error": error,
        },
    )


@login_required
def me(request):
    """我的党建: the signed-in member's branch, meetings, open check-ins, study and dues."""
    member = selectors.member_of_user(request.user)
    if member is None:
        return render(request, "party/me.html", {"member": None})
    today, now = timezone.localdate(), timezone.now()
    open_now = list(member_selectors.open_checkins(member, now))
    attended = {
        a.activity_id: a for a in member.attendance.filter(activity__in=[o.pk for o in open_now])
    }
    return render(
        request,
        "party/me.html",
        {
            "member": member,
            "year": today.year,
            "recent": selectors.member_activities(member, limit=10),
            "open_now": [(o, attended.get(o.pk)) for o in open_now],
            "study_hours": member_selectors.study_hours(member, today.year),
            "attendance": member_selectors.attendance_summary(member, today.year),
            "dues": member_selectors.dues_summary(member, today),
        },
    )


# --- compliance and statistics ------------------------------------------------------------


def _compliance_rows(request):
    """The overview's rows: each organisation under the root with its roll-up and rate."""
    user = request.user
    form, year, root = _year_and_root(request)
    start, end = _year_bounds(year)
    report = reports.compliance_report(
        user, root=root, start=start, end=end, today=timezone.localdate()
    )
    base = min((o.depth for o in report.organizations), default=0)
    rows = [
        {
            "org": o,
            "indent": min(o.depth - base, 4),
            "done": report.rollup.get(o.pk, {}).get("done", 0),
            "overdue": report.rollup.get(o.pk, {}).get("overdue", 0),
            "upcoming": report.rollup.get(o.pk, {}).get("upcoming", 0),
            "rate": report.rate_of(o.pk),
        }
        for o in report.organizations
    ]
    sort = request.GET.get("sort", "")
    if sort in ("rate", "-rate"):
        # Organisations with nothing judged yet go last either way.
        judged = [r for r in rows if r["rate"] is not None]
        judged.sort(key=lambda r: r["rate"], reverse=sort == "-rate")
        rows = judged + [r for r in rows if r["rate"] is None]
    return form, year, root, report, rows, sort


@login_required
@permission_required("party.view_activity", raise_exception=True)
def compliance_overview(request):
    form, year, root, report, rows, sort = _compliance_rows(request)
    query = request.GET.copy()
    query.pop("sort", None)
    return render(
        request,
        "party/compliance.html",
        {
            "form": form,
            "year": year,
            "root": root,
            "rows": rows,
            "rate": report.rate,
            "sort": sort,
            "query": query.urlencode(),
            "export_query": request.GET.urlencode(),
        },
    )


COMPLIANCE_COLUMNS = (
    excel.Column("党组织", "name", width=36),
    excel.Column("类别", "kind", width=10),
    excel.Column("层级", "depth", width=6),
    excel.Column("已完成", "done", width=8),
    excel.Column("已逾期", "overdue", width=8),
    excel.Column("待完成", "upcoming", width=8),
    excel.Column("完成率", "rate", width=10),
)


@login_required
@permission_required("party.view_activity", raise_exception=True)
def compliance_export(request):
    _, year, root, _, rows, _ = _compliance_rows(request)
    content = excel.write_rows(
        COMPLIANCE_COLUMNS,
        (
            [
                "\u3000" * r["indent"] + r["org"].name,
                r["org"].get_kind_display(),
                r["indent"],
                r["done"],
                r["overdue"],
                r["upcoming"],
                _percent(r["rate"]),
            ]
            for r in rows
        ),
        f"{year}年组织生活落实",
    )
    record(
        actor=request.user,
        action="party.compliance.export",
        unit=root.unit if root else None,
        summary=f"导出{year}年组织生活落实情况{'(' + root.name + ')' if root else ''}",
    )
    return xlsx_response(content, f"组织生活落实-{year}.xlsx")


def _breakdown_orgs(user, root) -> list:
    """The organisations one level below the root (or below the user's single top)."""
    if root is None:
        tops = selectors.top_organizations(user)
        if len(tops) != 1:
            return tops
        root = tops[0]
    return list(selectors.organizations_for(user).filter(parent=root))


def _statistics(request):
    """Figures of the year with the previous year and the change, and per child organisation
    the figures of the year. ``party_figures`` is seven queries per child, so the breakdown is
    computed only for up to ``CHILDREN_BREAKDOWN_LIMIT`` children (the bureau has about 17
    prison committees; a prison's committee a few dozen branches at most)."""
    user = request.user
    form, year, root = _year_and_root(request)
    figures = reports.figures_with_change(user, root=root, year=year, today=timezone.localdate())
    children = _breakdown_orgs(user, root)
    start, end = _year_bounds(year)
    too_many = len(children) > CHILDREN_BREAKDOWN_LIMIT
    breakdown = (
        []
        if too_many
        else [
            (child, reports.party_figures(user, root=child, start=start, end=end))
            for child in children
        ]
    )
    return form, year, root, figures, breakdown, too_many


BREAKDOWN_FIGURES = (
    "members",
    "three_meetings_one_lecture",
    "themed_day",
    "lecture",
    "life_meeting",
    "participation_rate",
    "study_sessions",
    "study_person_hours",
    "dues_collected",
)


def _figure_text(name: str, value) -> str:
    if name == "participation_rate":
        return _percent(value)
    if isinstance(value, float):
        return f"{value:,.2f}" if name == "dues_collected" else f"{value:,.1f}"
    return f"{value:,}"


@login_required
@permission_required("party.view_party_statistics", raise_exception=True)
def statistics(request):
    form, year, root, figures, breakdown, too_many = _statistics(request)
    rows = [
        {
            "name": name,
            "label": FIGURE_LABELS[name],
            "value": _figure_text(name, item["value"]) if item["value"] is not None else "—",
            "previous": ""
            if name in CURRENT_FIGURES
            else (_figure_text(name, item["previous"]) if item["previous"] is not None else "—"),
            "change": None if name in CURRENT_FIGURES else item["change"],
            "change_text": _signed_percent(item["change"]),
        }
        for name, item in ((n, figures[n]) for n in FIGURE_LABELS)
    ]
    return render(
        request,
        "party/statistics.html",
        {
            "form": form,
            "year": year,
            "root": root,
            "rows": rows,
            "headers": [FIGURE_LABELS[n] for n in BREAKDOWN_FIGURES],
            "breakdown": [
                (child, [_figure_text(n, getattr(f, n)) for n in BREAKDOWN_FIGURES])
                for child, f in breakdown
            ],
            "too_many": too_many,
            "limit": CHILDREN_BREAKDOWN_LIMIT,
            "export_query": request.GET.urlencode(),
            "chart_series": [(key, title) for key, (title, _) in CHART_SERIES.items()][:2],
        },
    )


@login_required
@permission_required("party.view_party_statistics", raise_exception=True)
def statistics_export(request):
    _, year, root, figures, breakdown, _ = _statistics(request)
    names = list(FIGURE_LABELS)
    columns = (
        excel.Column("范围", "scope", width=30),
        excel.Column("年度", "year", width=10),
        *(excel.Column(FIGURE_LABELS[n], n, width=12) for n in names),
    )
    scope_name = root.name if root else "全部"

    def plain(name, value):
        return _percent(value) if name == "participation_rate" else value

    rows = [
        [scope_name, f"{year}年", *(plain(n, figures[n]["value"]) for n in names)],
        [scope_name, f"{year - 1}年", *(plain(n, figures[n]["previous"]) for n in names)],
        [scope_name, "同比", *(_percent(figures[n]["change"]) for n in names)],
        *(
            [child.name, f"{year}年", *(plain(n, getattr(f, n)) for n in names)]
            for child, f in breakdown
        ),
    ]
    content = excel.write_rows(columns, rows, f"{year}年党建统计")
    record(
        actor=request.user,
        action="party.statistics.export",
        unit=root.unit if root else None,
        summary=f"导出{year}年党建统计({scope_name})",
    )
    return xlsx_response(content, f"党建统计-{year}.xlsx")


CHART_SERIES = {
    "three_meetings_one_lecture": ("“三会一课”", compliance.THREE_MEETINGS_ONE_LECTURE),
    "themed_day": ("主题党日", (ActivityKind.THEMED_DAY,)),
    "life_meeting": ("组织生活会", (ActivityKind.LIFE_MEETING,)),
    "core_group_study": ("中心组学习", (ActivityKind.CORE_GROUP_STUDY,)),
}


@login_required
@permission_required("party.view_party_statistics", raise_exception=True)
@csp_update({"style-src": [UNSAFE_INLINE]})  # the SVG's own stylesheet; images run no script
def statistics_chart(request, series: str):
    """Monthly counts of one kind of organisational life, this year against last, as SVG."""
    if series not in CHART_SERIES:
        raise Http404("没有这种图表")
    _, year, root = _year_and_root(request)
    title, kinds = CHART_SERIES[series]
    counts = reports.monthly_activity_counts(request.user, root=root, year=year, kinds=kinds)
    svg = charts.monthly_bars(
        f"{title}(按月){' · ' + root.name if root else ''}",
        {f"{year}年": counts[year], f"{year - 1}年": counts[year - 1]},
    )
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
