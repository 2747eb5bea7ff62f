from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from tongxin.org.api import OfficerViewSet, UnitViewSet
from tongxin.party.api import (
    ActivityViewSet,
    PartyComplianceViewSet,
    PartyMemberViewSet,
    PartyMeViewSet,
    PartyOrganizationViewSet,
    PartyStatisticsViewSet,
)
from tongxin.party.api_mentoring import MentoringViewSet
from tongxin.party.api_records import (
    DevelopmentCaseViewSet,
    DuesPaymentViewSet,
    MembershipTransferViewSet,
    StudyRecordViewSet,
)
from tongxin.party.api_standards import (
    BranchAssessmentViewSet,
    ChecklistViewSet,
    ObservationViewSet,
    RequirementSettingViewSet,
)
from tongxin.prisoners.api import (
    PointsEntryViewSet,
    PrisonerViewSet,
    PunishmentViewSet,
    RewardViewSet,
    ViolationViewSet,
)
from tongxin.sentencing.api import AlertViewSet, CaseViewSet, ObjectionViewSet
from tongxin.sentencing.api_eligibility import EligibilityCheckView
from tongxin.web.api import MeView, NotificationViewSet

router = DefaultRouter()
router.register("units", UnitViewSet, basename="unit")
router.register("officers", OfficerViewSet, basename="officer")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("party/organizations", PartyOrganizationViewSet, basename="party-organization")
router.register("party/members", PartyMemberViewSet, basename="party-member")
router.register("party/activities", ActivityViewSet, basename="party-activity")
router.register("party/me", PartyMeViewSet, basename="party-me")
router.register("party/compliance", PartyComplianceViewSet, basename="party-compliance")
router.register("party/statistics", PartyStatisticsViewSet, basename="party-statistics")
router.register("party/dues", DuesPaymentViewSet, basename="party-dues")
router.register("party/study", StudyRecordViewSet, basename="party-study")
router.register("party/development", DevelopmentCaseViewSet, basename="party-development")
router.register("party/transfers", MembershipTransferViewSet, basename="party-transfer")
router.register("party/mentoring", MentoringViewSet, basename="party-mentoring")
router.register("party/checklists", ChecklistViewSet, basename="party-checklist")
router.register("party/assessments", BranchAssessmentViewSet, basename="party-assessment")
router.register("party/observations", ObservationViewSet, basename="party-observation")
router.register("party/requirements", RequirementSettingViewSet, basename="party-requirement")
router.register("prisoners", PrisonerViewSet, basename="prisoner")
router.register("prisoner-points", PointsEntryViewSet, basename="prisoner-points")
router.register("prisoner-rewards", RewardViewSet, basename="prisoner-reward")
router.register("prisoner-punishments", PunishmentViewSet, basename="prisoner-punishment")
router.register("prisoner-violations", ViolationViewSet, basename="prisoner-violation")
router.register("sentencing/cases", CaseViewSet, basename="sentencing-case")
router.register("sentencing/alerts", AlertViewSet, basename="sentencing-alert")
router.register("sentencing/objections", ObjectionViewSet, basename="sentencing-objection")

urlpatterns = [
    path("", include("tongxin.web.urls")),
    path("org/", include("tongxin.org.urls")),
    path("audit/", include("tongxin.audit.urls")),
    path("party/", include("tongxin.party.urls")),
    path("party/", include("tongxin.party.urls_membership")),
    path("party/", include("tongxin.party.urls_records")),
    path("party/", include("tongxin.party.urls_config")),
    path("party/", include("tongxin.party.urls_mentoring")),
    path("prisoners/", include("tongxin.prisoners.urls")),
    path("sentencing/screening/", include("tongxin.sentencing.urls_screening")),
    path("sentencing/statistics/", include("tongxin.sentencing.urls_statistics")),
    path("sentencing/rules/", include("tongxin.sentencing.urls_rules")),
    path("sentencing/", include("tongxin.sentencing.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/me/", MeView.as_view(), name="api-me"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/token/", obtain_auth_token, name="api-token"),
    path(
        "api/sentencing/eligibility/",
        EligibilityCheckView.as_view(),
        name="api-sentencing-eligibility",
    ),
    path("api/", include(router.urls)),
    path("admin/", admin.site.urls),
    path("favicon.ico", RedirectView.as_view(url=static("web/favicon.svg"), permanent=True)),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
