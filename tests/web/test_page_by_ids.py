"""``page_by_ids``: the same page, in the same order, as slicing the ordered queryset."""

from __future__ import annotations

import pytest

from tongxin.org.models import Unit
from tongxin.web.pages import page_by_ids

pytestmark = pytest.mark.django_db


def test_pages_match_the_ordered_queryset(tree):
    ordered = Unit.objects.order_by("-code")
    everything = list(ordered)
    assert len(everything) >= 5
    for number in (1, 2, 3):
        page = page_by_ids(ordered, number, 2)
        assert list(page.object_list) == everything[(number - 1) * 2 : number * 2]
    assert page_by_ids(ordered, 99, 2).number == page_by_ids(ordered, 4, 2).number  # last page
    assert page_by_ids(ordered, "x", 2).number == 1
