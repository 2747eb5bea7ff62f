"""Administrative units (one tree), police officers, users and their data scopes."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import idcard
from .tree import PathNode, PathQuerySet, path_q, path_segment
from .validators import validate_id_number

__all__ = ["Officer", "Unit", "User", "path_q", "path_segment"]


class UnitKind(models.TextChoices):
    BUREAU = "bureau", _("省监狱管理局")
    BUREAU_DEPARTMENT = "bureau_department", _("局机关处室")
    PRISON = "prison", _("监狱")
    DEPARTMENT = "department", _("科室")
    DISTRICT = "district", _("监区")
    SUBDISTRICT = "subdistrict", _("分监区")
    CITY = "city", _("县市")
    TOWN = "town", _("镇(街道)")
    VILLAGE = "village", _("村(社区)")


class UnitQuerySet(PathQuerySet):
    def prisons(self) -> UnitQuerySet:
        return self.filter(kind=UnitKind.PRISON)


class Unit(PathNode):
    """A node of the one unit tree, with its materialised path ``0000001/0000007/``."""

    code = models.CharField(_("单位代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    kind = models.CharField(_("类别"), max_length=20, choices=UnitKind.choices)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["path"], name="org_unit_path", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["kind", "path"], name="org_unit_kind_path"),
        ]
        permissions = [("import_units", _("导入单位"))]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class PartyStatus(models.TextChoices):
    MEMBER = "member", _("中共党员")
    PROBATIONARY = "probationary", _("中共预备党员")
    LEAGUE = "league", _("共青团员")
    DEMOCRATIC = "democratic", _("民主党派")
    MASSES = "masses", _("群众")


class PoliceRank(models.TextChoices):
    SUPERINTENDENT_1 = "jj1", _("一级警监")
    SUPERINTENDENT_2 = "jj2", _("二级警监")
    SUPERINTENDENT_3 = "jj3", _("三级警监")
    INSPECTOR_1 = "jd1", _("一级警督")
    INSPECTOR_2 = "jd2", _("二级警督")
    INSPECTOR_3 = "jd3", _("三级警督")
    SERGEANT_1 = "js1", _("一级警司")
    SERGEANT_2 = "js2", _("二级警司")
    SERGEANT_3 = "js3", _("三级警司")
    CONSTABLE_1 = "jy1", _("一级警员")
    CONSTABLE_2 = "jy2", _("二级警员")


class Officer(models.Model):
    """A police officer (民警) of a unit."""

    police_number = models.CharField(_("警号"), max_length=20, unique=True)
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    id_number = models.CharField(
        _("身份证号"), max_length=18, unique=True, validators=[validate_id_number]
    )
    birth_date = models.DateField(_("出生日期"), editable=False)
    unit = models.ForeignKey(
        Unit, verbose_name=_("所在单位"), on_delete=models.PROTECT, related_name="officers"
    )
    post = models.CharField(_("职务"), max_length=50, blank=True)
    rank = models.CharField(_("警衔"), max_length=4, choices=PoliceRank.choices, blank=True)
    phone = models.CharField(_("手机号码"), max_length=20, blank=True)
    home_region = models.CharField(_("家庭所在地"), max_length=50, blank=True)
    spouse_work_region = models.CharField(_("配偶工作地"), max_length=50, blank=True)
    party_status = models.CharField(
        _("政治面貌"), max_length=16, choices=PartyStatus.choices, default=PartyStatus.MASSES
    )
    joined_on = models.DateField(_("参加工作日期"), null=True, blank=True)
    is_active = models.BooleanField(_("在职"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("民警")
        verbose_name_plural = _("民警")
        ordering = ["unit__path", "police_number"]
        indexes = [models.Index(fields=["unit", "name"], name="org_officer_unit_name")]
        permissions = [
            ("view_id_number", _("查看完整身份证号")),
            ("import_officers", _("导入民警")),
            ("export_officers", _("导出民警")),
        ]

    def __str__(self) -> str:
        return f"{self.name}({self.police_number})"

    def clean_fields(self, exclude=None) -> None:
        """The birth date is read from the ID number, never typed."""
        exclude = set(exclude or ())
        if self.id_number and not idcard.problem(self.id_number):
            self.birth_date = idcard.birth_date(self.id_number)
        else:
            exclude.add("birth_date")
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        """Gender must agree with the ID number's sequence code."""
        valid_id = self.id_number and not idcard.problem(self.id_number)
        if valid_id and self.gender and self.gender != idcard.gender(self.id_number):
            raise ValidationError({"gender": "性别与身份证号不一致"})

    @property
    def masked_id_number(self) -> str:
        return idcard.mask(self.id_number)

    @property
    def lives_apart(self) -> bool:
        """Spouse works in another region than the officer's home (两地分居)."""
        return bool(self.spouse_work_region) and self.spouse_work_region != self.home_region


class User(AbstractUser):
    """A login. Linked to an officer; acts within the subtrees of ``scope_units``."""

    officer = models.OneToOneField(
        Officer,
        verbose_name=_("民警"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
    )
    scope_units = models.ManyToManyField(
        Unit, verbose_name=_("数据范围"), blank=True, related_name="scoped_users"
    )
    must_change_password = models.BooleanField(_("须修改密码"), default=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        if self.officer_id:
            return self.officer.name
        return self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return str(self)
