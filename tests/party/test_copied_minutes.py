"""Near-duplicate minutes are flagged against the earlier record, for the secretary above."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import make_user
from tests.party.test_services import record
from tongxin.party import services
from tongxin.party.models import ActivityKind, MinutesFlag
from tongxin.party.tasks import detect_copied_minutes
from tongxin.web.models import Notification

pytestmark = pytest.mark.django_db

MINUTES = (
    "会议由支部书记主持,传达学习了党的二十大精神和习近平法治思想的重要论述。"
    "与会党员结合监区安全稳定形势,围绕罪犯教育改造质量提升开展讨论,"
    "一致表示要把学习成果转化为推动监狱工作现代化的实际行动,切实守住安全底线。"
    "会议还通报了上月“书香文化进监狱”活动开展情况,部署了下阶段读书分享工作。"
)
OTHER = (
    "本次主题党日组织党员赴警示教育基地参观学习,观看了违纪违法典型案例展板。"
    "随后全体党员重温入党誓词,支部书记讲专题党课,强调严守政治纪律和政治规矩,"
    "坚持严格公正文明执法,持续深化刑罚执行内控机制建设,自觉接受各方面监督。"
)


def test_copied_minutes_are_flagged_and_the_secretary_above_is_told(
    roles, tree, party, secretary_a1
):
    # The prison committee's secretary has a login: they are "the secretary above".
    from tests.party.conftest import seat
    from tongxin.party.models import CommitteePost

    seat(party.committee_a, party.a1[1], CommitteePost.SECRETARY)
    above = make_user(
        "prison_secretary", "party_affairs", tree.prison_a, officer=party.a1[1].officer
    )
    original = record(
        secretary_a1,
        party.branch_a1,
        kind=ActivityKind.THEMED_DAY,
        held_on=dt.date(2023, 3, 10),
        minutes=MINUTES,
    )
    record(
        secretary_a1,
        party.branch_a1,
        kind=ActivityKind.THEMED_DAY,
        held_on=dt.date(2023, 4, 10),
        minutes=OTHER,
    )
    copy = record(
        secretary_a1,
        party.group_a1,
        kind=ActivityKind.GROUP_MEETING,
        held_on=dt.date(2023, 5, 12),
        minutes=MINUTES.replace("上月", "4月"),
    )
    outcome = detect_copied_minutes.delay("2023-01-01", "2023-12-31").get()
    assert outcome == {"flags": 1}
    flag = MinutesFlag.objects.get()
    assert (flag.activity, flag.similar_to) == (copy, original)
    assert flag.similarity > 0.8 and not flag.same_org
    # the group's parent is the branch, whose secretary is secretary_a1's officer
    assert Notification.objects.filter(recipient=secretary_a1, level="warning").count() == 1
    assert not Notification.objects.filter(recipient=above).exists()
    # Running again finds nothing new.
    assert services.detect_copied_minutes(start=dt.date(2023, 1, 1), end=dt.date(2023, 12, 31)) == 0
