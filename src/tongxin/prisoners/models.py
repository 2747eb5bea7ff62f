"""Prisoners, their sentences and sentence history, and the ledgers of their conduct.

The ledgers (monthly points, rewards, punishments, violations) are append-only: a wrong entry
is never edited or deleted, it is cancelled by a reversing entry that points at it
(``reverses``) and carries the reason. Services are the only writers; every write is audited.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongxin.org import idcard
from tongxin.org.models import Gender, Officer, Unit
from tongxin.org.validators import validate_id_number


class SentenceType(models.TextChoices):
    FIXED_TERM = "fixed_term", _("有期徒刑")
    LIFE = "life", _("无期徒刑")
    DEATH_REPRIEVE = "death_reprieve", _("死刑缓期二年执行")


class Category(models.TextChoices):
    """The categories the law treats strictly (规定 arts. 7, 9, 11, 26, 27).

    ``recidivist`` and ``property_unfulfilled`` are not crimes but facts of the person; they are
    kept here too so that one list feeds the engine."""

    DUTY_CRIME = "duty_crime", _("职务犯罪")
    FINANCIAL = "financial", _("破坏金融管理秩序和金融诈骗犯罪")
    MAFIA = "mafia", _("组织、领导、参加、包庇、纵容黑社会性质组织犯罪")
    STATE_SECURITY = "state_security", _("危害国家安全犯罪")
    TERRORISM = "terrorism", _("恐怖活动犯罪")
    DRUG_RINGLEADER = "drug_ringleader", _("毒品犯罪集团的首要分子")
    DRUG_RECIDIVIST = "drug_recidivist", _("毒品再犯")
    RECIDIVIST = "recidivist", _("累犯")
    PROPERTY_UNFULFILLED = "property_unfulfilled", _("确有履行能力而不履行财产性判项")
    VIOLENT_10Y = "violent_10y", _("暴力性犯罪被判处十年以上")
    COMBINED_10Y = "combined_10y", _("数罪并罚且其中两罪以上被判处十年以上")


class CustodyStatus(models.TextChoices):
    IN_CUSTODY = "in_custody", _("在押")
    TEMPORARY_OUTSIDE = "temporary_outside", _("暂予监外执行")
    PAROLED = "paroled", _("假释")
    RELEASED = "released", _("刑满释放")


def sentence_text(sentence_type: str, months: int) -> str:
    """``有期徒刑 8年6个月``, ``有期徒刑 10年``, ``无期徒刑``."""
    label = str(dict(SentenceType.choices).get(sentence_type, sentence_type))
    if sentence_type != SentenceType.FIXED_TERM:
        return label
    years, rest = divmod(months, 12)
    length = (f"{years}年" if years else "") + (f"{rest}个月" if rest else "")
    return f"{label} {length or '0个月'}"


class Prisoner(models.Model):
    """A prisoner (罪犯) held in a district (监区) of a prison; scope follows ``unit``."""

    number = models.CharField(_("罪犯编号"), max_length=20, unique=True)
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    id_number = models.CharField(
        _("身份证号"), max_length=18, unique=True, validators=[validate_id_number]
    )
    birth_date = models.DateField(_("出生日期"))
    unit = models.ForeignKey(
        Unit, verbose_name=_("所在监区"), on_delete=models.PROTECT, related_name="prisoners"
    )
    crimes = models.CharField(_("罪名"), max_length=200)
    categories = models.JSONField(_("从严类别"), default=list, blank=True)
    is_recidivist = models.BooleanField(_("累犯"), default=False)
    sentence_type = models.CharField(
        _("刑种"), max_length=16, choices=SentenceType.choices, default=SentenceType.FIXED_TERM
    )
    term_years = models.PositiveSmallIntegerField(_("刑期(年)"), default=0)
    term_months = models.PositiveSmallIntegerField(_("刑期(月)"), default=0)
    restricted_reduction = models.BooleanField(_("限制减刑"), default=False)
    execution_start = models.DateField(_("判决执行之日"))
    detention_days = models.PositiveIntegerField(_("判决前羁押天数"), default=0)
    court = models.CharField(_("判决法院"), max_length=100, blank=True)
    judgment_number = models.CharField(_("判决书号"), max_length=60, blank=True)
    property_amount = models.DecimalField(
        _("财产性判项金额(元)"), max_digits=12, decimal_places=2, default=0
    )
    property_paid = models.DecimalField(
        _("已履行金额(元)"), max_digits=12, decimal_places=2, default=0
    )
    property_able_unfulfilled = models.BooleanField(
        _("确有履行能力而不履行"),
        default=False,
        help_text=_("由刑罚执行科核实认定;认定后按从严类别处理,且不得假释。"),
    )
    health = models.CharField(_("健康状况"), max_length=100, blank=True, default="健康")
    status = models.CharField(
        _("状态"), max_length=20, choices=CustodyStatus.choices, default=CustodyStatus.IN_CUSTODY
    )
    admitted_on = models.DateField(_("入监日期"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("罪犯")
        verbose_name_plural = _("罪犯")
        ordering = ["unit__path", "number"]
        indexes = [
            models.Index(fields=["unit", "status"], name="prisoners_unit_status"),
            models.Index(fields=["name"], name="prisoners_name"),
        ]
        permissions = [
            ("view_prisoner_id_number", _("查看罪犯完整身份证号")),
            ("export_prisoners", _("导出罪犯名册")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(sentence_type="fixed_term", term_years__gt=0)
                | Q(sentence_type="fixed_term", term_months__gt=0)
                | ~Q(sentence_type="fixed_term"),
                name="prisoners_fixed_term_has_length",
            ),
            models.CheckConstraint(
                condition=Q(term_months__lt=12), name="prisoners_term_months_below_12"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}({self.number})"

    @property
    def masked_id_number(self) -> str:
        return idcard.mask(self.id_number)

    @property
    def term_total_months(self) -> int:
        return self.term_years * 12 + self.term_months

    @property
    def term_start(self) -> dt.date:
        return self.execution_start - dt.timedelta(days=self.detention_days)

    @property
    def sentence_label(self) -> str:
        """The original sentence as people say it: 有期徒刑 8年6个月 / 无期徒刑."""
        return sentence_text(self.sentence_type, self.term_years * 12 + self.term_months)

    def current_sentence_label(self, changes) -> str:
        """The sentence after the court rulings ``changes`` (display only; the sentencing
        engine computes dates): a commutation sets the kind (and the years of a fixed term),
        a reduction shortens a fixed term."""
        kind, months = self.sentence_type, self.term_total_months
        for change in sorted(changes, key=lambda c: (c.ruling_date, c.pk or 0)):
            if change.kind == SentenceChangeKind.COMMUTATION:
                if change.to_years:
                    kind, months = SentenceType.FIXED_TERM, change.to_years * 12
                else:
                    kind, months = SentenceType.LIFE, 0
            elif kind == SentenceType.FIXED_TERM:
                months = max(0, months - change.months)
        return sentence_text(kind, months)

    @property
    def property_outstanding(self):
        return max(self.property_amount - self.property_paid, 0)

    def engine_categories(self) -> list[str]:
        """The categories as the eligibility engine reads them: crimes plus personal facts."""
        found = [c for c in self.categories if c in Category.values]
        if self.is_recidivist and Category.RECIDIVIST not in found:
            found.append(Category.RECIDIVIST.value)
        if self.property_able_unfulfilled and Category.PROPERTY_UNFULFILLED not in found:
            found.append(Category.PROPERTY_UNFULFILLED.value)
        return found

    def category_labels(self) -> list[str]:
        labels = dict(Category.choices)
        return [str(labels[c]) for c in self.engine_categories()]


class SentenceChangeKind(models.TextChoices):
    REDUCTION = "reduction", _("减刑")
    COMMUTATION = "commutation", _("减为有期徒刑或无期徒刑")


class SentenceChange(models.Model):
    """A court ruling that changed the sentence: a reduction by months, or a commutation (of
    life to a fixed term, or of death with reprieve to life or to a fixed term)."""

    prisoner = models.ForeignKey(
        Prisoner, verbose_name=_("罪犯"), on_delete=models.CASCADE, related_name="changes"
    )
    kind = models.CharField(_("类别"), max_length=12, choices=SentenceChangeKind.choices)
    ruling_date = models.DateField(_("裁定日期"))
    months = models.PositiveSmallIntegerField(_("减刑幅度(月)"), default=0)
    to_years = models.PositiveSmallIntegerField(
        _("减为有期徒刑(年)"), null=True, blank=True, help_text=_("空为减为无期徒刑")
    )
    court = models.CharField(_("裁定法院"), max_length=100, blank=True)
    ruling_number = models.CharField(_("裁定书号"), max_length=60, blank=True)
    case_id = models.PositiveBigIntegerField(_("评审案件"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("刑期变动")
        verbose_name_plural = _("刑期变动")
        ordering = ["prisoner", "ruling_date", "id"]

    def __str__(self) -> str:
        if self.kind == SentenceChangeKind.REDUCTION:
            return f"{self.ruling_date} 减刑{self.months}个月"
        target = f"有期徒刑{self.to_years}年" if self.to_years else "无期徒刑"
        return f"{self.ruling_date} 减为{target}"


class JobAssignment(models.Model):
    """The prisoner's labour post over time; a move to a lighter post shortly before a
    proposal is one of the internal-control risk signals."""

    class Intensity(models.IntegerChoices):
        LIGHT = 1, _("轻体力")
        NORMAL = 2, _("一般")
        HEAVY = 3, _("重体力")

    prisoner = models.ForeignKey(
        Prisoner, verbose_name=_("罪犯"), on_delete=models.CASCADE, related_name="jobs"
    )
    post = models.CharField(_("劳动岗位"), max_length=50)
    intensity = models.PositiveSmallIntegerField(
        _("劳动强度"), choices=Intensity.choices, default=Intensity.NORMAL
    )
    started_on = models.DateField(_("起始日期"))
    assigned_by = models.ForeignKey(
        Officer, verbose_name=_("安排民警"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("劳动岗位")
        verbose_name_plural = _("劳动岗位")
        ordering = ["prisoner", "-started_on", "-id"]

    def __str__(self) -> str:
        return f"{self.started_on} {self.post}"


class PointsKind(models.TextChoices):
    BASE = "base", _("基础分")
    ADDITION = "addition", _("加分")
    DEDUCTION = "deduction", _("扣分")
    REVERSAL = "reversal", _("冲正")


class PointsEntry(models.Model):
    """One line of the monthly points ledger (计分考核).

    A month's base line carries its three parts (监管改造, 教育改造, 劳动改造; 100 in all by
    default); additions and deductions carry a reason and the officer who proposed them. A
    reversal cancels one earlier entry by its exact negative."""

    prisoner = models.ForeignKey(
        Prisoner, verbose_name=_("罪犯"), on_delete=models.PROTECT, related_name="points"
    )
    month = models.DateField(_("考核月份"), help_text=_("当月1日"))
    kind = models.CharField(_("类别"), max_length=10, choices=PointsKind.choices)
    supervision = models.DecimalField(
        _("监管改造分"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    education = models.DecimalField(
        _("教育改造分"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    labour = models.DecimalField(
        _("劳动改造分"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    points = models.DecimalField(_("分值"), max_digits=6, decimal_places=1)
    reason = models.CharField(_("事由"), max_length=200)
    revision = models.PositiveSmallIntegerField(
        _("录入次序"),
        default=0,
        help_text=_("同一月份的基础分被冲正后重新录入时依次加1;首次录入为0"),
    )
    officer = models.ForeignKey(
        Officer, verbose_name=_("考核民警"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("冲正的条目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("计分条目")
        verbose_name_plural = _("计分条目")
        ordering = ["prisoner", "month", "id"]
        indexes = [models.Index(fields=["prisoner", "month"], name="prisoners_points_month")]
        constraints = [
            # A base line that was reversed may be entered again, with the next revision;
            # two base lines of the same revision (a concurrent double entry) cannot exist.
            models.UniqueConstraint(
                fields=["prisoner", "month", "revision"],
                condition=Q(kind="base"),
                name="prisoners_one_base_per_month",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.get_kind_display()} {self.points:+}"


class RewardKind(models.TextChoices):
    COMMENDATION = "commendation", _("表扬")
    MATERIAL = "material", _("物质奖励")
    MERIT = "merit", _("立功")
    MAJOR_MERIT = "major_merit", _("重大立功")


class Reward(models.Model):
    """A commendation (earned by the points threshold), a material reward, or a merit (立功 /
    重大立功, which rest on evidence). A revocation is a second row that ``reverses`` it."""

    prisoner = models.ForeignKey(
        Prisoner, verbose_name=_("罪犯"), on_delete=models.PROTECT, related_name="rewards"
    )
    kind = models.CharField(_("类别"), max_length=14, choices=RewardKind.choices)
    awarded_on = models.DateField(_("奖励日期"))
    reason = models.CharField(_("事由"), max_length=300)
    evidence = models.TextField(_("证据材料"), blank=True)
    rests_on_invention = models.BooleanField(
        _("以专利或发明创造为依据"), default=False, help_text=_("内控风险点:须评审员书面处置")
    )
    points_basis = models.DecimalField(
        _("对应累计分"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    officer = models.ForeignKey(
        Officer, verbose_name=_("呈报民警"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("撤销的奖励"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("奖励")
        verbose_name_plural = _("奖励")
        ordering = ["prisoner", "awarded_on", "id"]
        indexes = [models.Index(fields=["prisoner", "kind"], name="prisoners_reward_kind")]

    def __str__(self) -> str:
        return f"{self.awarded_on} {self.get_kind_display()}"


class PunishmentKind(models.TextChoices):
    WARNING = "warning", _("警告")
    DEMERIT = "demerit", _("记过")
    CONFINEMENT = "confinement", _("禁闭")


class Punishment(models.Model):
    prisoner = models.ForeignKey(
        Prisoner, verbose_name=_("罪犯"), on_delete=models.PROTECT, related_name="punishments"
    )
    kind = models.CharField(_("类别"), max_length=12, choices=PunishmentKind.choices)
    decided_on = models.DateField(_("决定日期"))
    reason = models.CharField(_("事由"), max_length=300)
    officer = models.ForeignKey(
        Officer, verbose_name=_("呈报民警"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("撤销的处罚"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("处罚")
        verbose_name_plural = _("处罚")
        ordering = ["prisoner", "decided_on", "id"]

    def __str__(self) -> str:
        return f"{self.decided_on} {self.get_kind_display()}"


class ViolationSeverity(models.TextChoices):
    ORDINARY = "ordinary", _("一般违规")
    SERIOUS = "serious", _("严重违规")


class Violation(models.Model):
    prisoner = models.ForeignKey(
        Prisoner, verbose_name=_("罪犯"), on_delete=models.PROTECT, related_name="violations"
    )
    severity = models.CharField(_("性质"), max_length=10, choices=ViolationSeverity.choices)
    occurred_on = models.DateField(_("发生日期"))
    description = models.CharField(_("情况"), max_length=300)
    officer = models.ForeignKey(
        Officer, verbose_name=_("记录民警"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("撤销的记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("违规记录")
        verbose_name_plural = _("违规记录")
        ordering = ["prisoner", "occurred_on", "id"]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.get_severity_display()}"


class PointsSetting(models.Model):
    """Provincial settings of the points system (one row)."""

    commendation_threshold = models.PositiveIntegerField(_("表扬所需累计分"), default=600)
    monthly_base = models.PositiveSmallIntegerField(_("月基础分"), default=100)
    commendations_for_repentance = models.PositiveSmallIntegerField(
        _("认定确有悔改表现所需表扬次数"), default=2
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("计分考核设置")
        verbose_name_plural = _("计分考核设置")

    def __str__(self) -> str:
        return f"表扬阈值 {self.commendation_threshold} 分"

    @classmethod
    def current(cls) -> PointsSetting:
        setting = cls.objects.order_by("pk").first()
        return setting or cls()
