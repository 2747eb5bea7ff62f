"""智慧党建: party organisations, members, organisational life, study and dues.

The rules (frequencies, brackets, periods) live in the pure modules ``compliance``, ``dues``,
``development`` and ``similarity``; the vocabularies (kinds of organisation and activity,
frequencies) are theirs, so the database and the rules cannot drift apart.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongxin.org.models import Officer, Unit
from tongxin.org.tree import PathNode, PathQuerySet

from .compliance import THREE_MEETINGS_ONE_LECTURE, ActivityKind, Frequency, OrgKind
from .development import Stage

__all__ = ["THREE_MEETINGS_ONE_LECTURE", "ActivityKind", "Frequency", "OrgKind", "Stage"]


def _choices(enum) -> list[tuple[str, str]]:
    return [(member.value, member.label) for member in enum]


ORG_KIND_CHOICES = _choices(OrgKind)
ACTIVITY_KIND_CHOICES = _choices(ActivityKind)
STAGE_CHOICES = _choices(Stage)


class PartyOrganization(PathNode):
    """党委 → 党总支 → 党支部 → 党小组, each attached to one administrative unit."""

    code = models.CharField(_("组织代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("类别"), max_length=20, choices=ORG_KIND_CHOICES)
    unit = models.ForeignKey(
        Unit, verbose_name=_("所在单位"), on_delete=models.PROTECT, related_name="party_orgs"
    )
    established_on = models.DateField(_("成立日期"))
    dissolved_on = models.DateField(_("撤销日期"), null=True, blank=True)
    is_pilot = models.BooleanField(_("规范化建设试点"), default=False)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    objects = PathQuerySet.as_manager()

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["path"], name="party_org_path", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["kind", "path"], name="party_org_kind_path"),
        ]
        permissions = [
            ("view_party_statistics", _("查看党建统计")),
            ("manage_party_rules", _("配置组织生活要求")),
        ]

    def __str__(self) -> str:
        return self.name


class MemberStatus(models.TextChoices):
    PROBATIONARY = "probationary", _("预备党员")
    FULL = "full", _("正式党员")


class PartyMember(models.Model):
    """A serving police officer's party membership: exactly one branch at a time."""

    officer = models.OneToOneField(
        Officer, verbose_name=_("民警"), on_delete=models.PROTECT, related_name="party_member"
    )
    organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("所在党支部"),
        on_delete=models.PROTECT,
        related_name="members",
    )
    group = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("所在党小组"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="group_members",
    )
    status = models.CharField(_("党员类别"), max_length=16, choices=MemberStatus.choices)
    joined_on = models.DateField(_("入党日期"))
    full_on = models.DateField(_("转正日期"), null=True, blank=True)
    mentor = models.ForeignKey(
        "self",
        verbose_name=_("联系支委"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mentees",
    )
    dues_base = models.DecimalField(
        _("党费计算基数(月)"), max_digits=9, decimal_places=2, default=0
    )
    retired = models.BooleanField(_("离退休"), default=False)
    is_active = models.BooleanField(_("在册"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        indexes = [models.Index(fields=["organization", "is_active"], name="party_member_org")]

    def __str__(self) -> str:
        return self.officer.name


class CommitteePost(models.TextChoices):
    SECRETARY = "secretary", _("书记")
    DEPUTY = "deputy", _("副书记")
    MEMBER = "member", _("委员")


class CommitteeSeat(models.Model):
    """A seat on an organisation's committee (支委会 / 党委), for one term."""

    organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("党组织"),
        on_delete=models.CASCADE,
        related_name="committee_seats",
    )
    member = models.ForeignKey(
        PartyMember, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="seats"
    )
    post = models.CharField(_("职务"), max_length=16, choices=CommitteePost.choices)
    started_on = models.DateField(_("任职日期"))
    ended_on = models.DateField(_("离任日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("委员")
        verbose_name_plural = _("委员")
        ordering = ["organization", "post", "started_on"]

    def __str__(self) -> str:
        return f"{self.organization} {self.get_post_display()} {self.member}"


def new_checkin_token() -> str:
    return secrets.token_urlsafe(16)


class Activity(models.Model):
    """One record of organisational life: a meeting, lecture, themed day, study session."""

    organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("党组织"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    kind = models.CharField(_("类型"), max_length=24, choices=ACTIVITY_KIND_CHOICES)
    held_on = models.DateField(_("日期"))
    starts_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    topic = models.CharField(_("主题"), max_length=200)
    location = models.CharField(_("地点"), max_length=100, blank=True)
    host = models.ForeignKey(
        PartyMember,
        verbose_name=_("主持人/主讲人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hosted_activities",
    )
    by_secretary = models.BooleanField(_("书记主讲"), default=False)
    minutes = models.TextField(_("会议记录"), blank=True)
    expected_count = models.PositiveIntegerField(_("应到人数"), default=0)
    present_count = models.PositiveIntegerField(_("实到人数"), default=0)
    excused_count = models.PositiveIntegerField(_("请假人数"), default=0)
    checkin_token = models.CharField(
        _("签到码"), max_length=32, unique=True, default=new_checkin_token, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("组织生活")
        verbose_name_plural = _("组织生活")
        ordering = ["-held_on", "-id"]
        indexes = [
            models.Index(fields=["organization", "kind", "held_on"], name="party_act_org_kind"),
            models.Index(fields=["held_on", "kind"], name="party_act_date_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on:%Y-%m-%d} {self.topic}"

    @property
    def participation_rate(self) -> float | None:
        return self.present_count / self.expected_count if self.expected_count else None

    @property
    def below_quorum(self) -> bool:
        """A general meeting with fewer than two thirds present cannot vote."""
        return (
            self.kind == ActivityKind.GENERAL_MEETING
            and self.expected_count > 0
            and self.present_count * 3 < self.expected_count * 2
        )


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("出席")
    EXCUSED = "excused", _("请假")
    ABSENT = "absent", _("缺席")


class Attendance(models.Model):
    activity = models.ForeignKey(
        Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="attendance"
    )
    member = models.ForeignKey(
        PartyMember, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="attendance"
    )
    status = models.CharField(_("出席情况"), max_length=10, choices=AttendanceStatus.choices)
    reason = models.CharField(_("请假事由"), max_length=200, blank=True)
    checked_in_at = models.DateTimeField(_("扫码签到时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("出席记录")
        verbose_name_plural = _("出席记录")
        constraints = [
            models.UniqueConstraint(fields=["activity", "member"], name="party_attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.get_status_display()}"


class ActivityAttachment(models.Model):
    activity = models.ForeignKey(
        Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("文件"), upload_to="party/activities/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.name


class RequirementSetting(models.Model):
    """The bureau's configured frequency of one kind of organisational life."""

    kind = models.CharField(_("活动类型"), max_length=24, choices=ACTIVITY_KIND_CHOICES)
    org_kind = models.CharField(_("组织类别"), max_length=20, choices=ORG_KIND_CHOICES)
    frequency = models.CharField(_("频次"), max_length=12, choices=_choices(Frequency))
    minimum = models.PositiveSmallIntegerField(_("每期至少次数"), default=1)
    needs_committee = models.BooleanField(_("仅设支委会的组织"), default=False)
    by_secretary = models.BooleanField(_("须书记主讲"), default=False)
    basis = models.CharField(_("依据"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("组织生活要求")
        verbose_name_plural = _("组织生活要求")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "org_kind", "by_secretary"], name="party_requirement_once"
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_org_kind_display()}{self.get_frequency_display()}{self.get_kind_display()}"
        )


class StudyLevel(models.TextChoices):
    """The five levels of "五学" linkage."""

    CORE_GROUP = "core_group", _("党委理论学习中心组")
    ORGAN = "organ", _("机关党委(总支)")
    BRANCH = "branch", _("基层党支部")
    GROUP = "group", _("党小组")
    MEMBER = "member", _("党员民警自学")


class StudyRecord(models.Model):
    level = models.CharField(_("层级"), max_length=12, choices=StudyLevel.choices)
    organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("党组织"),
        on_delete=models.PROTECT,
        related_name="study_records",
    )
    held_on = models.DateField(_("日期"))
    title = models.CharField(_("学习主题"), max_length=200)
    material = models.TextField(_("学习材料"), blank=True)
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1)
    participants = models.ManyToManyField(
        PartyMember, verbose_name=_("参学党员"), blank=True, related_name="study_records"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("学习记录")
        verbose_name_plural = _("学习记录")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["organization", "held_on"], name="party_study_org_date")]

    def __str__(self) -> str:
        return self.title


class DuesPayment(models.Model):
    """One member's dues for one month (the first day of the month)."""

    member = models.ForeignKey(
        PartyMember, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="dues"
    )
    month = models.DateField(_("所属月份"))
    base = models.DecimalField(_("计算基数"), max_digits=9, decimal_places=2)
    amount_due = models.DecimalField(_("应缴金额"), max_digits=8, decimal_places=2)
    amount_paid = models.DecimalField(_("实缴金额"), max_digits=8, decimal_places=2)
    paid_on = models.DateField(_("缴纳日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("党费缴纳")
        verbose_name_plural = _("党费缴纳")
        constraints = [
            models.UniqueConstraint(fields=["member", "month"], name="party_dues_once_a_month")
        ]
        indexes = [models.Index(fields=["month"], name="party_dues_month")]

    def __str__(self) -> str:
        return f"{self.member} {self.month:%Y-%m}"


class DuesClosing(models.Model):
    """A committee closes a month's dues ledger; no payment may be recorded for it after."""

    organization = models.ForeignKey(
        PartyOrganization, verbose_name=_("党委"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("结账月份"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("结账时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("党费结账")
        verbose_name_plural = _("党费结账")
        constraints = [
            models.UniqueConstraint(fields=["organization", "month"], name="party_dues_close_once")
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.month:%Y-%m}"


class DevelopmentCase(models.Model):
    """One person's way into the party (发展党员), from application to full membership."""

    officer = models.ForeignKey(
        Officer, verbose_name=_("民警"), on_delete=models.PROTECT, related_name="party_cases"
    )
    branch = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("培养党支部"),
        on_delete=models.PROTECT,
        related_name="development_cases",
    )
    stage = models.CharField(_("当前阶段"), max_length=16, choices=STAGE_CHOICES)
    applied_on = models.DateField(_("递交申请日期"))
    activist_on = models.DateField(_("确定积极分子日期"), null=True, blank=True)
    candidate_on = models.DateField(_("确定发展对象日期"), null=True, blank=True)
    probationary_on = models.DateField(_("接收预备党员日期"), null=True, blank=True)
    full_on = models.DateField(_("转正日期"), null=True, blank=True)
    contacts = models.ManyToManyField(
        "PartyMember", verbose_name=_("培养联系人"), blank=True, related_name="contact_cases"
    )
    training_hours = models.PositiveSmallIntegerField(_("集中培训学时"), default=0)
    political_review_done = models.BooleanField(_("政治审查已完成"), default=False)
    probation_extended_months = models.PositiveSmallIntegerField(_("延长预备期(月)"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("发展党员")
        verbose_name_plural = _("发展党员")
        ordering = ["branch", "applied_on"]

    def __str__(self) -> str:
        return f"{self.officer.name}({self.get_stage_display()})"


class DevelopmentStep(models.Model):
    """The history of a case: every stage recorded, with who recorded it."""

    case = models.ForeignKey(
        DevelopmentCase, verbose_name=_("发展对象"), on_delete=models.CASCADE, related_name="steps"
    )
    stage = models.CharField(_("阶段"), max_length=16, choices=STAGE_CHOICES)
    on = models.DateField(_("日期"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("发展步骤")
        verbose_name_plural = _("发展步骤")
        ordering = ["case", "on", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.get_stage_display()} {self.on}"


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("待接收")
    ACCEPTED = "accepted", _("已接收")
    REJECTED = "rejected", _("已退回")
    CANCELLED = "cancelled", _("已撤销")


class MembershipTransfer(models.Model):
    """组织关系转接: a letter out of one branch, accepted (or not) by the receiving branch."""

    member = models.ForeignKey(
        PartyMember, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="transfers"
    )
    from_branch = models.ForeignKey(
        PartyOrganization, verbose_name=_("转出支部"), on_delete=models.PROTECT, related_name="+"
    )
    to_branch = models.ForeignKey(
        PartyOrganization, verbose_name=_("转入支部"), on_delete=models.PROTECT, related_name="+"
    )
    letter_number = models.CharField(_("介绍信编号"), max_length=40, unique=True)
    issued_on = models.DateField(_("开具日期"))
    valid_until = models.DateField(_("有效期至"))
    status = models.CharField(
        _("状态"), max_length=10, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    decided_on = models.DateField(_("办理日期"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("备注"), max_length=300, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("组织关系转接")
        verbose_name_plural = _("组织关系转接")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(status="pending"),
                name="party_one_pending_transfer",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.from_branch} → {self.to_branch}"


class MinutesFlag(models.Model):
    """Two records whose minutes are near-duplicates: one was likely copied from the other.
    Flagged for the secretary of the organisation above, who reviews it."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("被标记记录"), on_delete=models.CASCADE, related_name="copy_flags"
    )
    similar_to = models.ForeignKey(
        Activity, verbose_name=_("相似记录"), on_delete=models.CASCADE, related_name="+"
    )
    similarity = models.FloatField(_("相似度"))
    same_org = models.BooleanField(_("同一组织"))
    detected_at = models.DateTimeField(_("发现时间"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    review_note = models.CharField(_("核查意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("会议记录雷同")
        verbose_name_plural = _("会议记录雷同")
        ordering = ["-similarity", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "similar_to"], name="party_flag_once")
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} ≈ {self.similar_to_id} ({self.similarity:.0%})"


class Checklist(models.Model):
    """A standardisation checklist set by the bureau: "五个基本", "七个体系", "九个规范"."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    description = models.TextField(_("说明"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("规范化建设清单")
        verbose_name_plural = _("规范化建设清单")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class ChecklistItem(models.Model):
    checklist = models.ForeignKey(
        Checklist, verbose_name=_("清单"), on_delete=models.CASCADE, related_name="items"
    )
    title = models.CharField(_("项目"), max_length=200)
    weight = models.DecimalField(_("权重(分值)"), max_digits=5, decimal_places=1)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("清单项目")
        verbose_name_plural = _("清单项目")
        ordering = ["checklist", "sort_order", "id"]

    def __str__(self) -> str:
        return self.title


class BranchAssessment(models.Model):
    """A branch's yearly assessment against the checklists; the total is the weighted sum."""

    branch = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("党支部"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    total = models.DecimalField(_("总分"), max_digits=6, decimal_places=2, default=0)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assessed_on = models.DateField(_("评定日期"))

    class Meta:
        verbose_name = _("支部规范化评定")
        verbose_name_plural = _("支部规范化评定")
        ordering = ["-year", "-total"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "year"], name="party_assessment_once")
        ]

    def __str__(self) -> str:
        return f"{self.branch} {self.year}"


class AssessmentScore(models.Model):
    """One item's score: the share of its weight earned (0–100%) and the evidence for it."""

    assessment = models.ForeignKey(
        BranchAssessment, verbose_name=_("评定"), on_delete=models.CASCADE, related_name="scores"
    )
    item = models.ForeignKey(
        ChecklistItem, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="+"
    )
    percent = models.PositiveSmallIntegerField(_("得分率(%)"))
    evidence = models.TextField(_("佐证材料"))

    class Meta:
        verbose_name = _("项目得分")
        verbose_name_plural = _("项目得分")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item"], name="party_score_once")
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.percent}%"


class Observation(models.Model):
    """现场观摩: every quarter the bureau's organs watch one branch's themed party day."""

    activity = models.ForeignKey(
        Activity,
        verbose_name=_("观摩的主题党日"),
        on_delete=models.PROTECT,
        related_name="observations",
    )
    quarter = models.CharField(_("季度"), max_length=7)  # "2023Q4"
    observers = models.CharField(_("观摩人员"), max_length=300)
    comments = models.TextField(_("点评意见"))
    score = models.DecimalField(_("评分"), max_digits=5, decimal_places=1)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("现场观摩")
        verbose_name_plural = _("现场观摩")
        ordering = ["-quarter"]

    def __str__(self) -> str:
        return f"{self.quarter} {self.activity}"
