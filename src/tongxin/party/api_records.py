"""党费, 学习, 发展党员 and 组织关系转接 over the API: scoped lists, writes through the services.

Register under the ``party/`` prefix beside ``tongxin.party.api``: ``party/dues``,
``party/study``, ``party/development`` (with ``advance``) and ``party/transfers`` (with
``decide``). Every refusal of a service is a 400 with the Chinese reason on its field (see
``tongxin.web.api_base.exception_handler``).
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from tongxin.org import scope
from tongxin.org.models import Officer
from tongxin.org.tree import path_q

from . import development, selectors, services
from .api import perm_required
from .models import (
    DevelopmentCase,
    DuesPayment,
    MembershipTransfer,
    PartyMember,
    PartyOrganization,
    StudyLevel,
    StudyRecord,
)

# --- scoped querysets ---------------------------------------------------------------------


def dues_for(user):
    return scope.scoped(
        DuesPayment.objects.select_related("member__officer", "member__organization"),
        user,
        "member__organization__unit__path",
    ).order_by("-month", "member__officer__police_number", "id")


def studies_for(user):
    return (
        scope.scoped(
            StudyRecord.objects.select_related("organization"), user, "organization__unit__path"
        )
        .annotate(participant_count=Count("participants"))
        .prefetch_related("participants")
        .order_by("-held_on", "-id")
    )


def cases_for(user):
    return scope.scoped(
        DevelopmentCase.objects.select_related("officer", "branch").prefetch_related("contacts"),
        user,
        "branch__unit__path",
    ).order_by("branch__path", "applied_on", "id")


def transfers_for(user):
    """Transfers out of or into a branch the user sees."""
    qs = MembershipTransfer.objects.select_related("member__officer", "from_branch", "to_branch")
    if not scope.sees_all(user):
        qs = qs.filter(
            scope.scope_q(user, "from_branch__unit__path")
            | scope.scope_q(user, "to_branch__unit__path")
        )
    return qs.order_by("-issued_on", "-id")


class _ScopedFieldsMixin:
    """Set the querysets of related fields from the request: ``scoped_fields`` maps a field
    name to a function of the user returning its queryset."""

    scoped_fields: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = request.user if request is not None else None
        for name, queryset_for in self.scoped_fields.items():
            field = self.fields[name]
            target = getattr(field, "child_relation", field)
            target.queryset = queryset_for(user) if user is not None else target.queryset.none()


# --- dues ---------------------------------------------------------------------------------


class DuesPaymentSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.officer.name", read_only=True)
    police_number = serializers.CharField(source="member.officer.police_number", read_only=True)
    organization = serializers.IntegerField(source="member.organization_id", read_only=True)
    organization_name = serializers.CharField(source="member.organization.name", read_only=True)

    class Meta:
        model = DuesPayment
        fields = [
            "id",
            "member",
            "member_name",
            "police_number",
            "organization",
            "organization_name",
            "month",
            "base",
            "amount_due",
            "amount_paid",
            "paid_on",
        ]
        read_only_fields = fields


class DuesPaymentCreateSerializer(_ScopedFieldsMixin, serializers.Serializer):
    member = serializers.PrimaryKeyRelatedField(queryset=PartyMember.objects.none())
    month = serializers.DateField(help_text="所属月份(该月任一日,记为当月1日)")
    amount_paid = serializers.DecimalField(max_digits=8, decimal_places=2)
    paid_on = serializers.DateField(required=False, allow_null=True)

    scoped_fields = {"member": lambda user: selectors.members_for(user)}


class DuesPaymentFilter(django_filters.FilterSet):
    member = django_filters.NumberFilter(field_name="member_id")
    year = django_filters.NumberFilter(field_name="month", lookup_expr="year")
    month = django_filters.CharFilter(method="filter_month", label="月份:YYYY-MM 或 1–12")

    class Meta:
        model = DuesPayment
        fields = ["member", "year", "month"]

    def filter_month(self, queryset, name, value):
        value = value.strip()
        try:
            if "-" in value:
                year, month = (int(part) for part in value.split("-")[:2])
                return queryset.filter(month=dt.date(year, month, 1))
            number = int(value)
            if not 1 <= number <= 12:
                raise ValueError
        except ValueError as exc:
            raise serializers.ValidationError({"month": ["月份须为YYYY-MM或1至12。"]}) from exc
        return queryset.filter(month__month=number)


class DuesPaymentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Dues payments of members in the user's scope; ``?member=&year=&month=``."""

    filterset_class = DuesPaymentFilter
    ordering_fields = ["month", "paid_on", "id"]
    search_fields = ["member__officer__name", "member__officer__police_number"]

    def get_permissions(self):
        perm = "party.add_duespayment" if self.action == "create" else "party.view_duespayment"
        return [IsAuthenticated(), perm_required(perm)()]

    def get_queryset(self):
        return dues_for(self.request.user)

    def get_serializer_class(self):
        return DuesPaymentCreateSerializer if self.action == "create" else DuesPaymentSerializer

    @extend_schema(request=DuesPaymentCreateSerializer, responses={201: DuesPaymentSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payment = services.record_dues_payment(user=request.user, **serializer.validated_data)
        fresh = dues_for(request.user).get(pk=payment.pk)
        return Response(DuesPaymentSerializer(fresh).data, status=status.HTTP_201_CREATED)


# --- study --------------------------------------------------------------------------------


class StudyRecordSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    participant_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = StudyRecord
        fields = [
            "id",
            "level",
            "level_display",
            "organization",
            "organization_name",
            "held_on",
            "title",
            "material",
            "hours",
            "participants",
            "participant_count",
            "created_at",
        ]
        read_only_fields = fields


class StudyRecordCreateSerializer(_ScopedFieldsMixin, serializers.Serializer):
    organization = serializers.PrimaryKeyRelatedField(queryset=PartyOrganization.objects.none())
    level = serializers.ChoiceField(choices=StudyLevel.choices)
    held_on = serializers.DateField()
    title = serializers.CharField(max_length=200)
    hours = serializers.DecimalField(max_digits=5, decimal_places=1)
    material = serializers.CharField(required=False, allow_blank=True, default="")
    participants = serializers.PrimaryKeyRelatedField(
        many=True, queryset=PartyMember.objects.none(), help_text="参学党员 id"
    )

    scoped_fields = {
        "organization": lambda user: selectors.organizations_for(user),
        "participants": lambda user: selectors.members_for(user),
    }


class StudyRecordFilter(django_filters.FilterSet):
    organization = django_filters.NumberFilter(
        method="filter_organization", label="某党组织及其全部下级"
    )
    date_from = django_filters.DateFilter(field_name="held_on", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="held_on", lookup_expr="lte")

    class Meta:
        model = StudyRecord
        fields = ["level"]

    def filter_organization(self, queryset, name, value):
        org = selectors.organization_for(self.request.user, value)
        return queryset.filter(path_q("organization__path", org.path))


class StudyRecordViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """ "五学" study records of organisations in the user's scope."""

    filterset_class = StudyRecordFilter
    ordering_fields = ["held_on", "id"]
    search_fields = ["title"]

    def get_permissions(self):
        perm = "party.add_studyrecord" if self.action == "create" else "party.view_studyrecord"
        return [IsAuthenticated(), perm_required(perm)()]

    def get_queryset(self):
        return studies_for(self.request.user)

    def get_serializer_class(self):
        return StudyRecordCreateSerializer if self.action == "create" else StudyRecordSerializer

    @extend_schema(request=StudyRecordCreateSerializer, responses={201: StudyRecordSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        study = services.record_study(user=request.user, **serializer.validated_data)
        fresh = studies_for(request.user).get(pk=study.pk)
        return Response(StudyRecordSerializer(fresh).data, status=status.HTTP_201_CREATED)


# --- development (发展党员) ----------------------------------------------------------------


def next_step_data(case: DevelopmentCase, today: dt.date | None = None) -> dict:
    """The case's next step as plain values: what, from when, and what refuses it today."""
    step = development.next_step(services.case_facts(case), today=today or timezone.localdate())
    return {
        "stage_to": step.stage_to.value if step.stage_to else None,
        "stage_to_display": step.stage_to.label if step.stage_to else None,
        "earliest_on": step.earliest_on,
        "allowed_now": step.allowed_now,
        "reasons": [{"rule": r.rule, "basis": r.basis, "text": r.text} for r in step.reasons],
    }


class NextStepSerializer(serializers.Serializer):
    stage_to = serializers.CharField(allow_null=True)
    stage_to_display = serializers.CharField(allow_null=True)
    earliest_on = serializers.DateField(allow_null=True)
    allowed_now = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.DictField(child=serializers.CharField()))


class DevelopmentCaseSerializer(serializers.ModelSerializer):
    officer_name = serializers.CharField(source="officer.name", read_only=True)
    police_number = serializers.CharField(source="officer.police_number", read_only=True)
    branch_name = serializers.CharField(source="branch.name", read_only=True)
    stage_display = serializers.CharField(source="get_stage_display", read_only=True)
    next_step = serializers.SerializerMethodField()

    class Meta:
        model = DevelopmentCase
        fields = [
            "id",
            "officer",
            "officer_name",
            "police_number",
            "branch",
            "branch_name",
            "stage",
            "stage_display",
            "applied_on",
            "activist_on",
            "candidate_on",
            "probationary_on",
            "full_on",
            "contacts",
            "training_hours",
            "political_review_done",
            "probation_extended_months",
            "updated_at",
            "next_step",
        ]
        read_only_fields = fields

    @extend_schema(responses=NextStepSerializer)
    def get_next_step(self, case) -> dict:
        return next_step_data(case, self.context.get("today"))


class DevelopmentStepSerializer(serializers.Serializer):
    stage = serializers.CharField()
    stage_display = serializers.CharField(source="get_stage_display")
    on = serializers.DateField()
    note = serializers.CharField()


class DevelopmentCaseDetailSerializer(DevelopmentCaseSerializer):
    steps = DevelopmentStepSerializer(many=True, read_only=True)

    class Meta(DevelopmentCaseSerializer.Meta):
        fields = [*DevelopmentCaseSerializer.Meta.fields, "steps"]
        read_only_fields = fields


class DevelopmentCaseCreateSerializer(_ScopedFieldsMixin, serializers.Serializer):
    officer = serializers.PrimaryKeyRelatedField(queryset=Officer.objects.none())
    branch = serializers.PrimaryKeyRelatedField(queryset=PartyOrganization.objects.none())
    applied_on = serializers.DateField()

    scoped_fields = {
        "officer": lambda user: scope.scoped(Officer.objects.all(), user),
        "branch": lambda user: selectors.organizations_for(user),
    }


class AdvanceSerializer(_ScopedFieldsMixin, serializers.Serializer):
    to = serializers.ChoiceField(choices=[(s.value, s.label) for s in development.Stage])
    on = serializers.DateField()
    contacts = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=PartyMember.objects.none(),
        required=False,
        help_text="培养联系人(本支部正式党员)id",
    )
    training_hours = serializers.IntegerField(min_value=0, max_value=1000, required=False)
    political_review_done = serializers.BooleanField(required=False)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    scoped_fields = {"contacts": lambda user: selectors.members_for(user)}


class DevelopmentCaseFilter(django_filters.FilterSet):
    branch = django_filters.NumberFilter(field_name="branch_id")

    class Meta:
        model = DevelopmentCase
        fields = ["stage", "branch"]


class DevelopmentCaseViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Development cases of branches in the user's scope, each with its next step.

    ``advance`` records the next step; a step out of order, too early or with a condition
    missing is a 400 with every reason on ``to``."""

    filterset_class = DevelopmentCaseFilter
    ordering_fields = ["applied_on", "id"]
    search_fields = ["officer__name", "officer__police_number"]

    def get_permissions(self):
        if self.action in ("create", "advance"):
            return [IsAuthenticated(), perm_required("party.change_partymember")()]
        return [IsAuthenticated(), perm_required("party.view_partymember")()]

    def get_queryset(self):
        qs = cases_for(self.request.user)
        if self.action in ("retrieve", "advance"):
            qs = qs.prefetch_related("steps")
        return qs

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def get_serializer_class(self):
        if self.action == "create":
            return DevelopmentCaseCreateSerializer
        if self.action == "advance":
            return AdvanceSerializer
        if self.action == "retrieve":
            return DevelopmentCaseDetailSerializer
        return DevelopmentCaseSerializer

    def _detail(self, case: DevelopmentCase, status_code: int) -> Response:
        fresh = cases_for(self.request.user).prefetch_related("steps").get(pk=case.pk)
        data = DevelopmentCaseDetailSerializer(fresh, context=self.get_serializer_context()).data
        return Response(data, status=status_code)

    @extend_schema(
        request=DevelopmentCaseCreateSerializer, responses={201: DevelopmentCaseDetailSerializer}
    )
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = services.open_development_case(user=request.user, **serializer.validated_data)
        return self._detail(case, status.HTTP_201_CREATED)

    @extend_schema(request=AdvanceSerializer, responses={200: DevelopmentCaseDetailSerializer})
    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        case = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            case = services.advance_development(
                user=request.user, case=case, **serializer.validated_data
            )
        except DjangoValidationError as exc:
            # The service names the case's ``stage``; the request's field is ``to``.
            if hasattr(exc, "error_dict") and "stage" in exc.error_dict:
                errors = exc.message_dict
                errors["to"] = errors.pop("stage")
                raise DjangoValidationError(errors) from exc
            raise
        return self._detail(case, status.HTTP_200_OK)


# --- transfers (组织关系转接) --------------------------------------------------------------


class MembershipTransferSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.officer.name", read_only=True)
    from_branch_name = serializers.CharField(source="from_branch.name", read_only=True)
    to_branch_name = serializers.CharField(source="to_branch.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = MembershipTransfer
        fields = [
            "id",
            "member",
            "member_name",
            "from_branch",
            "from_branch_name",
            "to_branch",
            "to_branch_name",
            "letter_number",
            "issued_on",
            "valid_until",
            "status",
            "status_display",
            "decided_on",
            "note",
        ]
        read_only_fields = fields


class TransferCreateSerializer(_ScopedFieldsMixin, serializers.Serializer):
    member = serializers.PrimaryKeyRelatedField(queryset=PartyMember.objects.none())
    to_branch = serializers.PrimaryKeyRelatedField(
        queryset=PartyOrganization.objects.all(), help_text="转入党支部 id(可在数据范围之外)"
    )
    letter_number = serializers.CharField(max_length=40)
    valid_days = serializers.IntegerField(default=30)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    scoped_fields = {"member": lambda user: selectors.members_for(user)}


class DecideSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class MembershipTransferFilter(django_filters.FilterSet):
    member = django_filters.NumberFilter(field_name="member_id")

    class Meta:
        model = MembershipTransfer
        fields = ["status", "member"]


class MembershipTransferViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Transfers out of or into branches in the user's scope. ``create`` issues the letter
    (sending branch); ``decide`` accepts or returns it (receiving branch)."""

    filterset_class = MembershipTransferFilter
    ordering_fields = ["issued_on", "id"]
    search_fields = ["member__officer__name", "letter_number"]

    def get_permissions(self):
        if self.action in ("create", "decide"):
            return [IsAuthenticated(), perm_required("party.change_partymember")()]
        return [IsAuthenticated(), perm_required("party.view_partymember")()]

    def get_queryset(self):
        return transfers_for(self.request.user)

    def get_serializer_class(self):
        if self.action == "create":
            return TransferCreateSerializer
        if self.action == "decide":
            return DecideSerializer
        return MembershipTransferSerializer

    def _detail(self, transfer: MembershipTransfer, status_code: int) -> Response:
        fresh = transfers_for(self.request.user).get(pk=transfer.pk)
        return Response(MembershipTransferSerializer(fresh).data, status=status_code)

    @extend_schema(request=TransferCreateSerializer, responses={201: MembershipTransferSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        transfer = services.issue_transfer(user=request.user, **serializer.validated_data)
        return self._detail(transfer, status.HTTP_201_CREATED)

    @extend_schema(request=DecideSerializer, responses={200: MembershipTransferSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        transfer = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        transfer = services.decide_transfer(
            user=request.user, transfer=transfer, **serializer.validated_data
        )
        return self._detail(transfer, status.HTTP_200_OK)
