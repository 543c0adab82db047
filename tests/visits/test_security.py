"""The public form under attack: floods, bad uploads, script injection, other estates' units."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.conftest import PASSWORD
from tests.visits.conftest import image_bytes, public_client
from tests.visits.test_public import form_data, submit
from tickets.models import Repair
from visits.models import Visit
from visits.services import defects as defect_svc
from visits.services import handover as handover_svc
from visits.services import notices as notice_svc
from visits.services import reception, registers

SCRIPT = '<script>alert("x")</script>'


def test_rate_limit_per_ip(frozen_rate_clock, estate, unit, categories):
    client = public_client()
    for i in range(5):
        response = submit(client, estate, form_data(categories, phone=f"1380000100{i}"))
        assert response.status_code == 302
    response = submit(client, estate, form_data(categories, phone="13800001009"))
    assert response.status_code == 429
    page = response.content.decode()
    assert estate.emergency_phone in page and 'name="unit_code"' not in page
    assert Repair.objects.count() == 5
    # Another phone on another connection is not affected.
    assert submit(public_client(), estate, form_data(categories)).status_code == 302


def test_rate_limit_per_phone_across_addresses(frozen_rate_clock, estate, unit, categories):
    for _ in range(5):
        assert submit(public_client(), estate, form_data(categories)).status_code == 302
    assert submit(public_client(), estate, form_data(categories)).status_code == 429
    assert Repair.objects.count() == 5


def test_hourly_limit(frozen_rate_clock, settings, estate, unit, categories):
    settings.VISITS_PUBLIC_RATES = ("100/m", "20/h")  # the minute limit out of the way
    client = public_client()
    for i in range(20):
        assert (
            submit(client, estate, form_data(categories, phone=f"138000020{i:02d}")).status_code
            == 302
        )
    assert submit(client, estate, form_data(categories, phone="13800003000")).status_code == 429


def test_tracking_lookup_is_rate_limited(frozen_rate_clock, estate, db):
    client = public_client()
    for _ in range(5):
        assert (
            client.post("/track/", {"code": "AAAAAAAA", "phone": "13800000000"}).status_code == 400
        )
    assert client.post("/track/", {"code": "AAAAAAAA", "phone": "13800000000"}).status_code == 429


def test_csrf_is_enforced(estate, unit, categories):
    client = public_client(enforce_csrf_checks=True)
    assert submit(client, estate, form_data(categories)).status_code == 403
    assert not Repair.objects.exists()


def _refused(estate, categories, upload, expect: str):
    response = submit(public_client(), estate, form_data(categories, photos=[upload]))
    assert response.status_code == 400
    assert expect in response.content.decode()
    assert not Repair.objects.exists()


def test_renamed_executable_is_refused(estate, unit, categories):
    exe = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56 + b"PE\x00\x00" + bytes(range(256)) * 8
    _refused(estate, categories, SimpleUploadedFile("photo.jpg", exe, "image/jpeg"), "photo.jpg")


def test_script_disguised_as_image_is_refused(estate, unit, categories):
    _refused(estate, categories, SimpleUploadedFile("x.png", SCRIPT.encode(), "image/png"), "x.png")


def test_oversized_image_is_refused(estate, unit, categories):
    big = image_bytes("JPEG") + b"\x00" * (5 * 1024 * 1024)
    _refused(estate, categories, SimpleUploadedFile("big.jpg", big, "image/jpeg"), "5 MB")


def test_twenty_megapixel_bomb_is_refused(estate, unit, categories):
    bomb = io.BytesIO()
    Image.new("1", (5000, 4000)).save(bomb, format="PNG", optimize=True)
    assert len(bomb.getvalue()) < 100_000  # tiny on the wire, 20 MP once decoded
    _refused(
        estate, categories, SimpleUploadedFile("bomb.png", bomb.getvalue(), "image/png"), "bomb.png"
    )


def _png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims a huge bitmap (Pillow's own DecompressionBombError range)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )


def test_header_bomb_beyond_pillows_limit_is_refused_not_crashed(estate, unit, categories):
    _refused(
        estate,
        categories,
        SimpleUploadedFile("huge.png", _png_claiming(60000, 60000), "image/png"),
        "huge.png",
    )


def test_more_than_three_photos_are_refused(estate, unit, categories):
    uploads = [SimpleUploadedFile(f"{i}.jpg", image_bytes(), "image/jpeg") for i in range(4)]
    response = submit(public_client(), estate, form_data(categories, photos=uploads))
    assert response.status_code == 400 and not Repair.objects.exists()


def test_request_too_large_is_refused_before_parsing(estate, unit, categories):
    junk = SimpleUploadedFile("a.jpg", b"\xff" * (17 * 1024 * 1024), "image/jpeg")
    response = submit(public_client(), estate, form_data(categories, photos=[junk]))
    assert response.status_code == 413 and not Repair.objects.exists()


def test_length_limits(estate, unit, categories):
    response = submit(public_client(), estate, form_data(categories, description="漏" * 1001))
    assert response.status_code == 400 and not Repair.objects.exists()
    response = submit(public_client(), estate, form_data(categories, name="王" * 65))
    assert response.status_code == 400 and not Repair.objects.exists()


def test_another_estates_unit_code_is_refused(estate, other_estate, other_unit, categories):
    # 3-2-1502 exists only in the other estate.
    response = submit(public_client(), estate, form_data(categories))
    assert response.status_code == 400
    assert "3-2-1502" in response.content.decode()
    assert not Repair.objects.exists()


def _assert_escaped(html: str):
    assert SCRIPT not in html
    assert "&lt;script&gt;" in html


def test_script_in_every_public_field_is_shown_escaped(estate, unit, categories, staff):
    # In the unit code: refused, and the error message escapes it.
    response = submit(public_client(), estate, form_data(categories, unit_code=SCRIPT[:32]))
    assert response.status_code == 400
    assert "<script>" not in response.content.decode()
    # In the name, the phone (refused by its pattern) and the description.
    response = submit(public_client(), estate, form_data(categories, phone=SCRIPT))
    assert response.status_code == 400 and "<script>" not in response.content.decode()
    response = submit(
        public_client(), estate, form_data(categories, name=SCRIPT, description=SCRIPT)
    )
    assert response.status_code == 302
    repair = Repair.objects.get()
    _assert_escaped(public_client().get(response["Location"]).content.decode())
    staff_client = public_client()
    staff_client.login(username="frontdesk", password=PASSWORD)
    _assert_escaped(staff_client.get("/tickets/board/").content.decode())
    _assert_escaped(staff_client.get(repair.get_absolute_url()).content.decode())
    assert SCRIPT not in staff_client.get("/visits/lookup/", {"q": repair.number}).content.decode()


def test_script_in_every_staff_field_is_shown_escaped(estate, unit, staff):
    from tests.factories import ResidentFactory

    ResidentFactory(unit=unit, name=SCRIPT[:64], phone="13800007777")
    visit = reception.visit_create(
        estate=estate,
        actor=staff["frontdesk"],
        channel="phone",
        category="praise",
        unit=unit,
        caller_name=SCRIPT,
        summary=SCRIPT,
        handling=SCRIPT,
    )
    reception.visit_add_note(visit_id=visit.pk, actor=staff["frontdesk"], note=SCRIPT)
    item = registers.lost_item_register(
        estate=estate,
        actor=staff["frontdesk"],
        description=SCRIPT,
        found_where=SCRIPT,
        found_by=SCRIPT,
        kept_where=SCRIPT,
    )
    registers.lost_item_return(
        item_id=item.pk, actor=staff["frontdesk"], claimant_name=SCRIPT, claimant_proof=SCRIPT
    )
    incident = registers.incident_record(
        estate=estate,
        actor=staff["frontdesk"],
        kind="other",
        location=SCRIPT,
        description=SCRIPT,
        actions_taken=SCRIPT,
    )
    handover = handover_svc.handover_create(estate=estate, actor=staff["frontdesk"], note=SCRIPT)
    notice = notice_svc.notice_create(
        estate=estate, actor=staff["frontdesk"], kind="phone", title=SCRIPT, body=SCRIPT
    )
    defect = defect_svc.defect_create(
        estate=estate,
        actor=staff["frontdesk"],
        unit=unit,
        description=SCRIPT,
        location=SCRIPT,
        developer_team=SCRIPT,
    )
    client = public_client()
    client.login(username="project_manager", password=PASSWORD)
    for url in (
        visit.get_absolute_url(),
        "/visits/",
        "/visits/open/",
        "/visits/praise/",
        "/visits/lost-found/?show=all",
        incident.get_absolute_url(),
        handover.get_absolute_url(),
        notice.get_absolute_url(),
        defect.get_absolute_url(),
        f"/visits/defects/{defect.pk}/print/",
        "/visits/lookup/?q=3-2-1502",
    ):
        _assert_escaped(client.get(url).content.decode())
    assert Visit.objects.get().summary == SCRIPT  # stored as typed, escaped when shown


@pytest.mark.parametrize("path", ["/visits/", "/visits/lookup.json?q=3", "/visits/handovers/"])
def test_staff_pages_need_a_login(db, path):
    response = public_client().get(path)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_behind_the_proxy_the_limit_counts_the_forwarded_address(
    frozen_rate_clock, settings, estate, unit, categories
):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    proxy = public_client()  # every request arrives from the proxy's address
    for i in range(5):
        response = submit(
            proxy,
            estate,
            form_data(categories, phone=f"1380000400{i}"),
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}",
        )
        assert response.status_code == 302
    # One resident over the limit is refused; another resident behind the same proxy is not.
    for i in range(5):
        submit(
            proxy,
            estate,
            form_data(categories, phone=f"1380000500{i}"),
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        )
    assert (
        submit(
            proxy,
            estate,
            form_data(categories, phone="13800006000"),
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        ).status_code
        == 429
    )
    assert (
        submit(
            proxy,
            estate,
            form_data(categories, phone="13800006001"),
            HTTP_X_FORWARDED_FOR="spoofed, 198.51.100.77",
        ).status_code
        == 302
    )
