"""The configuration pages: organisational-life requirements, on-site observations and
activity attachments (tongxin.party.urls_config)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.conftest import make_user
from tongxin.audit.models import AuditEntry
from tongxin.party import compliance, reports
from tongxin.party.models import (
    Activity,
    ActivityAttachment,
    ActivityKind,
    Observation,
    RequirementSetting,
)


@pytest.fixture
def party_affairs(roles, tree, party):
    return make_user("party", "party_affairs", tree.bureau)


@pytest.fixture
def secretary_b(roles, tree, party):
    return make_user("sec_b", "branch_secretary", tree.district_b1)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _themed_day(org, topic, day=None):
    return Activity.objects.create(
        organization=org,
        kind=ActivityKind.THEMED_DAY,
        held_on=day or timezone.localdate(),
        topic=topic,
    )


# --- requirements -------------------------------------------------------------------------


def test_requirements_page_forbidden_to_a_secretary(client, secretary_a1):
    client.force_login(secretary_a1)
    url = reverse("party_config:requirements")
    assert client.get(url).status_code == 403
    assert client.post(url, {"action": "initialise"}).status_code == 403
    assert not RequirementSetting.objects.exists()


def test_requirements_initialised_and_edited(client, party_affairs):
    client.force_login(party_affairs)
    url = reverse("party_config:requirements")
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "按制度默认值初始化" in html
    assert html.count("<tr>") >= len(compliance.DEFAULT_REQUIREMENTS)

    response = client.post(url, {"action": "initialise"}, follow=True)
    assert response.status_code == 200
    assert RequirementSetting.objects.count() == len(compliance.DEFAULT_REQUIREMENTS)
    assert "已按制度默认值初始化" in response.content.decode()
    assert AuditEntry.objects.filter(action="party.requirement.update").count() == len(
        compliance.DEFAULT_REQUIREMENTS
    )
    assert set(reports.requirements()) == set(compliance.DEFAULT_REQUIREMENTS)
    # A second initialisation is refused, nothing doubled.
    again = client.post(url, {"action": "initialise"}, follow=True)
    assert "无需再次初始化" in again.content.decode()
    assert RequirementSetting.objects.count() == len(compliance.DEFAULT_REQUIREMENTS)

    setting = RequirementSetting.objects.get(
        kind=ActivityKind.GENERAL_MEETING, org_kind="branch", by_secretary=False
    )
    prefix = f"r{setting.pk}"
    response = client.post(
        url,
        {
            "action": "update",
            "setting": setting.pk,
            f"{prefix}-frequency": "monthly",
            f"{prefix}-minimum": "2",
            f"{prefix}-is_active": "on",
        },
    )
    assert response.status_code == 302
    setting.refresh_from_db()
    assert (setting.frequency, setting.minimum, setting.is_active) == ("monthly", 2, True)
    entry = AuditEntry.objects.filter(action="party.requirement.update").latest("id")
    assert entry.object_id == str(setting.pk)
    assert set(entry.changes) == {"frequency", "minimum"}

    # The compliance engine reads the edited settings.
    general = [
        r
        for r in reports.requirements()
        if r.kind == ActivityKind.GENERAL_MEETING and r.org_kind == "branch"
    ]
    assert len(general) == 1
    assert general[0].frequency == compliance.Frequency.MONTHLY
    assert general[0].minimum == 2

    # Switching one off drops it from the effective requirements.
    client.post(
        url,
        {
            "action": "update",
            "setting": setting.pk,
            f"{prefix}-frequency": "monthly",
            f"{prefix}-minimum": "2",
        },
    )
    setting.refresh_from_db()
    assert setting.is_active is False
    assert not any(
        r.kind == ActivityKind.GENERAL_MEETING and r.org_kind == "branch"
        for r in reports.requirements()
    )


def test_requirement_minimum_zero_refused_in_chinese(client, party_affairs):
    client.force_login(party_affairs)
    url = reverse("party_config:requirements")
    client.post(url, {"action": "initialise"})
    setting = RequirementSetting.objects.order_by("id").first()
    before = (setting.frequency, setting.minimum, setting.is_active)
    audited = AuditEntry.objects.count()
    prefix = f"r{setting.pk}"
    response = client.post(
        url,
        {
            "action": "update",
            "setting": setting.pk,
            f"{prefix}-frequency": "yearly",
            f"{prefix}-minimum": "0",
            f"{prefix}-is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "每期至少次数须不小于1。" in response.content.decode()
    setting.refresh_from_db()
    assert (setting.frequency, setting.minimum, setting.is_active) == before
    assert AuditEntry.objects.count() == audited


# --- observations -------------------------------------------------------------------------


def test_observation_recorded_once_a_quarter(client, party_affairs, party):
    first = _themed_day(party.branch_a1, "七一主题党日")
    second = _themed_day(party.branch_a2, "二监区主题党日")
    client.force_login(party_affairs)
    url = reverse("party_config:observations")
    page = client.get(url)
    assert page.status_code == 200
    assert "七一主题党日" in page.content.decode()

    data = {
        "obs-activity": first.pk,
        "obs-observers": "局机关党委 王处长",
        "obs-comments": "流程规范,讨论充分。",
        "obs-score": "92.5",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    observation = Observation.objects.get()
    assert observation.activity == first
    assert observation.score == Decimal("92.5")
    listed = client.get(url).content.decode()
    assert "局机关党委 王处长" in listed

    response = client.post(url, {**data, "obs-activity": second.pk})
    assert response.status_code == 200
    assert "每季度一次" in response.content.decode()
    assert Observation.objects.count() == 1


def test_observation_errors_per_field(client, party_affairs, party):
    old = _themed_day(party.branch_a1, "旧主题党日", timezone.localdate() - dt.timedelta(days=200))
    recent = _themed_day(party.branch_a1, "主题党日")
    client.force_login(party_affairs)
    url = reverse("party_config:observations")
    response = client.post(
        url,
        {"obs-activity": old.pk, "obs-observers": "王处长", "obs-comments": "", "obs-score": "80"},
    )
    assert "请选择近120天内" in response.content.decode()
    response = client.post(
        url,
        {
            "obs-activity": recent.pk,
            "obs-observers": "王处长",
            "obs-comments": "",
            "obs-score": "101",
        },
    )
    html = response.content.decode()
    assert "请填写点评意见。" in html
    assert "评分须在0到100之间。" in html
    assert not Observation.objects.exists()


def test_observation_form_hidden_from_a_secretary(client, secretary_a1, party):
    activity = _themed_day(party.branch_a1, "主题党日")
    client.force_login(secretary_a1)
    url = reverse("party_config:observations")
    page = client.get(url)
    assert page.status_code == 200
    assert 'data-testid="observation-form"' not in page.content.decode()
    response = client.post(
        url,
        {"obs-activity": activity.pk, "obs-observers": "x", "obs-comments": "y", "obs-score": "1"},
    )
    assert response.status_code == 403


# --- attachments --------------------------------------------------------------------------


def test_attachment_uploaded_and_downloaded(client, media, secretary_a1, secretary_b, party):
    activity = _themed_day(party.branch_a1, "主题党日")
    client.force_login(secretary_a1)
    upload = SimpleUploadedFile("会议纪要.pdf", b"%PDF-1.4 test", "application/pdf")
    response = client.post(
        reverse("party_config:attachment-upload", args=[activity.pk]), {"file": upload}
    )
    assert response.status_code == 302
    assert response.url == reverse("party:activity-detail", args=[activity.pk])
    attachment = ActivityAttachment.objects.get()
    assert attachment.name == "会议纪要.pdf"
    assert attachment.uploaded_by == secretary_a1
    assert attachment.activity == activity
    assert AuditEntry.objects.filter(action="party.attachment.create").exists()

    url = reverse("party_config:attachment-download", args=[attachment.pk])
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 test"
    assert "attachment" in download["Content-Disposition"]

    client.force_login(secretary_b)
    assert client.get(url).status_code == 404
    other = SimpleUploadedFile("x.pdf", b"%PDF", "application/pdf")
    response = client.post(
        reverse("party_config:attachment-upload", args=[activity.pk]), {"file": other}
    )
    assert response.status_code == 404
    assert ActivityAttachment.objects.count() == 1


def test_attachment_refuses_exe_and_oversize(client, media, secretary_a1, party):
    activity = _themed_day(party.branch_a1, "主题党日")
    client.force_login(secretary_a1)
    url = reverse("party_config:attachment-upload", args=[activity.pk])
    exe = SimpleUploadedFile("setup.exe", b"MZ", "application/octet-stream")
    response = client.post(url, {"file": exe}, follow=True)
    assert "仅允许上传" in response.content.decode()
    big = SimpleUploadedFile("big.pdf", b"0" * (10 * 1024 * 1024 + 1), "application/pdf")
    response = client.post(url, {"file": big}, follow=True)
    assert "文件不得超过10MB。" in response.content.decode()
    assert not ActivityAttachment.objects.exists()
    assert not any(media.rglob("*.*"))


def test_attachment_upload_needs_change_permission(client, media, roles, tree, party):
    viewer = make_user("inspector", "discipline_inspector", tree.bureau)
    activity = _themed_day(party.branch_a1, "主题党日")
    client.force_login(viewer)
    upload = SimpleUploadedFile("a.pdf", b"%PDF", "application/pdf")
    response = client.post(
        reverse("party_config:attachment-upload", args=[activity.pk]), {"file": upload}
    )
    assert response.status_code == 403
    assert not ActivityAttachment.objects.exists()


def test_failed_attachment_leaves_no_file_behind(media, monkeypatch, secretary_a1, party):
    """The file reaches the disk before the row; when the audit write fails the transaction
    rolls back and the stored file is removed with it."""
    from tongxin.party import config_services

    activity = _themed_day(party.branch_a1, "主题党日")

    def broken_record(**_kwargs):
        raise RuntimeError("audit unavailable")

    monkeypatch.setattr(config_services, "record", broken_record)
    upload = SimpleUploadedFile("纪要.pdf", b"%PDF-1.4 x", "application/pdf")
    with pytest.raises(RuntimeError):
        config_services.add_attachment(user=secretary_a1, activity=activity, upload=upload)
    assert not ActivityAttachment.objects.exists()
    assert not any(p.is_file() for p in media.rglob("*"))


def test_prison_level_party_officer_cannot_change_province_requirements(roles, tree, party):
    """The requirements bind every prison: the 党务干部 role scoped to one prison may read the
    page's figures elsewhere but may not change the province's rules."""
    from django.core.exceptions import PermissionDenied

    from tongxin.party import config_services

    prison_officer = make_user("party_a", "party_affairs", tree.prison_a)
    with pytest.raises(PermissionDenied, match="省局统一配置"):
        config_services.initialise_requirements(user=prison_officer)
    assert not RequirementSetting.objects.exists()
    bureau_officer = make_user("party_bureau", "party_affairs", tree.bureau)
    assert config_services.initialise_requirements(user=bureau_officer)
