"""The review procedure over the API: scoped reads through the selectors, every act through
the services.

Register beside the other viewsets: ``sentencing/cases`` (list with the page's filters,
retrieve with the verdict, alerts, reviewers, steps, objections and the acts open to the
user; create = the district's proposal; actions ``decide``, ``review``, ``publish-notice``,
``close-notice``, ``submit``, ``ruling``, ``withdraw``), ``sentencing/alerts`` (``dispose``)
and ``sentencing/objections`` (create, ``answer``).

Every act on a case carries ``expected_version`` (the case's ``version`` as read): when someone
else acted meanwhile the answer is 409 with the Chinese message and nothing is written. A case
outside the user's scope is a 404; an act the user's role may not take is a 403; an act out of
order or refused by the law is a 400 with the reason (on its field where it has one).
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from tongxin.org import scope
from tongxin.prisoners import selectors as prisoner_selectors
from tongxin.prisoners.models import Prisoner

from . import selectors, services, workflow
from .forms import TEMPORARY_GROUNDS
from .models import (
    Case,
    CaseKind,
    CaseStatus,
    CaseStep,
    Objection,
    ReviewerAssignment,
    RiskAlert,
)


def perm_required(perm: str) -> type[BasePermission]:
    """A DRF permission: the user holds ``perm`` (the data scope is the selectors')."""

    class HasPerm(BasePermission):
        message = "您没有执行此操作的权限"

        def has_permission(self, request, view) -> bool:
            return bool(request.user and request.user.has_perm(perm))

    HasPerm.__name__ = f"HasPerm_{perm.replace('.', '_')}"
    return HasPerm


class StaleCaseSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()


STALE_RESPONSE = OpenApiResponse(StaleCaseSerializer, description="该案件已被他人处理(版本不符)")


class _StaleIs409:
    """A service's ``code="stale"`` refusal is a conflict (409), not a bad request."""

    def handle_exception(self, exc):
        if isinstance(exc, DjangoValidationError) and getattr(exc, "code", None) == "stale":
            message = exc.messages[0] if exc.messages else services.STALE
            return Response({"detail": message, "code": "stale"}, status=status.HTTP_409_CONFLICT)
        return super().handle_exception(exc)


# --- output ---------------------------------------------------------------------------------


class CaseSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text="reduction / parole / temporary")
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    outcome = serializers.CharField(read_only=True)
    outcome_display = serializers.CharField(source="get_outcome_display", read_only=True)
    prisoner_name = serializers.CharField(source="prisoner.name", read_only=True)
    prisoner_number = serializers.CharField(source="prisoner.number", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    amount_text = serializers.SerializerMethodField()
    open_alerts = serializers.IntegerField(read_only=True)
    step_since = serializers.DateTimeField(read_only=True, allow_null=True)
    days_in_step = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "kind",
            "kind_display",
            "status",
            "status_display",
            "outcome",
            "outcome_display",
            "prisoner",
            "prisoner_name",
            "prisoner_number",
            "unit",
            "unit_name",
            "proposed_on",
            "proposed_months",
            "proposed_to_years",
            "amount_text",
            "open_alerts",
            "step_since",
            "days_in_step",
            "notice_start",
            "notice_end",
            "version",
        ]
        read_only_fields = fields

    def get_amount_text(self, case) -> str:
        return selectors.amount_text(case)

    def get_days_in_step(self, case) -> int | None:
        return selectors.days_in_step(case)


class RiskAlertSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    disposed_by_name = serializers.SerializerMethodField()

    class Meta:
        model = RiskAlert
        fields = [
            "id",
            "case",
            "kind",
            "kind_display",
            "detail",
            "raised_at",
            "disposition",
            "disposed_by",
            "disposed_by_name",
            "disposed_at",
        ]
        read_only_fields = fields

    def get_disposed_by_name(self, alert) -> str:
        return str(alert.disposed_by) if alert.disposed_by_id else ""


class CaseReviewerSerializer(serializers.ModelSerializer):
    reviewer_name = serializers.SerializerMethodField()

    class Meta:
        model = ReviewerAssignment
        fields = ["reviewer", "reviewer_name", "assigned_at", "decision", "opinion", "decided_at"]
        read_only_fields = fields

    def get_reviewer_name(self, assignment) -> str:
        return str(assignment.reviewer)


class ExcludedReviewerSerializer(serializers.Serializer):
    user_id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    reasons = serializers.CharField()


class CaseStepSerializer(serializers.ModelSerializer):
    label = serializers.SerializerMethodField()
    decision_label = serializers.SerializerMethodField()
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = CaseStep
        fields = [
            "step",
            "label",
            "decision",
            "decision_label",
            "from_status",
            "to_status",
            "opinion",
            "actor",
            "actor_name",
            "acted_at",
        ]
        read_only_fields = fields

    def get_label(self, step) -> str:
        return selectors.STEP_LABELS.get(step.step, step.step)

    def get_decision_label(self, step) -> str:
        return selectors.DECISION_LABELS.get(step.decision, step.decision)

    def get_actor_name(self, step) -> str:
        return str(step.actor)


class CaseObjectionSerializer(serializers.ModelSerializer):
    answered_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Objection
        fields = [
            "id",
            "case",
            "received_on",
            "objector",
            "content",
            "answer",
            "answered_by",
            "answered_by_name",
            "answered_on",
        ]
        read_only_fields = fields

    def get_answered_by_name(self, objection) -> str:
        return str(objection.answered_by) if objection.answered_by_id else ""


class CaseActionsSerializer(serializers.Serializer):
    steps = serializers.ListField(
        child=serializers.CharField(),
        source="codes",
        help_text="现在可以办理的环节:section_review、centre_review、committee、publish_notice…",
    )
    withdraw = serializers.BooleanField()
    alerts = serializers.SerializerMethodField(help_text="可以处置的风险预警 id")
    record_objection = serializers.BooleanField()
    objections = serializers.SerializerMethodField(help_text="可以答复的公示异议 id")
    notes = serializers.ListField(child=serializers.CharField(), help_text="因分权不能办理的原因")

    def get_alerts(self, actions) -> list[int]:
        return [a.pk for a in actions.alerts]

    def get_objections(self, actions) -> list[int]:
        return [o.pk for o in actions.objections]


@extend_schema_field(
    {
        "type": "object",
        "description": "规则引擎结论:reduction / parole / temporary 各含 eligible(applicable)、"
        "earliest_date、max_months、commute_to_years 与 reasons[{rule, basis, text, passes}]",
        "additionalProperties": True,
    }
)
class VerdictField(serializers.JSONField):
    pass


class CaseDetailSerializer(CaseSerializer):
    merit_display = serializers.SerializerMethodField()
    verdict = VerdictField(read_only=True)
    term_end = serializers.DateField(source="dossier.term_end", read_only=True, allow_null=True)
    current_sentence = serializers.CharField(source="dossier.current_sentence", read_only=True)
    alerts = RiskAlertSerializer(source="dossier.alerts", many=True, read_only=True)
    reviewers = CaseReviewerSerializer(source="dossier.reviewers", many=True, read_only=True)
    excluded = ExcludedReviewerSerializer(source="dossier.excluded", many=True, read_only=True)
    steps = CaseStepSerializer(source="dossier.steps", many=True, read_only=True)
    objections = CaseObjectionSerializer(source="dossier.objections", many=True, read_only=True)
    actions = CaseActionsSerializer(read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields,
            "merit",
            "merit_display",
            "merit_basis",
            "reasons",
            "risk_assessment",
            "medical_assessment",
            "temporary_grounds",
            "verdict",
            "ruleset_version",
            "submitted_on",
            "submitted_to",
            "ruling_date",
            "ruling_months",
            "ruling_to_years",
            "ruling_number",
            "closed_on",
            "term_end",
            "current_sentence",
            "alerts",
            "reviewers",
            "excluded",
            "steps",
            "objections",
            "actions",
        ]
        read_only_fields = fields

    def get_merit_display(self, case) -> str:
        return prisoner_selectors.merit_label(case.merit or None)


# --- input ----------------------------------------------------------------------------------


class TemporaryGroundsSerializer(serializers.Serializer):
    serious_illness = serializers.BooleanField(default=False)
    pregnant_or_nursing = serializers.BooleanField(default=False)
    unable_to_self_care = serializers.BooleanField(default=False)
    may_endanger_society = serializers.BooleanField(default=False)
    self_harm_to_obtain = serializers.BooleanField(default=False)


assert {name for name, _ in TEMPORARY_GROUNDS} == set(TemporaryGroundsSerializer().fields)


class CaseProposeSerializer(serializers.Serializer):
    prisoner = serializers.PrimaryKeyRelatedField(queryset=Prisoner.objects.none())
    kind = serializers.ChoiceField(choices=CaseKind.choices)
    proposed_months = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=36, help_text="有期徒刑减刑月数"
    )
    proposed_to_years = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=25, help_text="减为有期徒刑的年数"
    )
    reasons = serializers.CharField(help_text="监区集体研究的提请理由")
    risk_assessment = serializers.CharField(required=False, allow_blank=True, default="")
    medical_assessment = serializers.CharField(required=False, allow_blank=True, default="")
    temporary_grounds = TemporaryGroundsSerializer(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["prisoner"].queryset = prisoner_selectors.prisoners_for(request.user)


class _VersionSerializer(serializers.Serializer):
    expected_version = serializers.IntegerField(
        min_value=1, help_text="读取时案件的 version;他人已办理则返回 409"
    )


DECISION_CHOICES = [("approve", "同意"), ("reject", "不同意")]
DECISION_STEPS = [
    (t.code, t.label) for t in workflow.TRANSITIONS if t.decision and t.code != "centre_review"
]


class CaseDecideSerializer(_VersionSerializer):
    step = serializers.ChoiceField(choices=DECISION_STEPS)
    decision = serializers.ChoiceField(choices=DECISION_CHOICES)
    opinion = serializers.CharField()


class CaseReviewSerializer(_VersionSerializer):
    decision = serializers.ChoiceField(choices=DECISION_CHOICES)
    opinion = serializers.CharField()


class CaseWithdrawSerializer(_VersionSerializer):
    reason = serializers.CharField()


class CasePublishNoticeSerializer(_VersionSerializer):
    notice_start = serializers.DateField(help_text="公示开始日期;截止日按5个工作日计算")


class CaseVersionSerializer(_VersionSerializer):
    pass


class CaseRulingSerializer(_VersionSerializer):
    ruling_date = serializers.DateField()
    granted = serializers.BooleanField()
    months = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    to_years = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    ruling_number = serializers.CharField(max_length=60)


class AlertDisposeSerializer(_VersionSerializer):
    disposition = serializers.CharField()


class ObjectionCreateSerializer(serializers.Serializer):
    case = serializers.PrimaryKeyRelatedField(queryset=Case.objects.none())
    received_on = serializers.DateField()
    objector = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    content = serializers.CharField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["case"].queryset = scope.scoped(
                Case.objects.all(), request.user, "unit__path"
            )


class ObjectionAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField()


# --- cases ----------------------------------------------------------------------------------


class CaseFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=CaseKind.choices, method="by_selector")
    status = django_filters.ChoiceFilter(choices=CaseStatus.choices, method="by_selector")
    year = django_filters.NumberFilter(method="by_selector", label="提请年度")
    under = django_filters.NumberFilter(method="filter_under", label="某单位及其全部下级")
    search = django_filters.CharFilter(method="by_selector", label="姓名/罪犯编号/案件编号")
    mine = django_filters.BooleanFilter(method="filter_mine", label="只看等待我办理的")

    class Meta:
        model = Case
        fields = ["kind", "status", "year", "under", "search", "mine"]

    def by_selector(self, queryset, name, value):
        return selectors.filter_cases(queryset, **{name: value})

    def filter_under(self, queryset, name, value):
        unit = selectors.unit_for(self.request.user, int(value))
        return selectors.filter_cases(queryset, under=unit)

    def filter_mine(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(selectors.task_q(self.request.user))


class CaseViewSet(_StaleIs409, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """减刑、假释、暂予监外执行案件 in the user's scope."""

    filterset_class = CaseFilter
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["proposed_on", "id", "step_since"]

    def get_permissions(self):
        if self.action == "create":
            return [IsAuthenticated(), perm_required("sentencing.propose_case")()]
        return [IsAuthenticated(), perm_required("sentencing.view_case")()]

    def get_queryset(self):
        return selectors.cases_for(self.request.user)

    def get_serializer_class(self):
        return {
            "create": CaseProposeSerializer,
            "retrieve": CaseDetailSerializer,
            "decide": CaseDecideSerializer,
            "review": CaseReviewSerializer,
            "withdraw": CaseWithdrawSerializer,
            "publish_notice": CasePublishNoticeSerializer,
            "close_notice": CaseVersionSerializer,
            "submit": CaseVersionSerializer,
            "ruling": CaseRulingSerializer,
        }.get(self.action, CaseSerializer)

    def _detail(self, pk: int, status_code: int = status.HTTP_200_OK) -> Response:
        user = self.request.user
        case = selectors.cases_for(user).select_related("prisoner__unit", "created_by").get(pk=pk)
        case.dossier = selectors.dossier(case)
        case.actions = selectors.actions_for(
            user,
            case,
            steps=case.dossier.steps,
            reviewers=case.dossier.reviewers,
            alerts=case.dossier.alerts,
            objections=case.dossier.objections,
        )
        return Response(CaseDetailSerializer(case).data, status=status_code)

    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object().pk)

    def _act(self, request, call) -> Response:
        case = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        call(case, serializer.validated_data)
        return self._detail(case.pk)

    @extend_schema(request=CaseProposeSerializer, responses={201: CaseDetailSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        case = services.propose_case(
            user=request.user,
            prisoner=data["prisoner"],
            kind=data["kind"],
            reasons=data["reasons"],
            proposed_months=data.get("proposed_months"),
            proposed_to_years=data.get("proposed_to_years"),
            risk_assessment=data.get("risk_assessment", ""),
            medical_assessment=data.get("medical_assessment", ""),
            temporary_grounds=dict(data.get("temporary_grounds") or {}),
        )
        return self._detail(case.pk, status.HTTP_201_CREATED)

    @extend_schema(
        request=CaseDecideSerializer, responses={200: CaseDetailSerializer, 409: STALE_RESPONSE}
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """A decision step: section review, committee, director's meeting, bureau approval."""
        return self._act(
            request,
            lambda case, d: services.decide(
                user=request.user,
                case=case,
                step=d["step"],
                decision=d["decision"],
                opinion=d["opinion"],
                expected_version=d["expected_version"],
            ),
        )

    @extend_schema(
        request=CaseReviewSerializer, responses={200: CaseDetailSerializer, 409: STALE_RESPONSE}
    )
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """A drawn reviewer's opinion (评审中心)."""
        return self._act(
            request,
            lambda case, d: services.review(
                user=request.user,
                case=case,
                decision=d["decision"],
                opinion=d["opinion"],
                expected_version=d["expected_version"],
            ),
        )

    @extend_schema(
        request=CaseWithdrawSerializer, responses={200: CaseDetailSerializer, 409: STALE_RESPONSE}
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._act(
            request,
            lambda case, d: services.withdraw_case(
                user=request.user,
                case=case,
                expected_version=d["expected_version"],
                reason=d["reason"],
            ),
        )

    @extend_schema(
        request=CasePublishNoticeSerializer,
        responses={200: CaseDetailSerializer, 409: STALE_RESPONSE},
    )
    @action(detail=True, methods=["post"], url_path="publish-notice")
    def publish_notice(self, request, pk=None):
        return self._act(
            request,
            lambda case, d: services.publish_notice(
                user=request.user,
                case=case,
                start=d["notice_start"],
                expected_version=d["expected_version"],
            ),
        )

    @extend_schema(
        request=CaseVersionSerializer, responses={200: CaseDetailSerializer, 409: STALE_RESPONSE}
    )
    @action(detail=True, methods=["post"], url_path="close-notice")
    def close_notice(self, request, pk=None):
        return self._act(
            request,
            lambda case, d: services.close_notice(
                user=request.user, case=case, expected_version=d["expected_version"]
            ),
        )

    @extend_schema(
        request=CaseVersionSerializer, responses={200: CaseDetailSerializer, 409: STALE_RESPONSE}
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """To the court (copy to the procuratorate), or to the bureau for temporary execution."""
        return self._act(
            request,
            lambda case, d: services.submit(
                user=request.user, case=case, expected_version=d["expected_version"]
            ),
        )

    @extend_schema(
        request=CaseRulingSerializer, responses={200: CaseDetailSerializer, 409: STALE_RESPONSE}
    )
    @action(detail=True, methods=["post"])
    def ruling(self, request, pk=None):
        return self._act(
            request,
            lambda case, d: services.record_ruling(
                user=request.user,
                case=case,
                ruling_date=d["ruling_date"],
                granted=d["granted"],
                months=d.get("months"),
                to_years=d.get("to_years"),
                ruling_number=d["ruling_number"],
                expected_version=d["expected_version"],
            ),
        )


# --- alerts and objections ------------------------------------------------------------------


class AlertFilter(django_filters.FilterSet):
    case = django_filters.NumberFilter(field_name="case_id")
    open = django_filters.BooleanFilter(
        field_name="disposed_at", lookup_expr="isnull", label="只看未处置的"
    )

    class Meta:
        model = RiskAlert
        fields = ["case", "open"]


class AlertViewSet(_StaleIs409, viewsets.ReadOnlyModelViewSet):
    """Risk alerts of cases in the user's scope; ``dispose`` by a drawn reviewer."""

    serializer_class = RiskAlertSerializer
    filterset_class = AlertFilter
    ordering_fields = ["raised_at", "id"]

    def get_permissions(self):
        perm = (
            "sentencing.review_centre" if self.action == "dispose" else "sentencing.view_riskalert"
        )
        return [IsAuthenticated(), perm_required(perm)()]

    def get_queryset(self):
        return scope.scoped(
            RiskAlert.objects.select_related("disposed_by__officer"),
            self.request.user,
            "case__unit__path",
        ).order_by("case_id", "id")

    def get_serializer_class(self):
        return AlertDisposeSerializer if self.action == "dispose" else RiskAlertSerializer

    @extend_schema(
        request=AlertDisposeSerializer, responses={200: RiskAlertSerializer, 409: STALE_RESPONSE}
    )
    @action(detail=True, methods=["post"])
    def dispose(self, request, pk=None):
        alert = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        alert = services.dispose_alert(
            user=request.user,
            alert=alert,
            disposition=data["disposition"],
            expected_version=data["expected_version"],
        )
        fresh = self.get_queryset().get(pk=alert.pk)
        return Response(RiskAlertSerializer(fresh).data)


class ObjectionFilter(django_filters.FilterSet):
    case = django_filters.NumberFilter(field_name="case_id")

    class Meta:
        model = Objection
        fields = ["case"]


class ObjectionViewSet(_StaleIs409, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Objections received during the notices of cases in the user's scope; ``create``
    records one, ``answer`` answers it (the penalty-execution section)."""

    filterset_class = ObjectionFilter
    ordering_fields = ["received_on", "id"]

    def get_permissions(self):
        if self.action in ("create", "answer"):
            return [IsAuthenticated(), perm_required("sentencing.review_section")()]
        return [IsAuthenticated(), perm_required("sentencing.view_case")()]

    def get_queryset(self):
        return scope.scoped(
            Objection.objects.select_related("answered_by__officer"),
            self.request.user,
            "case__unit__path",
        ).order_by("case_id", "received_on", "id")

    def get_serializer_class(self):
        if self.action == "create":
            return ObjectionCreateSerializer
        if self.action == "answer":
            return ObjectionAnswerSerializer
        return CaseObjectionSerializer

    @extend_schema(request=ObjectionCreateSerializer, responses={201: CaseObjectionSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        objection = services.record_objection(user=request.user, **serializer.validated_data)
        fresh = self.get_queryset().get(pk=objection.pk)
        return Response(CaseObjectionSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ObjectionAnswerSerializer, responses={200: CaseObjectionSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        objection = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.answer_objection(
            user=request.user, objection=objection, answer=serializer.validated_data["answer"]
        )
        fresh = self.get_queryset().get(pk=objection.pk)
        return Response(CaseObjectionSerializer(fresh).data)
