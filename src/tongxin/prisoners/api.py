"""The prisoner registry and the conduct ledgers over the API: scoped reads through the
selectors, writes through the services.

Register beside the other viewsets: ``prisoners`` (with the ``ledger`` of one prisoner),
``prisoner-points`` (``reverse``), ``prisoner-rewards``, ``prisoner-punishments`` and
``prisoner-violations`` (each with ``revoke``). A prisoner outside the user's scope is a 404
(or, named in a new record, a 400 on the ``prisoner`` field); every refusal of a service is a
400 with the Chinese reason on its field (``tongxin.web.api_base.exception_handler``).

Choice fields of the output are plain codes with a ``*_display`` label beside them; the
input serializers carry the enums (one component each, so the schema's enum names stay
unambiguous without settings).
"""

from __future__ import annotations

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from tongxin.org import selectors as org_selectors
from tongxin.org.models import Officer, path_q

from . import selectors, services
from .models import (
    Category,
    CustodyStatus,
    PointsEntry,
    Prisoner,
    Punishment,
    PunishmentKind,
    Reward,
    RewardKind,
    SentenceChange,
    SentenceType,
    Violation,
    ViolationSeverity,
)


def perm_required(perm: str) -> type[BasePermission]:
    """A DRF permission: the user holds ``perm`` (the data scope is the selectors')."""

    class HasPerm(BasePermission):
        message = "您没有执行此操作的权限"

        def has_permission(self, request, view) -> bool:
            return bool(request.user and request.user.has_perm(perm))

    HasPerm.__name__ = f"HasPerm_{perm.replace('.', '_')}"
    return HasPerm


class _ScopedPrisonerMixin:
    """The ``prisoner`` field accepts only prisoners in the requesting user's scope."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        self.fields["prisoner"].queryset = (
            selectors.prisoners_for(request.user)
            if request is not None
            else Prisoner.objects.none()
        )


def _officer_field(label: str) -> serializers.PrimaryKeyRelatedField:
    # Any officer: one of another prison reaches the service, which says why it is refused.
    return serializers.PrimaryKeyRelatedField(
        queryset=Officer.objects.select_related("unit"), help_text=f"{label}(本监狱民警 id)"
    )


def _reason_field(help_text: str) -> serializers.CharField:
    # Blank is let through: the service refuses it with the rule's own words.
    return serializers.CharField(
        max_length=300, required=False, allow_blank=True, default="", help_text=help_text
    )


# --- prisoners ------------------------------------------------------------------------------


class PrisonerSerializer(serializers.ModelSerializer):
    """A row of the registry; the ID number masked unless the user may see it."""

    unit_name = serializers.CharField(source="unit.name", read_only=True)
    sentence_label = serializers.CharField(read_only=True, help_text="如:有期徒刑 8年6个月")
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=Category.choices),
        source="engine_categories",
        read_only=True,
        help_text="从严类别(含累犯、确有履行能力而不履行财产性判项)",
    )
    category_labels = serializers.ListField(child=serializers.CharField(), read_only=True)
    status = serializers.CharField(read_only=True, help_text="in_custody / temporary_outside …")
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    sentence_type_display = serializers.CharField(
        source="get_sentence_type_display", read_only=True
    )

    class Meta:
        model = Prisoner
        fields = [
            "id",
            "number",
            "name",
            "gender",
            "id_number",
            "unit",
            "unit_name",
            "crimes",
            "sentence_type",
            "sentence_type_display",
            "term_years",
            "term_months",
            "sentence_label",
            "execution_start",
            "admitted_on",
            "categories",
            "category_labels",
            "status",
            "status_display",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None or not selectors.can_see_id_numbers(request.user):
            data["id_number"] = instance.masked_id_number
        return data


class SentenceChangeSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text="reduction / commutation")
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    summary = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = SentenceChange
        fields = [
            "id",
            "kind",
            "kind_display",
            "ruling_date",
            "months",
            "to_years",
            "court",
            "ruling_number",
            "summary",
        ]
        read_only_fields = fields


class PrisonerDetailSerializer(PrisonerSerializer):
    """One prisoner: the registry row, the sentence and its history, the merit level."""

    changes = SentenceChangeSerializer(many=True, read_only=True, help_text="刑期变动(裁定)")
    current_sentence = serializers.SerializerMethodField(help_text="按刑期变动推算的现刑期")
    term_start = serializers.DateField(read_only=True)
    merit_level = serializers.SerializerMethodField(help_text="当前改造表现可认定的等级")
    merit_level_display = serializers.SerializerMethodField()
    merit_explanation = serializers.SerializerMethodField(help_text="认定所依据的事实")

    class Meta(PrisonerSerializer.Meta):
        fields = [
            *PrisonerSerializer.Meta.fields,
            "birth_date",
            "is_recidivist",
            "restricted_reduction",
            "detention_days",
            "term_start",
            "court",
            "judgment_number",
            "property_amount",
            "property_paid",
            "property_able_unfulfilled",
            "health",
            "changes",
            "current_sentence",
            "merit_level",
            "merit_level_display",
            "merit_explanation",
        ]
        read_only_fields = fields

    def _merit(self, prisoner) -> tuple[str | None, str]:
        cached = getattr(prisoner, "_merit", None)
        if cached is None:
            cached = selectors.merit_of(prisoner, changes=list(prisoner.changes.all()))
            prisoner._merit = cached
        return cached

    def get_current_sentence(self, prisoner) -> str:
        return prisoner.current_sentence_label(prisoner.changes.all())

    @extend_schema_field(OpenApiTypes.STR)
    def get_merit_level(self, prisoner) -> str | None:
        return self._merit(prisoner)[0]

    def get_merit_level_display(self, prisoner) -> str:
        return selectors.merit_label(self._merit(prisoner)[0])

    def get_merit_explanation(self, prisoner) -> str:
        return self._merit(prisoner)[1]


class PrisonerFilter(django_filters.FilterSet):
    under = django_filters.NumberFilter(method="filter_under", label="某单位及其全部下级")
    status = django_filters.ChoiceFilter(choices=CustodyStatus.choices, label="状态")
    sentence_type = django_filters.ChoiceFilter(choices=SentenceType.choices, label="刑种")
    category = django_filters.ChoiceFilter(
        choices=Category.choices, method="filter_category", label="从严类别"
    )

    class Meta:
        model = Prisoner
        fields = ["under", "status", "sentence_type", "category"]

    def filter_under(self, queryset, name, value):
        unit = org_selectors.unit_for(self.request.user, value)
        return queryset.filter(path_q("unit__path", unit.path))

    def filter_category(self, queryset, name, value):
        return selectors.with_category(queryset, value)


class PointsEntrySerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text="base / addition / deduction / reversal")
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    officer_name = serializers.CharField(source="officer.name", read_only=True, default="")
    reversed_by = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="冲正本条的条目 id;未冲正为 null"
    )

    class Meta:
        model = PointsEntry
        fields = [
            "id",
            "prisoner",
            "month",
            "kind",
            "kind_display",
            "points",
            "supervision",
            "education",
            "labour",
            "reason",
            "revision",
            "officer",
            "officer_name",
            "reverses",
            "reversed_by",
            "recorded_at",
        ]
        read_only_fields = fields


class LedgerMonthSerializer(serializers.Serializer):
    month = serializers.DateField()
    base = serializers.DecimalField(max_digits=7, decimal_places=1)
    additions = serializers.DecimalField(max_digits=7, decimal_places=1)
    deductions = serializers.DecimalField(max_digits=7, decimal_places=1)
    reversals = serializers.DecimalField(max_digits=7, decimal_places=1)
    net = serializers.DecimalField(max_digits=7, decimal_places=1)
    running_total = serializers.DecimalField(
        max_digits=9, decimal_places=1, help_text="入监以来截至当月的累计分"
    )
    entries = PointsEntrySerializer(many=True)


class PrisonerViewSet(viewsets.ReadOnlyModelViewSet):
    """Prisoners in the user's scope. ``?under=ID`` a subtree, ``?search=`` name or number,
    ``?status=``, ``?sentence_type=``, ``?category=``."""

    filterset_class = PrisonerFilter
    search_fields = ["name", "^number"]
    ordering_fields = ["number", "name", "execution_start", "admitted_on"]
    permission_classes = [IsAuthenticated, perm_required("prisoners.view_prisoner")]

    def get_queryset(self):
        rows = selectors.prisoners_for(self.request.user)
        if self.action == "retrieve":
            rows = rows.prefetch_related("changes")
        return rows

    def get_serializer_class(self):
        return PrisonerDetailSerializer if self.action == "retrieve" else PrisonerSerializer

    @extend_schema(
        responses=LedgerMonthSerializer(many=True),
        description="计分考核台账:按月(新月份在前)列出条目与入监以来的累计分。",
        filters=False,
    )
    @action(
        detail=True,
        methods=["get"],
        permission_classes=[
            IsAuthenticated,
            perm_required("prisoners.view_prisoner"),
            perm_required("prisoners.view_pointsentry"),
        ],
    )
    def ledger(self, request, pk=None):
        prisoner = selectors.prisoner_for(request.user, pk)
        return Response(LedgerMonthSerializer(selectors.ledger(prisoner), many=True).data)


# --- ledgers --------------------------------------------------------------------------------


class _PrisonerRowFilter(django_filters.FilterSet):
    prisoner = django_filters.NumberFilter(field_name="prisoner_id", label="罪犯 id")


class PointsEntryFilter(_PrisonerRowFilter):
    month = django_filters.DateFilter(label="考核月份(当月1日)")

    class Meta:
        model = PointsEntry
        fields = ["prisoner", "month"]


class PointsCreateSerializer(_ScopedPrisonerMixin, serializers.Serializer):
    """A month's base line (``kind=base`` with the three parts) or an addition / deduction
    (``kind=adjustment`` with ``points``, positive or negative, and ``reason``)."""

    prisoner = serializers.PrimaryKeyRelatedField(queryset=Prisoner.objects.none())
    kind = serializers.ChoiceField(choices=[("base", "基础分"), ("adjustment", "加扣分")])
    month = serializers.DateField(help_text="考核月份(该月任一日,记为当月1日)")
    supervision = serializers.DecimalField(
        max_digits=5, decimal_places=1, required=False, help_text="监管改造分(基础分)"
    )
    education = serializers.DecimalField(
        max_digits=5, decimal_places=1, required=False, help_text="教育改造分(基础分)"
    )
    labour = serializers.DecimalField(
        max_digits=5, decimal_places=1, required=False, help_text="劳动改造分(基础分)"
    )
    points = serializers.DecimalField(
        max_digits=6, decimal_places=1, required=False, help_text="加扣分:加分为正,扣分为负"
    )
    reason = _reason_field("加扣分事由")
    officer = _officer_field("考核民警")

    def validate(self, attrs):
        needed = ("supervision", "education", "labour") if attrs["kind"] == "base" else ("points",)
        missing = {name: ["请填写此项。"] for name in needed if attrs.get(name) is None}
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


class ReverseSerializer(serializers.Serializer):
    reason = _reason_field("冲正原因(必填)")


class RevokeSerializer(serializers.Serializer):
    reason = _reason_field("撤销原因(必填)")


class _LedgerViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """A scoped ledger: list ``?prisoner=``, create through a service, cancel by a new row."""

    view_perm = ""
    add_perm = ""
    cancel_actions: tuple[str, ...] = ()

    def get_permissions(self):
        adding = self.action == "create" or self.action in self.cancel_actions
        return [IsAuthenticated(), perm_required(self.add_perm if adding else self.view_perm)()]

    def _created(self, row):
        fresh = self.get_queryset().get(pk=row.pk)
        return Response(self.output(fresh).data, status=status.HTTP_201_CREATED)

    def _reason(self, request) -> str:
        serializer = RevokeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data["reason"]


class PointsEntryViewSet(_LedgerViewSet):
    """Points ledger lines of prisoners in the user's scope (``?prisoner=``, ``?month=``).
    A line is never changed: ``reverse`` adds the line that cancels it."""

    filterset_class = PointsEntryFilter
    ordering_fields = ["month", "id"]
    view_perm = "prisoners.view_pointsentry"
    add_perm = "prisoners.add_pointsentry"
    cancel_actions = ("reverse",)
    output = PointsEntrySerializer

    def get_queryset(self):
        return selectors.points_for(self.request.user)

    def get_serializer_class(self):
        if self.action == "create":
            return PointsCreateSerializer
        if self.action == "reverse":
            return ReverseSerializer
        return PointsEntrySerializer

    @extend_schema(request=PointsCreateSerializer, responses={201: PointsEntrySerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        common = {
            "user": request.user,
            "prisoner": data["prisoner"],
            "month": data["month"],
            "officer": data["officer"],
        }
        if data["kind"] == "base":
            entry = services.record_monthly_base(
                **common,
                supervision=data["supervision"],
                education=data["education"],
                labour=data["labour"],
            )
        else:
            entry = services.record_adjustment(
                **common, points=data["points"], reason=data["reason"]
            )
        return self._created(entry)

    @extend_schema(request=ReverseSerializer, responses={201: PointsEntrySerializer})
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        entry = self.get_object()
        reversal = services.reverse_points(
            user=request.user, entry=entry, reason=self._reason(request)
        )
        return self._created(reversal)


class _RevocableSerializer(serializers.ModelSerializer):
    prisoner_name = serializers.CharField(source="prisoner.name", read_only=True)
    officer_name = serializers.CharField(source="officer.name", read_only=True, default="")
    reversed_by = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="撤销本条的记录 id;未撤销为 null"
    )


class RewardSerializer(_RevocableSerializer):
    kind = serializers.CharField(
        read_only=True, help_text="commendation / material / merit / major_merit"
    )
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Reward
        fields = [
            "id",
            "prisoner",
            "prisoner_name",
            "kind",
            "kind_display",
            "awarded_on",
            "reason",
            "evidence",
            "rests_on_invention",
            "points_basis",
            "officer",
            "officer_name",
            "reverses",
            "reversed_by",
            "recorded_at",
        ]
        read_only_fields = fields


class RewardCreateSerializer(_ScopedPrisonerMixin, serializers.Serializer):
    """A material reward, a merit or a major merit (表扬 comes from the points only)."""

    prisoner = serializers.PrimaryKeyRelatedField(queryset=Prisoner.objects.none())
    kind = serializers.ChoiceField(choices=RewardKind.choices)
    awarded_on = serializers.DateField()
    reason = _reason_field("奖励事由")
    evidence = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="证据材料(立功、重大立功必填)"
    )
    rests_on_invention = serializers.BooleanField(
        required=False, default=False, help_text="以专利或发明创造为依据"
    )
    officer = _officer_field("呈报民警")


class RewardFilter(_PrisonerRowFilter):
    class Meta:
        model = Reward
        fields = ["prisoner", "kind"]


class RewardViewSet(_LedgerViewSet):
    """Rewards of prisoners in the user's scope (``?prisoner=``, ``?kind=``); ``revoke``
    adds the row that revokes one."""

    filterset_class = RewardFilter
    ordering_fields = ["awarded_on", "id"]
    view_perm = "prisoners.view_reward"
    add_perm = "prisoners.add_reward"
    cancel_actions = ("revoke",)
    output = RewardSerializer

    def get_queryset(self):
        return selectors.rewards_for(self.request.user)

    def get_serializer_class(self):
        if self.action == "create":
            return RewardCreateSerializer
        if self.action == "revoke":
            return RevokeSerializer
        return RewardSerializer

    @extend_schema(request=RewardCreateSerializer, responses={201: RewardSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reward = services.award(user=request.user, **serializer.validated_data)
        return self._created(reward)

    @extend_schema(request=RevokeSerializer, responses={201: RewardSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        revocation = services.revoke_reward(
            user=request.user, reward=self.get_object(), reason=self._reason(request)
        )
        return self._created(revocation)


class PunishmentSerializer(_RevocableSerializer):
    kind = serializers.CharField(read_only=True, help_text="warning / demerit / confinement")
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Punishment
        fields = [
            "id",
            "prisoner",
            "prisoner_name",
            "kind",
            "kind_display",
            "decided_on",
            "reason",
            "officer",
            "officer_name",
            "reverses",
            "reversed_by",
            "recorded_at",
        ]
        read_only_fields = fields


class PunishmentCreateSerializer(_ScopedPrisonerMixin, serializers.Serializer):
    prisoner = serializers.PrimaryKeyRelatedField(queryset=Prisoner.objects.none())
    kind = serializers.ChoiceField(choices=PunishmentKind.choices)
    decided_on = serializers.DateField()
    reason = _reason_field("处罚事由")
    officer = _officer_field("呈报民警")


class PunishmentFilter(_PrisonerRowFilter):
    class Meta:
        model = Punishment
        fields = ["prisoner", "kind"]


class PunishmentViewSet(_LedgerViewSet):
    """Punishments of prisoners in the user's scope (``?prisoner=``); ``revoke``."""

    filterset_class = PunishmentFilter
    ordering_fields = ["decided_on", "id"]
    view_perm = "prisoners.view_punishment"
    add_perm = "prisoners.add_punishment"
    cancel_actions = ("revoke",)
    output = PunishmentSerializer

    def get_queryset(self):
        return selectors.punishments_for(self.request.user)

    def get_serializer_class(self):
        if self.action == "create":
            return PunishmentCreateSerializer
        if self.action == "revoke":
            return RevokeSerializer
        return PunishmentSerializer

    @extend_schema(request=PunishmentCreateSerializer, responses={201: PunishmentSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        punishment = services.punish(user=request.user, **serializer.validated_data)
        return self._created(punishment)

    @extend_schema(request=RevokeSerializer, responses={201: PunishmentSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        revocation = services.revoke_punishment(
            user=request.user, punishment=self.get_object(), reason=self._reason(request)
        )
        return self._created(revocation)


class ViolationSerializer(_RevocableSerializer):
    severity_display = serializers.CharField(source="get_severity_display", read_only=True)

    class Meta:
        model = Violation
        fields = [
            "id",
            "prisoner",
            "prisoner_name",
            "severity",
            "severity_display",
            "occurred_on",
            "description",
            "officer",
            "officer_name",
            "reverses",
            "reversed_by",
            "recorded_at",
        ]
        read_only_fields = fields


class ViolationCreateSerializer(_ScopedPrisonerMixin, serializers.Serializer):
    prisoner = serializers.PrimaryKeyRelatedField(queryset=Prisoner.objects.none())
    severity = serializers.ChoiceField(choices=ViolationSeverity.choices)
    occurred_on = serializers.DateField()
    description = _reason_field("违规情况")
    officer = _officer_field("记录民警")


class ViolationFilter(_PrisonerRowFilter):
    class Meta:
        model = Violation
        fields = ["prisoner", "severity"]


class ViolationViewSet(_LedgerViewSet):
    """Violations of prisoners in the user's scope (``?prisoner=``); ``revoke``."""

    filterset_class = ViolationFilter
    ordering_fields = ["occurred_on", "id"]
    view_perm = "prisoners.view_violation"
    add_perm = "prisoners.add_violation"
    cancel_actions = ("revoke",)
    output = ViolationSerializer

    def get_queryset(self):
        return selectors.violations_for(self.request.user)

    def get_serializer_class(self):
        if self.action == "create":
            return ViolationCreateSerializer
        if self.action == "revoke":
            return RevokeSerializer
        return ViolationSerializer

    @extend_schema(request=ViolationCreateSerializer, responses={201: ViolationSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        violation = services.record_violation(user=request.user, **serializer.validated_data)
        return self._created(violation)

    @extend_schema(request=RevokeSerializer, responses={201: ViolationSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        revocation = services.revoke_violation(
            user=request.user, violation=self.get_object(), reason=self._reason(request)
        )
        return self._created(revocation)
