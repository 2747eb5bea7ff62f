"""Excel exports of scoped querysets (the caller audits the export)."""

from __future__ import annotations

from django.db.models import QuerySet

from . import excel
from .models import Officer, Unit


def officers_workbook(officers: QuerySet[Officer], *, show_id: bool) -> tuple[bytes, int]:
    """Officers as a workbook in the import template's columns; ID numbers masked unless
    ``show_id``. Returns the bytes and the row count."""
    count = 0

    def rows():
        nonlocal count
        for o in officers.select_related("unit").iterator(chunk_size=2000):
            count += 1
            yield [
                o.police_number,
                o.name,
                o.get_gender_display(),
                o.id_number if show_id else o.masked_id_number,
                o.unit.code,
                o.post,
                o.get_rank_display(),
                o.phone if show_id else _mask_phone(o.phone),
                o.home_region,
                o.spouse_work_region,
                o.get_party_status_display(),
                o.joined_on.isoformat() if o.joined_on else "",
            ]

    content = excel.write_rows(excel.OFFICER_COLUMNS, rows(), "民警")
    return content, count


def _mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[7:] if len(phone) == 11 else phone


def units_workbook(units: QuerySet[Unit]) -> tuple[bytes, int]:
    """Units in the import template's columns (so an export can be edited and imported back)."""
    count = 0

    def rows():
        nonlocal count
        for unit in units.select_related("parent").iterator(chunk_size=2000):
            count += 1
            yield [
                unit.code,
                unit.name,
                unit.short_name,
                unit.get_kind_display(),
                unit.parent.code if unit.parent_id else "",
                unit.sort_order,
            ]

    return excel.write_rows(excel.UNIT_COLUMNS, rows(), "单位"), count
