"""The registry as a workbook (the caller checks the permission and audits the export)."""

from __future__ import annotations

from django.db.models import QuerySet

from tongxin.org import excel as org_excel

from .excel import CATEGORY_SEPARATOR, EXPORT_COLUMNS
from .models import Category, Prisoner


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


def prisoners_workbook(prisoners: QuerySet[Prisoner], *, show_id: bool) -> tuple[bytes, int]:
    """Prisoners in the import template's columns (plus district and status); ID numbers
    masked unless ``show_id``. Returns the bytes and the row count."""
    count = 0
    labels = dict(Category.choices)

    def rows():
        nonlocal count
        for p in prisoners.select_related("unit").iterator(chunk_size=2000):
            count += 1
            yield [
                p.number,
                p.name,
                p.get_gender_display(),
                p.id_number if show_id else p.masked_id_number,
                p.birth_date.isoformat(),
                p.unit.code,
                p.crimes,
                CATEGORY_SEPARATOR.join(str(labels[c]) for c in p.engine_categories()),
                p.get_sentence_type_display(),
                p.term_years,
                p.term_months,
                _yes_no(p.restricted_reduction),
                p.execution_start.isoformat(),
                p.detention_days,
                p.admitted_on.isoformat(),
                p.court,
                p.judgment_number,
                float(p.property_amount),
                float(p.property_paid),
                p.health,
                p.unit.name,
                p.get_status_display(),
            ]

    return org_excel.write_rows(EXPORT_COLUMNS, rows(), "罪犯名册"), count
