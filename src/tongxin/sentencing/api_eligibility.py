"""The eligibility engine over the API, on plain facts (the same input and output as
``tongxin eligibility check``): anyone signed in may check a case without it being in the
database. ``POST /api/sentencing/eligibility/`` with a list of cases; ``?on=YYYY-MM-DD`` for a
what-if date. Bad input is a 400 whose keys are the paths of the offending fields."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from . import engine
from .facts import FactsError, parse_cases
from .judge import ruleset_on

MAX_CASES = 5000


class EligibilityCheckView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("on", OpenApiTypes.DATE, description="按此日期判断,缺省为今天")
        ],
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT},
        description=(
            "输入为案件事实的 JSON 数组(格式见 README“减刑假释条件检查”),返回同序的判断结果数组。"
        ),
    )
    def post(self, request):
        raw_on = request.query_params.get("on")
        try:
            on = dt.date.fromisoformat(raw_on) if raw_on else timezone.localdate()
        except ValueError:
            return Response(
                {"on": ["日期格式应为 YYYY-MM-DD。"]}, status=status.HTTP_400_BAD_REQUEST
            )
        data = request.data
        if isinstance(data, list) and len(data) > MAX_CASES:
            return Response(
                {"non_field_errors": [f"一次最多检查{MAX_CASES}件。"]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            cases = parse_cases(data)
            ruleset = ruleset_on(on)
            results = [engine.assessment_to_json(engine.assess(c, on, ruleset)) for c in cases]
        except FactsError as error:
            return Response(
                {error.field or "non_field_errors": [error.message]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        except engine.HistoryError as error:
            return Response({"non_field_errors": [str(error)]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(results)
