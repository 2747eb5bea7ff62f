"""Excel import: all rows checked first; one bad row and nothing is written."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from tongxin.audit.models import AuditEntry
from tongxin.org import excel, idcard
from tongxin.org.imports import import_officers, import_units
from tongxin.org.models import Officer, Unit

pytestmark = pytest.mark.django_db

HEADERS = [c.header for c in excel.OFFICER_COLUMNS]
UNIT_HEADERS = [c.header for c in excel.UNIT_COLUMNS]


def workbook(rows, headers=HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def officer_row(number, name, gender, id_number, unit_code, **extra):
    row = dict.fromkeys(HEADERS, "")
    row.update(
        {"警号": number, "姓名": name, "性别": gender, "身份证号": id_number, "单位代码": unit_code}
    )
    row.update(extra)
    return [row[h] for h in HEADERS]


def an_id(sequence: int, male: bool = True) -> str:
    return idcard.make("420106", dt.date(1988, 3, 9), sequence * 2 + (1 if male else 0))


def test_good_file_creates_and_updates(admin_a, tree, officers):
    existing = officers["a1"]
    data = workbook(
        [
            officer_row(
                "4290001",
                "周杰",
                "男",
                an_id(1),
                "P01D01",
                政治面貌="中共党员",
                警衔="二级警督",
                参加工作日期="2010-07-01",
            ),
            officer_row(
                existing.police_number, "李娜", "女", existing.id_number, "P01D02", 职务="副监区长"
            ),
        ]
    )
    report = import_officers(user=admin_a, data=data)
    assert report.ok and (report.created, report.updated) == (1, 1)
    new = Officer.objects.get(police_number="4290001")
    assert new.party_status == "member" and new.rank == "jd2" and new.birth_date.year == 1988
    existing.refresh_from_db()
    assert existing.unit == tree.district_a2 and existing.post == "副监区长"
    assert AuditEntry.objects.filter(action="org.officer.import").count() == 1


def test_one_bad_row_writes_nothing_and_names_each_line(admin_a, tree, officers):
    before = Officer.objects.count()
    good = an_id(3)
    bad_checksum = good[:-1] + ("0" if good[-1] != "0" else "1")
    data = workbook(
        [
            officer_row("4290001", "周杰", "男", an_id(1), "P01D01"),  # line 2: good
            officer_row("4290002", "吴芳", "男", bad_checksum, "P01D01"),  # 3: checksum
            officer_row("4290003", "郑军", "女", an_id(4), "P01D01"),  # 4: gender vs ID
            officer_row("4290004", "冯涛", "男", an_id(5), "P07D01"),  # 5: other prison
            officer_row("4290001", "周杰", "男", an_id(6), "P01D01"),  # 6: duplicate number
            officer_row("4290007", "", "男", an_id(7), "P01D01"),  # 7: missing name
            officer_row("4290008", "陈晨", "男", an_id(8), "P01D01", 参加工作日期="2020-13-01"),
        ]
    )
    report = import_officers(user=admin_a, data=data)
    assert not report.ok
    reasons = {e.line: e.reason for e in report.errors}
    assert set(reasons) == {3, 4, 5, 6, 7, 8}
    assert "校验位" in reasons[3]
    assert "性别" in reasons[4]
    assert "数据范围" in reasons[5]
    assert "重复" in reasons[6]
    assert "姓名" in reasons[7]
    assert "日期" in reasons[8]
    assert Officer.objects.count() == before
    assert not AuditEntry.objects.filter(action="org.officer.import").exists()


def test_wrong_headers_are_reported(admin_a, tree):
    report = import_officers(user=admin_a, data=workbook([["x"]], headers=["甲", "乙"]))
    assert not report.ok and "表头缺少列" in report.errors[0].reason


def test_not_a_workbook(admin_a, tree):
    report = import_officers(user=admin_a, data=b"not an excel file")
    assert not report.ok and "Excel" in report.errors[0].reason


def test_units_import_with_parent_in_same_file(admin_a, tree):
    data = workbook(
        [
            ["P01D03", "三监区", "", "监区", "P01", 3],
            ["P01D03A", "三监区一分监区", "", "分监区", "P01D03", 1],
        ],
        headers=UNIT_HEADERS,
    )
    report = import_units(user=admin_a, data=data)
    assert report.ok and report.created == 2
    sub = Unit.objects.get(code="P01D03A")
    assert sub.parent.code == "P01D03" and sub.path.startswith(tree.prison_a.path)
    assert sub.depth == 3
    assert list(Unit.objects.under(sub)) == [sub]


def test_units_import_refuses_foreign_parent_and_writes_nothing(admin_a, tree):
    data = workbook(
        [
            ["P01D03", "三监区", "", "监区", "P01", 3],
            ["P07D09", "九监区", "", "监区", "P07", 9],
            ["P01D04", "四监区", "", "不存在的类别", "P01", 4],
        ],
        headers=UNIT_HEADERS,
    )
    report = import_units(user=admin_a, data=data)
    assert {e.line for e in report.errors} == {3, 4}
    assert not Unit.objects.filter(code="P01D03").exists()


def test_template_download_imports_cleanly(client, admin_a, tree):
    client.force_login(admin_a)
    response = client.get(reverse("org:import-template", args=["officers"]))
    book = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book.active[1]] == HEADERS
    assert "填写说明" in book.sheetnames
    report = import_officers(user=admin_a, data=response.content)
    assert report.ok and report.created == 1


def test_import_page_shows_errors_in_chinese(client, admin_a, tree):
    client.force_login(admin_a)
    data = workbook([officer_row("4290001", "周杰", "男", "123", "P01D01")])
    upload = SimpleUploadedFile("民警.xlsx", data, content_type=excel.XLSX_CONTENT_TYPE)
    response = client.post(reverse("org:import"), {"kind": "officers", "file": upload})
    body = response.content.decode()
    assert response.status_code == 200
    assert "未导入任何数据" in body and "身份证号应为18位" in body
    assert not Officer.objects.filter(police_number="4290001").exists()


def test_unit_export_round_trips_through_import(client, admin_a, tree):
    client.force_login(admin_a)
    response = client.get(reverse("org:unit-export"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(codes) == ["P01", "P01D01", "P01D02"]  # scoped: nothing of 襄南
    # The prison row's parent (the bureau) is outside the scope, so import only the districts.
    rows = [r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] != "P01"]
    report = import_units(user=admin_a, data=workbook(rows, headers=UNIT_HEADERS))
    assert report.ok and report.updated == 2 and report.created == 0
    assert AuditEntry.objects.filter(action="org.unit.export").count() == 1
