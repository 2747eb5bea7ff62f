"""Importing units and officers from Excel: every row checked first, then all or nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tongxin.audit.services import record

from . import excel, idcard, scope
from .models import Gender, Officer, PartyStatus, PoliceRank, Unit, UnitKind


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _choice(labels, text: str, what: str) -> str:
    by_label = {str(label): value for value, label in labels.choices}
    if text in by_label:
        return by_label[text]
    if text in labels.values:
        return text
    raise ValueError(f"{what}“{text}”无效,可选:{'、'.join(by_label)}")


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return ";".join(
            f"{Officer._meta.get_field(k).verbose_name if k != '__all__' else ''}{'、'.join(v)}"
            for k, v in exc.message_dict.items()
        )
    return ";".join(exc.messages)


def _read(data: bytes, columns) -> tuple[list[tuple[int, dict]], ImportReport]:
    """Rows with every required cell filled, and a report naming the rows without."""
    report = ImportReport()
    try:
        rows = list(excel.read_rows(data, columns))
    except excel.WorkbookFormatError as exc:
        report.errors.append(RowError(1, str(exc)))
        return [], report
    if not rows:
        report.errors.append(RowError(2, "文件中没有数据行"))
    complete = []
    for line, row in rows:
        empty = [c.header for c in columns if c.required and not row[c.field]]
        if empty:
            report.errors.append(RowError(line, f"“{'、'.join(empty)}”不能为空"))
        else:
            complete.append((line, row))
    return complete, report


def import_units(*, user, data: bytes) -> ImportReport:
    """Create or update units by code. Parents may be earlier rows of the same file."""
    if not user.has_perm("org.import_units"):
        raise PermissionDenied("您没有导入单位的权限")
    rows, report = _read(data, excel.UNIT_COLUMNS)
    existing = {u.code: u for u in Unit.objects.all()}
    planned: dict[str, dict] = {}
    for line, row in rows:
        try:
            kind = _choice(UnitKind, row["kind"], "类别")
            sort_order = int(row["sort_order"] or 0)
            if row["code"] in planned:
                raise ValueError(f"单位代码 {row['code']} 在文件中重复")
            parent_code = row["parent_code"]
            if parent_code == row["code"]:
                raise ValueError("上级单位不能是自己")
            if parent_code not in existing and parent_code not in planned:
                raise ValueError(f"上级单位代码 {parent_code} 不存在")
            parent = existing.get(parent_code)
            if parent is not None and not scope.can_see_unit(user, parent):
                raise ValueError(f"上级单位 {parent.name} 不在您的数据范围内")
            current = existing.get(row["code"])
            if current is not None and not scope.can_see_unit(user, current):
                raise ValueError(f"单位 {current.name} 不在您的数据范围内")
            if current is not None and (current.parent.code if current.parent else "") != (
                parent_code
            ):
                raise ValueError("导入不能调整已有单位的上级,请在单位页面中调整")
        except ValueError as exc:
            report.errors.append(RowError(line, str(exc)))
            continue
        planned[row["code"]] = {**row, "kind": kind, "sort_order": sort_order, "line": line}
    if not report.ok:
        report.errors.sort(key=lambda error: error.line)
        return report
    with transaction.atomic():
        for code, row in planned.items():
            parent = existing[row["parent_code"]]
            unit = existing.get(code)
            if unit is None:
                unit = Unit(code=code, parent=parent)
                report.created += 1
            else:
                report.updated += 1
            unit.name, unit.short_name = row["name"], row["short_name"]
            unit.kind, unit.sort_order = row["kind"], row["sort_order"]
            unit.save()
            existing[code] = unit
        record(
            actor=user,
            action="org.unit.import",
            summary=(f"导入单位:新增 {report.created},更新 {report.updated}"),
            unit=_common_unit(user),
        )
    return report


def _common_unit(user) -> Unit | None:
    tops = scope.top_units(user)
    return tops[0] if len(tops) == 1 else None


def _date(text: str, what: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{what}“{text}”不是有效日期(YYYY-MM-DD)") from exc


def import_officers(*, user, data: bytes) -> ImportReport:
    """Create or update officers by police number; all rows are validated before any write."""
    if not user.has_perm("org.import_officers"):
        raise PermissionDenied("您没有导入民警的权限")
    rows, report = _read(data, excel.OFFICER_COLUMNS)
    units = {u.code: u for u in scope.visible_units(user)}
    by_number = {
        o.police_number: o
        for o in Officer.objects.filter(police_number__in=[r["police_number"] for _, r in rows])
    }
    id_owner = dict(
        Officer.objects.filter(id_number__in=[r["id_number"].upper() for _, r in rows]).values_list(
            "id_number", "police_number"
        )
    )
    seen_numbers: dict[str, int] = {}
    seen_ids: dict[str, int] = {}
    officers: list[Officer] = []
    for line, row in rows:
        try:
            number, id_number = row["police_number"], row["id_number"].upper()
            if number in seen_numbers:
                raise ValueError(f"警号 {number} 与第 {seen_numbers[number]} 行重复")
            if id_number in seen_ids:
                raise ValueError(f"身份证号与第 {seen_ids[id_number]} 行重复")
            seen_numbers[number], seen_ids[id_number] = line, line
            reason = idcard.problem(id_number)
            if reason:
                raise ValueError(reason)
            if id_owner.get(id_number, number) != number:
                raise ValueError("身份证号已属于另一名民警")
            unit = units.get(row["unit_code"])
            if unit is None:
                raise ValueError(f"单位代码 {row['unit_code']} 不存在或不在您的数据范围内")
            gender = _choice(Gender, row["gender"], "性别")
            if gender != idcard.gender(id_number):
                raise ValueError("性别与身份证号不一致")
            officer = by_number.get(number)
            if officer is not None and not scope.can_see_unit(user, officer.unit):
                raise ValueError(f"警号 {number} 的民警不在您的数据范围内")
            officer = officer or Officer(police_number=number)
            officer.name, officer.gender, officer.id_number = row["name"], gender, id_number
            officer.birth_date = idcard.birth_date(id_number)
            officer.unit, officer.post = unit, row["post"]
            officer.rank = _choice(PoliceRank, row["rank"], "警衔") if row["rank"] else ""
            officer.phone, officer.home_region = row["phone"], row["home_region"]
            officer.spouse_work_region = row["spouse_work_region"]
            officer.party_status = (
                _choice(PartyStatus, row["party_status"], "政治面貌")
                if row["party_status"]
                else PartyStatus.MASSES
            )
            officer.joined_on = _date(row["joined_on"], "参加工作日期")
            officer.full_clean(validate_unique=False)
        except ValueError as exc:
            report.errors.append(RowError(line, str(exc)))
            continue
        except ValidationError as exc:
            report.errors.append(RowError(line, _messages(exc)))
            continue
        officers.append(officer)
    if not report.ok:
        report.errors.sort(key=lambda error: error.line)
        return report
    new = [o for o in officers if o.pk is None]
    old = [o for o in officers if o.pk is not None]
    now = timezone.now()
    for officer in old:
        officer.updated_at = now
    with transaction.atomic():
        Officer.objects.bulk_create(new, batch_size=1000)
        Officer.objects.bulk_update(
            old,
            [
                "name",
                "gender",
                "id_number",
                "birth_date",
                "unit",
                "post",
                "rank",
                "phone",
                "home_region",
                "spouse_work_region",
                "party_status",
                "joined_on",
                "updated_at",
            ],
            batch_size=1000,
        )
        report.created, report.updated = len(new), len(old)
        record(
            actor=user,
            action="org.officer.import",
            unit=_common_unit(user),
            summary=f"导入民警:新增 {report.created},更新 {report.updated}",
        )
    return report
