"""规范化建设, 现场观摩 and the bureau's 组织生活要求 over the API.

Register under the ``party/`` prefix beside ``tongxin.party.api``:

- ``party/checklists``: the active standardisation checklists with their items and weights.
- ``party/assessments``: yearly branch assessments in the user's scope (``?year=&org=``),
  each with its item scores; ``POST`` assesses a branch through ``services.assess_branch``;
  ``GET ranking/`` is the ranking of the standardisation page (``reports``).
- ``party/observations``: 现场观摩 of activities of organisations in the user's scope;
  ``POST`` records one through ``services.record_observation``.
- ``party/requirements``: the bureau's requirements (``RequirementSetting``); ``PATCH`` and
  ``POST initialise/`` go through ``config_services`` (``party.manage_party_rules``).

Every refusal of a service is a 400 with the Chinese reason on its field (see
``tongxin.web.api_base.exception_handler``); anything outside the user's scope is absent from
the lists, a 404 on its page and a 400 on the field that names it.
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from tongxin.org import scope
from tongxin.org.tree import path_q

from . import config_services, reports, selectors, services, standards
from .api import _YEAR_ORG, _year_and_root, perm_required
from .api_records import _ScopedFieldsMixin
from .compliance import Frequency
from .models import (
    Activity,
    AssessmentScore,
    BranchAssessment,
    Checklist,
    ChecklistItem,
    Observation,
    OrgKind,
    PartyOrganization,
    RequirementSetting,
)
from .views_config import OBSERVABLE_DAYS

VIEW_ORG = "party.view_partyorganization"
ASSESS = "party.change_partyorganization"

# --- scoped querysets ---------------------------------------------------------------------


def checklists():
    items = ChecklistItem.objects.order_by("sort_order", "id")
    return (
        Checklist.objects.filter(is_active=True)
        .prefetch_related(Prefetch("items", queryset=items))
        .order_by("sort_order", "id")
    )


def assessments_for(user):
    return scope.scoped(
        BranchAssessment.objects.select_related("branch", "assessed_by__officer"),
        user,
        "branch__unit__path",
    ).order_by("-year", "-total", "branch__path", "id")


def _with_scores(queryset):
    scores = AssessmentScore.objects.select_related("item__checklist").order_by(
        "item__checklist__sort_order", "item__checklist_id", "item__sort_order", "item_id"
    )
    return queryset.prefetch_related(Prefetch("scores", queryset=scores))


def observations_for(user):
    return scope.scoped(
        Observation.objects.select_related("activity__organization", "recorded_by__officer"),
        user,
        "activity__organization__unit__path",
    ).order_by("-quarter", "-id")


def _ensure_checklists(user) -> None:
    """As on the assessment page: a user who may assess starts an empty database with the
    bureau's default checklists, so that there is something to score."""
    if user.has_perm(ASSESS) and not Checklist.objects.exists():
        standards.ensure_default_checklists()


# --- checklists ---------------------------------------------------------------------------


class ChecklistItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChecklistItem
        fields = ["id", "title", "weight", "sort_order"]
        read_only_fields = fields


class ChecklistSerializer(serializers.ModelSerializer):
    items = ChecklistItemSerializer(many=True, read_only=True)
    total_weight = serializers.SerializerMethodField()

    class Meta:
        model = Checklist
        fields = ["id", "name", "description", "sort_order", "items", "total_weight"]
        read_only_fields = fields

    def get_total_weight(self, checklist) -> float:
        return float(sum(item.weight for item in checklist.items.all()))


class ChecklistViewSet(viewsets.ReadOnlyModelViewSet):
    """The bureau's active standardisation checklists ("五个基本", "七个体系", "九个规范"),
    each with its items and their weights (the score an item earns at 100%)."""

    serializer_class = ChecklistSerializer
    permission_classes = [IsAuthenticated, perm_required(VIEW_ORG)]
    ordering_fields = ["sort_order", "id"]
    search_fields = ["name"]

    def get_queryset(self):
        return checklists()

    def list(self, request, *args, **kwargs):
        _ensure_checklists(request.user)
        return super().list(request, *args, **kwargs)


# --- assessments --------------------------------------------------------------------------


class AssessmentScoreSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="item.title", read_only=True)
    checklist = serializers.IntegerField(source="item.checklist_id", read_only=True)
    checklist_name = serializers.CharField(source="item.checklist.name", read_only=True)
    weight = serializers.DecimalField(
        source="item.weight", max_digits=5, decimal_places=1, read_only=True
    )
    earned = serializers.SerializerMethodField()

    class Meta:
        model = AssessmentScore
        fields = [
            "item",
            "title",
            "checklist",
            "checklist_name",
            "weight",
            "percent",
            "earned",
            "evidence",
        ]
        read_only_fields = fields

    def get_earned(self, score) -> float:
        """The points earned: the item's weight × the percent."""
        return float(score.item.weight * score.percent / 100)


class BranchAssessmentSerializer(serializers.ModelSerializer):
    branch_name = serializers.CharField(source="branch.name", read_only=True)
    is_pilot = serializers.BooleanField(source="branch.is_pilot", read_only=True)
    assessed_by_name = serializers.SerializerMethodField()

    class Meta:
        model = BranchAssessment
        fields = [
            "id",
            "branch",
            "branch_name",
            "is_pilot",
            "year",
            "total",
            "assessed_on",
            "assessed_by_name",
        ]
        read_only_fields = fields

    def get_assessed_by_name(self, assessment) -> str:
        return str(assessment.assessed_by) if assessment.assessed_by_id else ""


class BranchAssessmentDetailSerializer(BranchAssessmentSerializer):
    scores = AssessmentScoreSerializer(many=True, read_only=True)

    class Meta(BranchAssessmentSerializer.Meta):
        fields = [*BranchAssessmentSerializer.Meta.fields, "scores"]
        read_only_fields = fields


class ScoreInSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="清单项目 id")
    percent = serializers.IntegerField(help_text="得分率(%),0–100")
    evidence = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="佐证材料(必填)"
    )


class AssessSerializer(_ScopedFieldsMixin, serializers.Serializer):
    """A branch's assessment of one year: a percent and evidence for every active item."""

    branch = serializers.PrimaryKeyRelatedField(
        queryset=PartyOrganization.objects.none(), help_text="党支部 id"
    )
    year = serializers.IntegerField(help_text="评定年度(不晚于今年)")
    scores = ScoreInSerializer(
        many=True, help_text="每个启用清单项目的得分率与佐证材料;重新评定将替换原评定"
    )

    scoped_fields = {"branch": lambda user: selectors.organizations_for(user)}

    def validate_branch(self, branch):
        if branch.kind != OrgKind.BRANCH:
            raise serializers.ValidationError("规范化建设评定的对象是党支部。")
        return branch

    def validate_year(self, year):
        if year > timezone.localdate().year:
            raise serializers.ValidationError("不能评定未来年度。")
        if year < 2000:
            raise serializers.ValidationError("年度须不早于2000年。")
        return year

    def validate_scores(self, rows):
        scores: dict[int, tuple[int, str]] = {}
        for row in rows:
            if row["item"] in scores:
                raise serializers.ValidationError("同一项目只能评分一次。")
            scores[row["item"]] = (row["percent"], row["evidence"])
        return scores


class RankedAssessmentSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    id = serializers.IntegerField(source="assessment.pk")
    branch = serializers.IntegerField(source="assessment.branch_id")
    branch_name = serializers.CharField(source="assessment.branch.name")
    is_pilot = serializers.BooleanField(source="assessment.branch.is_pilot")
    total = serializers.DecimalField(source="assessment.total", max_digits=6, decimal_places=2)
    assessed_on = serializers.DateField(source="assessment.assessed_on")


class PendingBranchSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    is_pilot = serializers.BooleanField()


class RankingSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    root = serializers.IntegerField(allow_null=True)
    ranking = RankedAssessmentSerializer(many=True)
    pending = PendingBranchSerializer(many=True, help_text="本年度尚未评定的党支部")


class BranchAssessmentFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="year")
    org = django_filters.NumberFilter(method="filter_org", label="某党组织及其全部下级")

    class Meta:
        model = BranchAssessment
        fields = ["year", "org"]

    def filter_org(self, queryset, name, value):
        org = selectors.organization_for(self.request.user, value)
        return queryset.filter(path_q("branch__path", org.path))


class BranchAssessmentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Yearly standardisation assessments of branches in the user's scope.

    ``POST`` assesses (or reassesses) a branch: every active item needs a percent (0–100)
    and evidence; a refusal is a 400 with every reason on ``scores`` (or on ``branch`` /
    ``year``). ``ranking`` ranks the branches of ``year`` under ``org`` by their totals and
    lists those not yet assessed, as the standardisation page does."""

    filterset_class = BranchAssessmentFilter
    ordering_fields = ["year", "total", "assessed_on", "id"]
    search_fields = ["branch__name"]

    def get_permissions(self):
        perm = ASSESS if self.action == "create" else VIEW_ORG
        return [IsAuthenticated(), perm_required(perm)()]

    def get_queryset(self):
        qs = assessments_for(self.request.user)
        return _with_scores(qs) if self.action == "retrieve" else qs

    def get_serializer_class(self):
        if self.action == "create":
            return AssessSerializer
        if self.action == "retrieve":
            return BranchAssessmentDetailSerializer
        return BranchAssessmentSerializer

    @extend_schema(
        request=AssessSerializer,
        responses={201: BranchAssessmentDetailSerializer, 200: BranchAssessmentDetailSerializer},
    )
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        _ensure_checklists(request.user)
        redone = BranchAssessment.objects.filter(branch=data["branch"], year=data["year"]).exists()
        assessment = services.assess_branch(user=request.user, **data)
        fresh = _with_scores(assessments_for(request.user)).get(pk=assessment.pk)
        return Response(
            BranchAssessmentDetailSerializer(fresh).data,
            status=status.HTTP_200_OK if redone else status.HTTP_201_CREATED,
        )

    @extend_schema(parameters=_YEAR_ORG, responses=RankingSerializer)
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def ranking(self, request):
        year, root = _year_and_root(request)
        ranking = reports.standardisation_ranking(request.user, year=year, root=root)
        pending = (
            selectors.organizations_for(request.user, under=root)
            .filter(kind=OrgKind.BRANCH, established_on__lte=dt.date(year, 12, 31))
            .exclude(pk__in=[a.branch_id for a in ranking])
            .exclude(dissolved_on__lt=dt.date(year, 1, 1))
        )
        data = {
            "year": year,
            "root": root.pk if root else None,
            "ranking": [{"rank": i, "assessment": a} for i, a in enumerate(ranking, start=1)],
            "pending": list(pending),
        }
        return Response(RankingSerializer(data).data)


# --- observations (现场观摩) ---------------------------------------------------------------


class ObservationSerializer(serializers.ModelSerializer):
    activity_topic = serializers.CharField(source="activity.topic", read_only=True)
    held_on = serializers.DateField(source="activity.held_on", read_only=True)
    organization = serializers.IntegerField(source="activity.organization_id", read_only=True)
    organization_name = serializers.CharField(source="activity.organization.name", read_only=True)
    recorded_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Observation
        fields = [
            "id",
            "quarter",
            "activity",
            "activity_topic",
            "held_on",
            "organization",
            "organization_name",
            "observers",
            "comments",
            "score",
            "recorded_by_name",
            "recorded_at",
        ]
        read_only_fields = fields

    def get_recorded_by_name(self, observation) -> str:
        return str(observation.recorded_by) if observation.recorded_by_id else ""


class ObservationCreateSerializer(_ScopedFieldsMixin, serializers.Serializer):
    """The quarter's observation of a themed party day (the quarter is the day's)."""

    activity = serializers.PrimaryKeyRelatedField(
        queryset=Activity.objects.none(), help_text=f"近{OBSERVABLE_DAYS}天内的主题党日 id"
    )
    observers = serializers.CharField(max_length=300)
    comments = serializers.CharField(required=False, allow_blank=True, default="")
    score = serializers.DecimalField(max_digits=5, decimal_places=1, help_text="0–100")

    scoped_fields = {"activity": lambda user: selectors.activities_for(user)}

    def validate_activity(self, activity):
        # The same window as the page's choice of themed days.
        if activity.held_on < timezone.localdate() - dt.timedelta(days=OBSERVABLE_DAYS):
            raise serializers.ValidationError(f"请选择近{OBSERVABLE_DAYS}天内的主题党日。")
        return activity


class ObservationFilter(django_filters.FilterSet):
    org = django_filters.NumberFilter(method="filter_org", label="某党组织及其全部下级")

    class Meta:
        model = Observation
        fields = ["quarter", "org"]

    def filter_org(self, queryset, name, value):
        org = selectors.organization_for(self.request.user, value)
        return queryset.filter(path_q("activity__organization__path", org.path))


class ObservationViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Quarterly on-site observations (现场观摩) of themed party days of organisations in the
    user's scope. ``POST`` records one: a themed day, once a quarter, scored 0–100 with
    comments."""

    filterset_class = ObservationFilter
    ordering_fields = ["quarter", "id"]
    search_fields = ["activity__topic", "activity__organization__name"]

    def get_permissions(self):
        perm = ASSESS if self.action == "create" else "party.view_activity"
        return [IsAuthenticated(), perm_required(perm)()]

    def get_queryset(self):
        return observations_for(self.request.user)

    def get_serializer_class(self):
        return ObservationCreateSerializer if self.action == "create" else ObservationSerializer

    @extend_schema(request=ObservationCreateSerializer, responses={201: ObservationSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        observation = services.record_observation(user=request.user, **serializer.validated_data)
        fresh = observations_for(request.user).get(pk=observation.pk)
        return Response(ObservationSerializer(fresh).data, status=status.HTTP_201_CREATED)


# --- the bureau's requirements ------------------------------------------------------------


class RequirementSettingSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    org_kind_display = serializers.CharField(source="get_org_kind_display", read_only=True)
    frequency_display = serializers.CharField(source="get_frequency_display", read_only=True)

    class Meta:
        model = RequirementSetting
        fields = [
            "id",
            "kind",
            "kind_display",
            "org_kind",
            "org_kind_display",
            "frequency",
            "frequency_display",
            "minimum",
            "needs_committee",
            "by_secretary",
            "basis",
            "is_active",
        ]
        read_only_fields = fields


class RequirementUpdateSerializer(serializers.Serializer):
    # No min_value on ``minimum``: the service gives the reason, in Chinese, and writes nothing.
    frequency = serializers.ChoiceField(
        choices=[(f.value, f.label) for f in Frequency], required=False
    )
    minimum = serializers.IntegerField(required=False, help_text="每期至少次数(不小于1)")
    is_active = serializers.BooleanField(required=False)


class RequirementSettingViewSet(mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The bureau's organisational-life requirements (frequency and minimum of each kind).
    Anyone who may see organisational life reads them; ``PATCH`` and ``initialise`` (write
    the rules' defaults into an empty table) need ``party.manage_party_rules``. An empty list
    means the rules' defaults apply."""

    serializer_class = RequirementSettingSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    ordering_fields = ["org_kind", "kind", "id"]
    search_fields = []

    def get_permissions(self):
        if self.action in ("partial_update", "initialise"):
            return [IsAuthenticated(), perm_required(config_services.RULES_PERM)()]
        return [IsAuthenticated(), perm_required("party.view_activity")()]

    def get_queryset(self):
        return RequirementSetting.objects.order_by("org_kind", "kind", "by_secretary", "id")

    def get_serializer_class(self):
        if self.action == "partial_update":
            return RequirementUpdateSerializer
        if self.action == "initialise":
            return serializers.Serializer
        return RequirementSettingSerializer

    @extend_schema(
        request=RequirementUpdateSerializer, responses={200: RequirementSettingSerializer}
    )
    def partial_update(self, request, *args, **kwargs):
        setting = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = {
            "frequency": setting.frequency,
            "minimum": setting.minimum,
            "is_active": setting.is_active,
            **serializer.validated_data,
        }
        setting = config_services.update_requirement(user=request.user, setting=setting, **values)
        return Response(RequirementSettingSerializer(setting).data)

    @extend_schema(request=None, responses={201: RequirementSettingSerializer(many=True)})
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def initialise(self, request):
        created = config_services.initialise_requirements(user=request.user)
        return Response(
            RequirementSettingSerializer(created, many=True).data, status=status.HTTP_201_CREATED
        )
