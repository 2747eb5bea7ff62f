"""Small helpers every app's pages share: query strings, Excel responses, service errors."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def query_without_page(request) -> str:
    """The current filters as a query string, for pagination and export links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def page_by_ids(queryset, number, per_page: int):
    """A page of an ordered queryset, found by its ids first.

    ``Paginator`` over the full queryset makes the database sort whole rows (JSON columns,
    annotations) to skip to a deep page: 1.4 s for page 300 of the province case list. Paging
    the ids alone and then reading just that page's rows keeps a deep page near a first one, at
    the price of one more query."""
    from django.core.paginator import Paginator

    page = Paginator(queryset.values_list("pk", flat=True), per_page).get_page(number)
    ids = list(page.object_list)
    rows = {row.pk: row for row in queryset.filter(pk__in=ids)}
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    return page


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


def int_or_404(value) -> int:
    """An id from the query string; anything else is a page that does not exist."""
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise Http404("参数有误") from exc


def add_service_errors(
    form,
    exc: ValidationError,
    *,
    aliases: dict[str, str] | None = None,
    fallback: str | None = None,
) -> None:
    """A service's reasons onto the form: per field where the form has one (``aliases`` maps
    a service's field name to the form's), otherwise above the form; a reason that names no
    field goes on ``fallback`` (above the form when ``None``)."""
    aliases = aliases or {}
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            field = aliases.get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(fallback, exc)
