"""Units and officers over the API: scoped querysets, writes through services."""

from __future__ import annotations

import django_filters
from rest_framework import mixins, serializers, viewsets
from rest_framework.validators import UniqueValidator

from . import scope, selectors, services
from .models import Officer, Unit, path_q


class UnitSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Unit
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "kind",
            "kind_display",
            "parent",
            "depth",
            "sort_order",
            "is_active",
        ]
        read_only_fields = fields


class UnitFilter(django_filters.FilterSet):
    under = django_filters.NumberFilter(method="filter_under", label="某单位及其全部下级")

    class Meta:
        model = Unit
        fields = ["kind", "parent", "is_active"]

    def filter_under(self, queryset, name, value):
        unit = selectors.unit_for(self.request.user, value)
        return queryset.filter(path_q("path", unit.path))


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Units in the user's scope. ``?under=ID`` lists a whole subtree."""

    serializer_class = UnitSerializer
    filterset_class = UnitFilter
    search_fields = ["name", "code", "short_name"]
    ordering_fields = ["path", "code", "name"]

    def get_queryset(self):
        return scope.visible_units(self.request.user).order_by("path")


class OfficerSerializer(serializers.ModelSerializer):
    """ID numbers are masked unless the user may see them in full."""

    unit_name = serializers.CharField(source="unit.name", read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    class Meta:
        model = Officer
        fields = [
            "id",
            "police_number",
            "name",
            "gender",
            "id_number",
            "birth_date",
            "unit",
            "unit_name",
            "post",
            "rank",
            "phone",
            "home_region",
            "spouse_work_region",
            "party_status",
            "joined_on",
            "is_active",
            "updated_at",
        ]
        read_only_fields = ["birth_date"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["unit"].queryset = scope.visible_units(request.user)
            # Uniqueness is checked by the model in the service, inside its transaction.
            for name in ("police_number", "id_number"):
                self.fields[name].validators = [
                    v for v in self.fields[name].validators if not isinstance(v, UniqueValidator)
                ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None or not selectors.can_see_id_numbers(request.user):
            data["id_number"] = instance.masked_id_number
        return data


class OfficerUpdateSerializer(OfficerSerializer):
    expected_updated_at = serializers.DateTimeField(
        write_only=True,
        required=False,
        help_text="读取时的 updated_at;若该记录已被他人修改,则返回 400。",
    )

    class Meta(OfficerSerializer.Meta):
        fields = [*OfficerSerializer.Meta.fields, "expected_updated_at"]


class OfficerFilter(django_filters.FilterSet):
    under = django_filters.NumberFilter(method="filter_under", label="某单位及其全部下级")

    class Meta:
        model = Officer
        fields = ["gender", "party_status", "rank", "is_active", "unit"]

    def filter_under(self, queryset, name, value):
        unit = selectors.unit_for(self.request.user, value)
        return queryset.filter(path_q("unit__path", unit.path))


class OfficerViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Officers in the user's scope; create and update go through the org services."""

    filterset_class = OfficerFilter
    search_fields = ["name", "police_number", "post"]
    ordering_fields = ["police_number", "name", "unit__path"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.officers_for(self.request.user, active=None)

    def get_serializer_class(self):
        return OfficerUpdateSerializer if self.action == "partial_update" else OfficerSerializer

    def perform_create(self, serializer):
        serializer.instance = services.create_officer(
            user=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        expected = data.pop("expected_updated_at", None)
        serializer.instance = services.update_officer(
            user=self.request.user,
            officer=serializer.instance,
            expected_updated_at=expected,
            **data,
        )
