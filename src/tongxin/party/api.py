"""智慧党建 over the API: scoped querysets, writes through the party services.

Register under the ``party/`` prefix (see the lead's wiring): organisations, members,
activities (with ``checkin``), and the member's own summary, compliance and statistics as
list-only viewsets so that they sit in the router beside the others.
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from tongxin.org.tree import path_q

from . import member_selectors, reports, selectors, services
from .models import (
    ACTIVITY_KIND_CHOICES,
    Activity,
    AttendanceStatus,
    MemberStatus,
    OrgKind,
    PartyMember,
    PartyOrganization,
)


def perm_required(perm: str) -> type[BasePermission]:
    """A DRF permission: the user holds ``perm`` (the data scope is the selectors')."""

    class HasPerm(BasePermission):
        message = "您没有执行此操作的权限"

        def has_permission(self, request, view) -> bool:
            return bool(request.user and request.user.has_perm(perm))

    HasPerm.__name__ = f"HasPerm_{perm.replace('.', '_')}"
    return HasPerm


def _year_and_root(request) -> tuple[int, PartyOrganization | None]:
    """``?year=&org=``: a bad year is a 400; an organisation outside the scope a 404."""
    today = timezone.localdate()
    raw_year = request.query_params.get("year") or str(today.year)
    try:
        year = int(raw_year)
    except ValueError as exc:
        raise serializers.ValidationError({"year": ["年度须为四位数字。"]}) from exc
    if not 2000 <= year <= today.year + 1:
        raise serializers.ValidationError({"year": [f"年度须在2000至{today.year + 1}之间。"]})
    org_id = request.query_params.get("org")
    root = None
    if org_id:
        try:
            root = selectors.organization_for(request.user, int(org_id))
        except ValueError as exc:
            raise Http404("党组织不存在或不在您的数据范围内") from exc
    return year, root


# --- organisations ------------------------------------------------------------------------


class PartyOrganizationSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = PartyOrganization
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "kind_display",
            "parent",
            "depth",
            "unit",
            "unit_name",
            "established_on",
            "dissolved_on",
            "is_pilot",
        ]
        read_only_fields = fields


class PartyOrganizationFilter(django_filters.FilterSet):
    under = django_filters.NumberFilter(method="filter_under", label="某党组织及其全部下级")

    class Meta:
        model = PartyOrganization
        fields = ["kind", "parent", "is_pilot"]

    def filter_under(self, queryset, name, value):
        org = selectors.organization_for(self.request.user, value)
        return queryset.filter(path_q("path", org.path))


class PartyOrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    """Party organisations in the user's scope. ``?under=ID`` lists a whole subtree."""

    serializer_class = PartyOrganizationSerializer
    filterset_class = PartyOrganizationFilter
    permission_classes = [IsAuthenticated, perm_required("party.view_partyorganization")]
    search_fields = ["name", "code"]
    ordering_fields = ["path", "code", "name"]

    def get_queryset(self):
        return selectors.organizations_for(self.request.user)


# --- members ------------------------------------------------------------------------------


class PartyMemberSerializer(serializers.ModelSerializer):
    """No dues base (a salary figure) and no ID number: the officer's page has those."""

    name = serializers.CharField(source="officer.name", read_only=True)
    police_number = serializers.CharField(source="officer.police_number", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    group_name = serializers.CharField(source="group.name", read_only=True, default="")
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    mentor_name = serializers.CharField(source="mentor.officer.name", read_only=True, default="")

    class Meta:
        model = PartyMember
        fields = [
            "id",
            "name",
            "police_number",
            "organization",
            "organization_name",
            "group",
            "group_name",
            "status",
            "status_display",
            "joined_on",
            "full_on",
            "mentor",
            "mentor_name",
            "is_active",
        ]
        read_only_fields = fields


class PartyMemberFilter(django_filters.FilterSet):
    organization = django_filters.NumberFilter(
        method="filter_organization", label="党组织(支部、小组,或党委、总支的全部下级)"
    )
    status = django_filters.ChoiceFilter(choices=MemberStatus.choices)

    class Meta:
        model = PartyMember
        fields = ["status"]

    def filter_organization(self, queryset, name, value):
        org = selectors.organization_for(self.request.user, value)
        if org.kind == OrgKind.GROUP:
            return queryset.filter(group=org)
        if org.kind == OrgKind.BRANCH:
            return queryset.filter(organization=org)
        return queryset.filter(path_q("organization__path", org.path))


class PartyMemberViewSet(viewsets.ReadOnlyModelViewSet):
    """Active party members in the user's scope."""

    serializer_class = PartyMemberSerializer
    filterset_class = PartyMemberFilter
    permission_classes = [IsAuthenticated, perm_required("party.view_partymember")]
    search_fields = ["officer__name", "officer__police_number"]
    ordering_fields = ["officer__police_number", "joined_on"]

    def get_queryset(self):
        return selectors.members_for(self.request.user)


# --- activities ---------------------------------------------------------------------------


class ActivitySerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    host_name = serializers.CharField(source="host.officer.name", read_only=True, default="")
    participation_rate = serializers.FloatField(read_only=True)
    below_quorum = serializers.BooleanField(read_only=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "organization",
            "organization_name",
            "kind",
            "kind_display",
            "held_on",
            "topic",
            "location",
            "host",
            "host_name",
            "by_secretary",
            "starts_at",
            "ends_at",
            "expected_count",
            "present_count",
            "excused_count",
            "participation_rate",
            "below_quorum",
            "updated_at",
        ]
        read_only_fields = fields


class AttendanceOutSerializer(serializers.Serializer):
    member = serializers.IntegerField(source="member_id")
    name = serializers.CharField(source="member.officer.name")
    status = serializers.CharField()
    reason = serializers.CharField()
    checked_in_at = serializers.DateTimeField()


class ActivityDetailSerializer(ActivitySerializer):
    attendance = AttendanceOutSerializer(many=True, read_only=True)
    attachments = serializers.SerializerMethodField()
    checkin_url = serializers.SerializerMethodField()

    class Meta(ActivitySerializer.Meta):
        fields = [
            *ActivitySerializer.Meta.fields,
            "minutes",
            "attendance",
            "attachments",
            "checkin_url",
        ]
        read_only_fields = ActivitySerializer.Meta.fields

    def get_attachments(self, activity) -> list[dict]:
        return [{"name": a.name, "url": a.file.url} for a in activity.attachments.all()]

    def get_checkin_url(self, activity) -> str | None:
        if services.checkin_window(activity) is None:
            return None
        url = reverse("party:checkin", args=[activity.checkin_token])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class PresenceSerializer(serializers.Serializer):
    member = serializers.IntegerField(help_text="党员 id")
    status = serializers.ChoiceField(
        choices=AttendanceStatus.choices, default=AttendanceStatus.PRESENT
    )
    reason = serializers.CharField(max_length=200, allow_blank=True, default="")


class _ActivityFieldsSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ACTIVITY_KIND_CHOICES)
    held_on = serializers.DateField()
    topic = serializers.CharField(max_length=200)
    host = serializers.PrimaryKeyRelatedField(
        queryset=PartyMember.objects.none(), required=False, allow_null=True
    )
    location = serializers.CharField(max_length=100, required=False, allow_blank=True)
    minutes = serializers.CharField(required=False, allow_blank=True)
    starts_at = serializers.DateTimeField(required=False, allow_null=True)
    ends_at = serializers.DateTimeField(required=False, allow_null=True)
    presences = PresenceSerializer(
        many=True, required=False, help_text="应参加党员的出席情况;未列出的记为缺席"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["host"].queryset = selectors.members_for(request.user)


class ActivityCreateSerializer(_ActivityFieldsSerializer):
    organization = serializers.PrimaryKeyRelatedField(queryset=PartyOrganization.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["organization"].queryset = selectors.organizations_for(request.user)


class ActivityUpdateSerializer(_ActivityFieldsSerializer):
    expected_updated_at = serializers.DateTimeField(
        required=False, help_text="读取时的 updated_at;若该记录已被他人修改,则返回 400。"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class CheckinSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=64)


class CheckinResultSerializer(serializers.Serializer):
    activity = serializers.IntegerField(source="activity_id")
    topic = serializers.CharField(source="activity.topic")
    status = serializers.CharField()
    checked_in_at = serializers.DateTimeField()


def _presences(data: dict) -> list[services.Presence] | None:
    rows = data.pop("presences", None)
    if rows is None:
        return None
    return [services.Presence(row["member"], row["status"], row["reason"]) for row in rows]


class ActivityFilter(django_filters.FilterSet):
    organization = django_filters.NumberFilter(
        method="filter_organization", label="某党组织及其全部下级"
    )
    date_from = django_filters.DateFilter(field_name="held_on", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="held_on", lookup_expr="lte")

    class Meta:
        model = Activity
        fields = ["kind"]

    def filter_organization(self, queryset, name, value):
        org = selectors.organization_for(self.request.user, value)
        return queryset.filter(path_q("organization__path", org.path))


class ActivityViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Organisational life in the user's scope. Create and update go through the party
    services (the rules refuse bad records with field errors); ``checkin`` is a member's QR
    check-in."""

    filterset_class = ActivityFilter
    search_fields = ["topic"]
    ordering_fields = ["held_on", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_permissions(self):
        if self.action == "checkin":
            return [IsAuthenticated()]
        if self.action in ("create", "partial_update"):
            return [IsAuthenticated()]  # the service checks add/change and the scope
        return [IsAuthenticated(), perm_required("party.view_activity")()]

    def get_queryset(self):
        qs = selectors.activities_for(self.request.user)
        if self.action == "retrieve":
            qs = qs.prefetch_related("attendance__member__officer", "attachments")
        return qs

    def get_serializer_class(self):
        if self.action == "create":
            return ActivityCreateSerializer
        if self.action == "partial_update":
            return ActivityUpdateSerializer
        if self.action == "retrieve":
            return ActivityDetailSerializer
        if self.action == "checkin":
            return CheckinSerializer
        return ActivitySerializer

    def _detail(self, activity: Activity, status_code: int) -> Response:
        fresh = selectors.activity_for(self.request.user, activity.pk)
        data = ActivityDetailSerializer(fresh, context=self.get_serializer_context()).data
        return Response(data, status=status_code)

    @extend_schema(request=ActivityCreateSerializer, responses={201: ActivityDetailSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        presences = _presences(data) or []
        activity = services.record_activity(user=request.user, presences=presences, **data)
        return self._detail(activity, status.HTTP_201_CREATED)

    @extend_schema(request=ActivityUpdateSerializer, responses={200: ActivityDetailSerializer})
    def partial_update(self, request, *args, **kwargs):
        activity = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        expected = data.pop("expected_updated_at", None)
        presences = _presences(data)
        activity = services.update_activity(
            user=request.user,
            activity=activity,
            expected_updated_at=expected,
            presences=presences,
            **data,
        )
        return self._detail(activity, status.HTTP_200_OK)

    @extend_schema(request=CheckinSerializer, responses={200: CheckinResultSerializer})
    @action(detail=False, methods=["post"], url_path="checkin")
    def checkin(self, request):
        serializer = CheckinSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attendance = services.check_in(user=request.user, token=serializer.validated_data["token"])
        return Response(CheckinResultSerializer(attendance).data)


# --- the member's own summary, compliance, statistics -------------------------------------


class PartyMeViewSet(viewsets.ViewSet):
    """The signed-in member's branch, mentor, recent meetings, open check-ins, study hours and
    dues (the phone module starts here). ``member`` is ``null`` for a user with no
    membership."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def list(self, request):
        member = selectors.member_of_user(request.user)
        if member is None:
            return Response({"member": None})
        today, now = timezone.localdate(), timezone.now()
        dues = member_selectors.dues_summary(member, today)
        return Response(
            {
                "member": {
                    "id": member.pk,
                    "name": member.officer.name,
                    "status": member.status,
                    "joined_on": member.joined_on,
                    "branch": {"id": member.organization_id, "name": member.organization.name},
                    "group": (
                        {"id": member.group_id, "name": member.group.name}
                        if member.group_id
                        else None
                    ),
                    "mentor": (
                        {"id": member.mentor_id, "name": member.mentor.officer.name}
                        if member.mentor_id
                        else None
                    ),
                },
                "year": today.year,
                "attendance": member_selectors.attendance_summary(member, today.year),
                "study_hours": float(member_selectors.study_hours(member, today.year)),
                "dues": {
                    "paid_total": float(dues.paid_total),
                    "paid_months": [p.month for p in dues.payments],
                    "months_unpaid": dues.months_unpaid,
                    "six_month_flag": dues.flagged,
                },
                "open_checkins": [
                    {
                        "activity": a.pk,
                        "topic": a.topic,
                        "organization": a.organization.name,
                        "starts_at": a.starts_at,
                        "ends_at": a.ends_at,
                        "token": a.checkin_token,
                    }
                    for a in member_selectors.open_checkins(member, now)
                ],
                "recent": [
                    {
                        "activity": row.activity_id,
                        "held_on": row.activity.held_on,
                        "kind": row.activity.kind,
                        "topic": row.activity.topic,
                        "organization": row.activity.organization.name,
                        "status": row.status,
                        "checked_in_at": row.checked_in_at,
                    }
                    for row in selectors.member_activities(member, limit=20)
                ],
            }
        )


_YEAR_ORG = [
    OpenApiParameter("year", int, description="年度,默认今年"),
    OpenApiParameter("org", int, description="党组织 id,默认当前用户可见的全部"),
]


class PartyComplianceViewSet(viewsets.ViewSet):
    """Per organisation under ``org``: done / overdue / upcoming requirements of ``year`` and
    the rate done ÷ (done + overdue)."""

    permission_classes = [IsAuthenticated, perm_required("party.view_activity")]

    @extend_schema(parameters=_YEAR_ORG, responses=OpenApiTypes.OBJECT)
    def list(self, request):
        year, root = _year_and_root(request)
        report = reports.compliance_report(
            request.user,
            root=root,
            start=dt.date(year, 1, 1),
            end=dt.date(year, 12, 31),
            today=timezone.localdate(),
        )
        return Response(
            {
                "year": year,
                "root": root.pk if root else None,
                "rate": report.rate,
                "organizations": [
                    {
                        "id": o.pk,
                        "name": o.name,
                        "kind": o.kind,
                        "depth": o.depth,
                        "done": report.rollup.get(o.pk, {}).get("done", 0),
                        "overdue": report.rollup.get(o.pk, {}).get("overdue", 0),
                        "upcoming": report.rollup.get(o.pk, {}).get("upcoming", 0),
                        "rate": report.rate_of(o.pk),
                    }
                    for o in report.organizations
                ],
            }
        )


class PartyStatisticsViewSet(viewsets.ViewSet):
    """The figures of ``year`` under ``org``, each with the previous year's and the change."""

    permission_classes = [IsAuthenticated, perm_required("party.view_party_statistics")]

    @extend_schema(parameters=_YEAR_ORG, responses=OpenApiTypes.OBJECT)
    def list(self, request):
        year, root = _year_and_root(request)
        return Response(
            {
                "year": year,
                "root": root.pk if root else None,
                "figures": reports.figures_with_change(
                    request.user, root=root, year=year, today=timezone.localdate()
                ),
            }
        )
