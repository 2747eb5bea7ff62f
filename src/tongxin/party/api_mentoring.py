""" "1+N" mentoring over the API.

Register as ``party/mentoring``: ``GET`` lists the coverage per branch in the user's scope
(``?org=`` narrows it to one organisation and its subtree); ``POST assign/`` names a member's
mentor through ``services.assign_mentor`` — a refusal is a 400 with the Chinese reason on
``mentor`` (see ``tongxin.web.api_base.exception_handler``).
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from tongxin.web.pages import int_or_404

from . import reports, selectors, services
from .api import perm_required
from .api_records import _ScopedFieldsMixin
from .models import PartyMember


class CoverageSerializer(serializers.Serializer):
    organization_id = serializers.IntegerField()
    organization__name = serializers.CharField()
    total = serializers.IntegerField()
    mentored = serializers.IntegerField()
    coverage = serializers.FloatField(allow_null=True)


class AssignMentorSerializer(_ScopedFieldsMixin, serializers.Serializer):
    member = serializers.PrimaryKeyRelatedField(queryset=PartyMember.objects.none())
    mentor = serializers.PrimaryKeyRelatedField(
        queryset=PartyMember.objects.none(), allow_null=True, help_text="联系支委 id;null 为撤销"
    )
    replace = serializers.BooleanField(required=False, default=False)

    scoped_fields = {
        "member": lambda user: selectors.members_for(user),
        "mentor": lambda user: selectors.members_for(user),
    }


class MentoredMemberSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="officer.name", read_only=True)
    mentor_name = serializers.CharField(
        source="mentor.officer.name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = PartyMember
        fields = ["id", "member_name", "organization", "mentor", "mentor_name"]
        read_only_fields = fields


class MentoringViewSet(viewsets.ViewSet):
    """Coverage of "1+N" mentoring and assigning a member's mentor."""

    def get_permissions(self):
        perm = "party.change_partymember" if self.action == "assign" else "party.view_partymember"
        return [IsAuthenticated(), perm_required(perm)()]

    @extend_schema(
        parameters=[OpenApiParameter("org", OpenApiTypes.INT, description="党组织 id")],
        responses=CoverageSerializer(many=True),
    )
    def list(self, request):
        org_id = request.query_params.get("org")
        root = selectors.organization_for(request.user, int_or_404(org_id)) if org_id else None
        rows = reports.mentoring_coverage(request.user, root=root)
        return Response(CoverageSerializer(rows, many=True).data)

    @extend_schema(request=AssignMentorSerializer, responses={200: MentoredMemberSerializer})
    @action(detail=False, methods=["post"])
    def assign(self, request):
        serializer = AssignMentorSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        member = services.assign_mentor(user=request.user, **serializer.validated_data)
        fresh = selectors.members_for(request.user, active=False).get(pk=member.pk)
        return Response(MentoredMemberSerializer(fresh).data, status=status.HTTP_200_OK)
