"""Importing the prisoner registry from Excel: every row is checked first, then all or nothing.

The import only adds prisoners. A number already in the registry is refused rather than
updated: a sentence changes through a court ruling (``services.record_sentence_change``), a
district through a transfer, never by overwriting a row from a spreadsheet.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tongxin.audit.services import record
from tongxin.org import excel as org_excel
from tongxin.org import idcard, scope
from tongxin.org.imports import ImportReport, RowError
from tongxin.org.models import Gender, UnitKind

from .excel import CATEGORY_SEPARATOR, PRISONER_COLUMNS
from .models import Category, Prisoner, SentenceType

__all__ = ["ImportReport", "RowError", "import_prisoners"]

PRISON_SIDE_KINDS = (UnitKind.DISTRICT, UnitKind.SUBDISTRICT)
_YES = {"是", "Y", "y", "1", "true", "TRUE", "True"}
_NO = {"", "否", "N", "n", "0", "false", "FALSE", "False"}


def _choice(choices, text: str, what: str) -> str:
    by_label = {str(label): value for value, label in choices.choices}
    if text in by_label:
        return by_label[text]
    if text in choices.values:
        return text
    raise ValueError(f"{what}“{text}”无效,可选:{'、'.join(by_label)}")


def _date(text: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{what}“{text}”不是有效日期(YYYY-MM-DD)") from exc


def _not_future(day: dt.date, what: str, today: dt.date) -> dt.date:
    if day > today:
        raise ValueError(f"{what}{day:%Y-%m-%d}晚于今天")
    return day


def _whole(text: str, what: str, *, low: int = 0, high: int | None = None) -> int:
    if not text:
        return 0
    try:
        number = int(text)
    except ValueError as exc:
        raise ValueError(f"{what}“{text}”须为整数") from exc
    if number < low or (high is not None and number > high):
        upper = f"至{high}" if high is not None else "以上"
        raise ValueError(f"{what}须为{low}{upper}的整数")
    return number


def _amount(text: str, what: str) -> Decimal:
    if not text:
        return Decimal(0)
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"{what}“{text}”须为数字") from exc
    if not number.is_finite() or number < 0:
        raise ValueError(f"{what}须为不小于0的数字")
    if number != number.quantize(Decimal("0.01")):
        raise ValueError(f"{what}最多保留两位小数")
    return number


def _yes_no(text: str, what: str) -> bool:
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueError(f"{what}“{text}”无效,请填“是”或“否”")


def _categories(text: str) -> list[str]:
    """Chinese labels or codes separated by 、 (commas and semicolons are forgiven).

    A label may hold a 、 itself (组织、领导、参加、包庇、纵容黑社会性质组织犯罪), so whole labels
    are turned into their codes first, the longest first, and only then is the text split."""
    for value, label in sorted(Category.choices, key=lambda c: -len(str(c[1]))):
        text = text.replace(str(label), f"{CATEGORY_SEPARATOR}{value}{CATEGORY_SEPARATOR}")
    for separator in (",", ",", ";", ";"):
        text = text.replace(separator, CATEGORY_SEPARATOR)
    found: list[str] = []
    for part in (p.strip() for p in text.split(CATEGORY_SEPARATOR)):
        if not part:
            continue
        code = _choice(Category, part, "从严类别")
        if code not in found:
            found.append(code)
    return found


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        parts = []
        for key, messages in exc.message_dict.items():
            label = Prisoner._meta.get_field(key).verbose_name if key != "__all__" else ""
            parts.append(f"{label}:{'、'.join(messages)}" if label else "、".join(messages))
        return ";".join(parts)
    return ";".join(exc.messages)


def _read(data: bytes) -> tuple[list[tuple[int, dict]], ImportReport]:
    report = ImportReport()
    try:
        rows = list(org_excel.read_rows(data, PRISONER_COLUMNS))
    except org_excel.WorkbookFormatError as exc:
        report.errors.append(RowError(1, str(exc)))
        return [], report
    if not rows:
        report.errors.append(RowError(2, "文件中没有数据行"))
    complete = []
    for line, row in rows:
        empty = [c.header for c in PRISONER_COLUMNS if c.required and not row[c.field]]
        if empty:
            report.errors.append(RowError(line, f"“{'、'.join(empty)}”不能为空"))
        else:
            complete.append((line, row))
    return complete, report


def _prisoner(row: dict, *, units: dict, today: dt.date) -> Prisoner:
    """One row as an unsaved prisoner, or ``ValueError`` / ``ValidationError`` naming why not."""
    id_number = row["id_number"].upper()
    reason = idcard.problem(id_number)
    if reason:
        raise ValueError(reason)
    gender = _choice(Gender, row["gender"], "性别")
    if gender != idcard.gender(id_number):
        raise ValueError("性别与身份证号不一致")
    birth_date = _date(row["birth_date"], "出生日期")
    if birth_date != idcard.birth_date(id_number):
        raise ValueError("出生日期与身份证号不一致")
    unit = units.get(row["unit_code"])
    if unit is None:
        raise ValueError(f"单位代码 {row['unit_code']} 不存在或不在您的数据范围内")
    if unit.kind not in PRISON_SIDE_KINDS:
        raise ValueError(f"单位 {unit.name} 不是监区或分监区")
    sentence_type = _choice(SentenceType, row["sentence_type"], "刑种")
    years = _whole(row["term_years"], "刑期(年)", high=25)
    months = _whole(row["term_months"], "刑期(月)", high=11)
    if sentence_type == SentenceType.FIXED_TERM and not (years or months):
        raise ValueError("有期徒刑须填写刑期(年或月)")
    if sentence_type != SentenceType.FIXED_TERM and (years or months):
        raise ValueError(f"{row['sentence_type']}不填写刑期年月")
    execution_start = _not_future(
        _date(row["execution_start"], "判决执行之日"), "判决执行之日", today
    )
    admitted_on = _not_future(_date(row["admitted_on"], "入监日期"), "入监日期", today)
    if execution_start < birth_date or admitted_on < birth_date:
        raise ValueError("判决执行之日、入监日期不能早于出生日期")
    amount = _amount(row["property_amount"], "财产性判项金额")
    paid = _amount(row["property_paid"], "已履行金额")
    if paid > amount:
        raise ValueError("已履行金额不能超过财产性判项金额")
    categories = _categories(row["categories"])
    is_recidivist = Category.RECIDIVIST in categories
    able_unfulfilled = Category.PROPERTY_UNFULFILLED in categories
    personal = (Category.RECIDIVIST, Category.PROPERTY_UNFULFILLED)
    prisoner = Prisoner(
        number=row["number"],
        name=row["name"],
        gender=gender,
        id_number=id_number,
        birth_date=birth_date,
        unit=unit,
        crimes=row["crimes"],
        categories=[c for c in categories if c not in personal],
        is_recidivist=is_recidivist,
        property_able_unfulfilled=able_unfulfilled,
        sentence_type=sentence_type,
        term_years=years,
        term_months=months,
        restricted_reduction=_yes_no(row["restricted_reduction"], "限制减刑"),
        execution_start=execution_start,
        detention_days=_whole(row["detention_days"], "判决前羁押天数", high=20000),
        admitted_on=admitted_on,
        court=row["court"],
        judgment_number=row["judgment_number"],
        property_amount=amount,
        property_paid=paid,
        health=row["health"] or "健康",
    )
    # Uniqueness is checked against the file and the registry by the caller; the table's
    # check constraints are the rules above, so no query per row here.
    prisoner.full_clean(validate_unique=False, validate_constraints=False)
    return prisoner


def import_prisoners(*, user, data: bytes) -> ImportReport:
    """Add the prisoners of a workbook in the template's columns. Every row is checked first;
    any bad row and nothing is written, each error named with its line and reason."""
    if not user.has_perm("prisoners.add_prisoner"):
        raise PermissionDenied("您没有导入罪犯名册的权限")
    rows, report = _read(data)
    units = {u.code: u for u in scope.visible_units(user)}
    numbers = [r["number"] for _, r in rows]
    ids = [r["id_number"].upper() for _, r in rows]
    taken_numbers = set(
        Prisoner.objects.filter(number__in=numbers).values_list("number", flat=True)
    )
    taken_ids = set(Prisoner.objects.filter(id_number__in=ids).values_list("id_number", flat=True))
    seen_numbers: dict[str, int] = {}
    seen_ids: dict[str, int] = {}
    today = timezone.localdate()
    prisoners: list[Prisoner] = []
    for line, row in rows:
        number, id_number = row["number"], row["id_number"].upper()
        try:
            if number in seen_numbers:
                raise ValueError(f"罪犯编号 {number} 与第 {seen_numbers[number]} 行重复")
            if id_number in seen_ids:
                raise ValueError(f"身份证号与第 {seen_ids[id_number]} 行重复")
            seen_numbers[number], seen_ids[id_number] = line, line
            if number in taken_numbers:
                raise ValueError(f"罪犯编号 {number} 已在名册中")
            if id_number in taken_ids:
                raise ValueError("身份证号已属于名册中的另一名罪犯")
            prisoners.append(_prisoner(row, units=units, today=today))
        except ValueError as exc:
            report.errors.append(RowError(line, str(exc)))
        except ValidationError as exc:
            report.errors.append(RowError(line, _messages(exc)))
    if not report.ok:
        report.errors.sort(key=lambda error: error.line)
        return report
    tops = scope.top_units(user)
    with transaction.atomic():
        Prisoner.objects.bulk_create(prisoners, batch_size=1000)
        report.created = len(prisoners)
        record(
            actor=user,
            action="prisoners.prisoner.import",
            unit=tops[0] if len(tops) == 1 else None,
            summary=f"导入罪犯名册:新增 {report.created} 人",
        )
    return report
