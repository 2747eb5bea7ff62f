"""The current user and the notification centre over the API."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, services
from .models import Notification


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField(source="display_name")
    roles = serializers.SerializerMethodField()
    scope = serializers.SerializerMethodField()
    permissions = serializers.SerializerMethodField()
    must_change_password = serializers.BooleanField()

    def get_roles(self, user) -> list[str]:
        return [g.name for g in user.groups.all()]

    def get_scope(self, user) -> list[dict]:
        return [{"id": u.pk, "code": u.code, "name": u.name} for u in user.scope_units.all()]

    def get_permissions(self, user) -> list[str]:
        return sorted(user.get_all_permissions())


class MeView(APIView):
    """The signed-in user: roles, data scope and permissions (the mobile client starts here)."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "level", "title", "body", "link", "created_at", "read_at"]
        read_only_fields = fields


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(), required=False)


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The signed-in user's notifications, newest first."""

    serializer_class = NotificationSerializer
    filterset_fields = ["level"]
    queryset = Notification.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        unread = self.request.query_params.get("unread") in {"1", "true"}
        return selectors.notifications_for(self.request.user, unread_only=unread)

    @extend_schema(request=MarkReadSerializer, responses={200: None})
    @action(detail=False, methods=["post"], url_path="mark-read")
    def mark_read(self, request):
        data = MarkReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        count = services.mark_read(
            user=request.user, notification_ids=data.validated_data.get("ids")
        )
        return Response({"marked": count}, status=status.HTTP_200_OK)
