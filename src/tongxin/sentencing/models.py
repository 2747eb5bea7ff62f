"""Cases of reduction, parole and temporary execution outside prison through the review
centre, the rule-table versions they were judged by, and the internal-control risk alerts.

The workflow itself (which step follows which, who may act) lives in ``workflow.py`` (pure) and
``services.py`` (the writes); a case row only keeps its state and the facts of each step.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongxin.org.models import Unit
from tongxin.prisoners.models import Prisoner


class RuleSetVersion(models.Model):
    """One version of the rule table (the numbers of the law, possibly tightened by the
    province). The engine reads the newest active version in force on the date judged."""

    version = models.CharField(_("版本"), max_length=60, unique=True)
    effective_from = models.DateField(_("施行日期"))
    numbers = models.JSONField(_("规则参数"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("规则版本")
        verbose_name_plural = _("规则版本")
        ordering = ["-effective_from", "-id"]

    def __str__(self) -> str:
        return f"{self.version}({self.effective_from}起)"


class CaseKind(models.TextChoices):
    REDUCTION = "reduction", _("减刑")
    PAROLE = "parole", _("假释")
    TEMPORARY = "temporary", _("暂予监外执行")


class CaseStatus(models.TextChoices):
    PROPOSED = "proposed", _("监区已提请")
    SECTION_REVIEWED = "section_reviewed", _("刑罚执行科已审查")
    CENTRE_REVIEWED = "centre_reviewed", _("评审中心已评审")
    COMMITTEE_APPROVED = "committee_approved", _("评审委员会已通过")
    IN_NOTICE = "in_notice", _("公示中")
    NOTICE_CLOSED = "notice_closed", _("公示结束")
    DIRECTOR_APPROVED = "director_approved", _("监狱长办公会已决定")
    SUBMITTED = "submitted", _("已提请法院")
    SUBMITTED_TO_BUREAU = "submitted_to_bureau", _("已报省局审批")
    CLOSED = "closed", _("已办结")


class CaseOutcome(models.TextChoices):
    GRANTED = "granted", _("裁定(批准)")
    PARTLY_GRANTED = "partly_granted", _("部分裁定")
    DENIED = "denied", _("裁定不予减刑、假释 / 不予批准")
    REJECTED = "rejected", _("狱内审查未通过")
    WITHDRAWN = "withdrawn", _("撤回")


class Case(models.Model):
    """A case of 减刑, 假释 or 暂予监外执行 for one prisoner."""

    number = models.CharField(_("案件编号"), max_length=40, unique=True)
    kind = models.CharField(_("案件类别"), max_length=12, choices=CaseKind.choices)
    prisoner = models.ForeignKey(
        Prisoner, verbose_name=_("罪犯"), on_delete=models.PROTECT, related_name="cases"
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("提请监区"),
        on_delete=models.PROTECT,
        related_name="sentencing_cases",
        help_text=_("提请时罪犯所在监区;数据范围按此判断"),
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.PROPOSED
    )
    outcome = models.CharField(_("结果"), max_length=16, choices=CaseOutcome.choices, blank=True)
    proposed_on = models.DateField(_("提请日期"))
    merit = models.CharField(_("改造表现"), max_length=40, blank=True)
    merit_basis = models.CharField(_("表现依据"), max_length=300, blank=True)
    proposed_months = models.PositiveSmallIntegerField(_("建议减刑幅度(月)"), null=True, blank=True)
    proposed_to_years = models.PositiveSmallIntegerField(
        _("建议减为有期徒刑(年)"), null=True, blank=True
    )
    reasons = models.TextField(_("提请理由(监区集体研究意见)"))
    risk_assessment = models.TextField(_("再犯罪危险评估"), blank=True)
    medical_assessment = models.TextField(_("病情诊断或检查证明"), blank=True)
    temporary_grounds = models.JSONField(_("暂予监外执行情形"), default=dict, blank=True)
    verdict = models.JSONField(_("规则引擎结论"), default=dict)
    ruleset_version = models.CharField(_("规则版本"), max_length=60)
    notice_start = models.DateField(_("公示开始"), null=True, blank=True)
    notice_end = models.DateField(_("公示截止"), null=True, blank=True)
    submitted_on = models.DateField(_("提请(报批)日期"), null=True, blank=True)
    submitted_to = models.CharField(_("受理机关"), max_length=100, blank=True)
    ruling_date = models.DateField(_("裁定(批准)日期"), null=True, blank=True)
    ruling_months = models.PositiveSmallIntegerField(_("裁定减刑(月)"), null=True, blank=True)
    ruling_to_years = models.PositiveSmallIntegerField(
        _("裁定减为有期徒刑(年)"), null=True, blank=True
    )
    ruling_number = models.CharField(_("裁定书号"), max_length=60, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本号"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("减刑假释暂予监外执行案件")
        verbose_name_plural = _("减刑假释暂予监外执行案件")
        ordering = ["-proposed_on", "-id"]
        indexes = [
            models.Index(fields=["unit", "status"], name="sentencing_case_unit_status"),
            models.Index(fields=["kind", "proposed_on"], name="sentencing_case_kind_date"),
        ]
        permissions = [
            ("propose_case", _("监区提请")),
            ("review_section", _("刑罚执行科审查、公示、提请与裁定登记")),
            ("review_centre", _("评审中心评审")),
            ("decide_committee", _("评审委员会评审")),
            ("decide_director", _("监狱长办公会决定")),
            ("approve_temporary", _("省局审批暂予监外执行")),
            ("screen_eligibility", _("减刑假释条件筛查")),
            ("view_case_statistics", _("查看案件统计")),
            ("manage_rules", _("配置减刑假释规则版本")),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.prisoner.name} {self.get_kind_display()}"


class CaseStep(models.Model):
    """One act on a case: who did what at which step, with the opinion written."""

    case = models.ForeignKey(
        Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="steps"
    )
    step = models.CharField(_("环节"), max_length=24)
    decision = models.CharField(_("意见"), max_length=12)
    from_status = models.CharField(_("原状态"), max_length=20)
    to_status = models.CharField(_("新状态"), max_length=20)
    opinion = models.TextField(_("意见内容"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    acted_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")
        ordering = ["case", "acted_at", "id"]

    def __str__(self) -> str:
        return f"{self.case.number} {self.step} {self.decision}"


class ReviewerAssignment(models.Model):
    """A review-centre reviewer drawn at random for a case, and their opinion."""

    case = models.ForeignKey(
        Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="reviewers"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评审员"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("抽取时间"))
    excluded = models.JSONField(_("回避情况"), default=list, blank=True)
    decision = models.CharField(_("评审意见"), max_length=12, blank=True)
    opinion = models.TextField(_("评审理由"), blank=True)
    decided_at = models.DateTimeField(_("评审时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评审员抽取")
        verbose_name_plural = _("评审员抽取")
        ordering = ["case", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "reviewer"], name="sentencing_reviewer_once")
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.reviewer}"


class Objection(models.Model):
    """An objection received during the public notice, and the answer to it."""

    case = models.ForeignKey(
        Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="objections"
    )
    received_on = models.DateField(_("收到日期"))
    objector = models.CharField(_("反映人"), max_length=100, blank=True)
    content = models.TextField(_("异议内容"))
    answer = models.TextField(_("核查答复"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_on = models.DateField(_("答复日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["case", "received_on", "id"]

    def __str__(self) -> str:
        return f"{self.case.number} {self.received_on}"


class AlertKind(models.TextChoices):
    POINTS_SURGE = "points_surge", _("临近提请前计分明显上升")
    CONCENTRATED_ADDITIONS = "concentrated_additions", _("加分集中于同一民警")
    INVENTION_MERIT = "invention_merit", _("以专利、发明创造认定立功")
    SPECIAL_CATEGORY = "special_category", _("从严类别罪犯")
    LIGHTER_JOB = "lighter_job", _("提请前调整为较轻劳动岗位")
    AMOUNT_ABOVE_USUAL = "amount_above_usual", _("幅度高于同类案件")
    PROPERTY_UNFULFILLED = "property_unfulfilled", _("财产性判项未履行完毕")


class RiskAlert(models.Model):
    """An internal-control risk raised on a case; the case cannot move on from the review
    centre until every alert has a reviewer's written disposition."""

    case = models.ForeignKey(
        Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="alerts"
    )
    kind = models.CharField(_("风险类型"), max_length=24, choices=AlertKind.choices)
    detail = models.CharField(_("情况"), max_length=400)
    raised_at = models.DateTimeField(_("预警时间"))
    disposition = models.TextField(_("处置意见"), blank=True)
    disposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    disposed_at = models.DateTimeField(_("处置时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("内控风险预警")
        verbose_name_plural = _("内控风险预警")
        ordering = ["case", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind"], name="sentencing_alert_once")
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_kind_display()}"


class WorkCalendarDay(models.Model):
    """An exception to the Monday–Friday working week: a statutory holiday on a weekday, or a
    weekend working day (调休). The public notice counts working days with these."""

    day = models.DateField(_("日期"), unique=True)
    is_working = models.BooleanField(_("工作日"))
    note = models.CharField(_("说明"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("工作日历调整")
        verbose_name_plural = _("工作日历调整")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {'上班' if self.is_working else '休息'}"


class ScreeningRun(models.Model):
    """A batch screening of a subtree (a prison or the province) as a background job."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("范围"), on_delete=models.PROTECT, related_name="+"
    )
    on_date = models.DateField(_("筛查日期"))
    horizon_days = models.PositiveSmallIntegerField(_("预测天数"), default=90)
    status = models.CharField(_("状态"), max_length=12, default="queued")
    total = models.PositiveIntegerField(_("罪犯总数"), default=0)
    done = models.PositiveIntegerField(_("已筛查"), default=0)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    error = models.TextField(_("错误"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("条件筛查任务")
        verbose_name_plural = _("条件筛查任务")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.unit} {self.on_date} {self.status}"
