"""The residents' report form and tracking page, without a login."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from propserv.models import Deadline, Notification
from tests.conftest import PASSWORD
from tests.factories import EstateFactory
from tests.visits.conftest import image_bytes, public_client
from tickets import rules as ticket_rules
from tickets.models import Repair
from tickets.services import repairs as repair_services
from visits.public import tracking_url


def form_data(categories, **kwargs):
    data = {
        "unit_code": "3-2-1502",
        "name": "王先生",
        "phone": "13800001502",
        "category": categories["drainage"].pk,
        "description": "厨房下水道堵塞，水排不下去",
    }
    data.update(kwargs)
    return data


def submit(client, estate, data, **extra):
    return client.post(f"/report/{estate.code}/", data, **extra)


def finish(repair, staff):
    tech = staff["technician"]
    repair_services.repair_dispatch(repair_id=repair.pk, technician=tech, actor=staff["frontdesk"])
    repair_services.repair_mark_arrived(repair_id=repair.pk, actor=tech)
    repair_services.repair_start(repair_id=repair.pk, actor=tech)
    repair_services.repair_complete(
        repair_id=repair.pk, actor=tech, labour_minutes=30, signed_by="王先生"
    )


def test_bad_content_length_on_the_public_form_is_400(estate, unit):
    client = Client(REMOTE_ADDR="10.250.0.1")
    response = client.post(f"/report/{estate.code}/", {"name": "x"}, CONTENT_LENGTH="lots")
    assert response.status_code == 400


def test_choose_estate_when_there_are_several(estate, db):
    client = public_client()
    assert client.get("/report/")["Location"] == f"/report/{estate.code}/"
    EstateFactory(code="SECOND", name="第二小区")
    page = client.get("/report/").content.decode()
    assert "/report/CUIHU/" in page and "/report/SECOND/" in page


def test_form_page_shows_emergency_number_and_hides_the_honeypot(estate, categories):
    page = public_client().get(f"/report/{estate.code}/?b=3").content.decode()
    assert 'data-testid="urgent-note"' in page and estate.emergency_phone in page
    assert 'value="3-"' in page  # the building's QR code pre-fills the building
    assert 'class="hp" aria-hidden="true"' in page and 'name="website"' in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_submit_creates_a_web_repair_on_the_board_with_a_tracking_link(
    estate, unit, resident, categories, staff
):
    response = submit(public_client(), estate, form_data(categories))
    repair = Repair.objects.get()
    assert response.status_code == 302
    assert response["Location"] == tracking_url(repair) + "?new=1"
    assert repair.channel == "web" and repair.unit == unit and repair.reporter == resident
    assert repair.received_by is None
    kinds = set(Deadline.objects.for_subject(repair).values_list("kind", flat=True))
    assert kinds == {ticket_rules.ARRIVAL, ticket_rules.COMPLETION}
    assert repair.events.get(action="created").actor_label == "王先生"

    staff_client = public_client()
    staff_client.login(username="frontdesk", password=PASSWORD)
    assert repair.number in staff_client.get("/tickets/board/").content.decode()

    page = public_client().get(response["Location"]).content.decode()
    assert repair.tracking_code in page and 'data-testid="received"' in page
    assert 'data-testid="call-now"' not in page  # not an urgent category


def test_the_tracking_link_is_signed(estate, unit, categories):
    submit(public_client(), estate, form_data(categories))
    repair = Repair.objects.get()
    client = public_client()
    assert client.get(f"/track/{repair.tracking_code}/").status_code == 404
    token = tracking_url(repair).split("/")[2]
    code, signature = token.split(":")
    assert client.get(f"/track/{code}:{signature[:-2]}xx/").status_code == 404
    assert client.get(f"/track/{token}/").status_code == 200


def test_tracking_code_with_the_phone_finds_the_request(estate, unit, categories):
    submit(public_client(), estate, form_data(categories))
    repair = Repair.objects.get()
    client = public_client()
    wrong = client.post("/track/", {"code": repair.tracking_code, "phone": "13900000000"})
    assert wrong.status_code == 400
    right = client.post("/track/", {"code": repair.tracking_code.lower(), "phone": "13800001502"})
    assert right["Location"] == tracking_url(repair)


def test_urgent_category_says_call_now_and_still_creates_the_ticket(
    estate, unit, categories, staff
):
    response = submit(
        public_client(), estate, form_data(categories, category=categories["water"].pk)
    )
    repair = Repair.objects.get()
    assert repair.urgent
    assert Deadline.objects.for_subject(repair).get(kind=ticket_rules.ARRIVAL).rule == {
        "unit": "minutes",
        "amount": 15,
    }
    page = public_client().get(response["Location"]).content.decode()
    assert 'data-testid="call-now"' in page and estate.emergency_phone in page
    assert Notification.objects.filter(
        recipient=staff["supervisor"], dedupe_key=f"repair:{repair.pk}:urgent"
    ).exists()


def test_out_of_hours_note_with_the_emergency_number(estate, categories):
    settings_row = estate.service_settings
    settings_row.calling_hours_start = dt.time(0, 0)
    settings_row.calling_hours_end = dt.time(23, 59, 59, 999999)
    settings_row.save()
    assert (
        'data-testid="out-of-hours"' not in public_client().get("/report/CUIHU/").content.decode()
    )
    settings_row.calling_hours_start = settings_row.calling_hours_end = dt.time(0, 0)
    settings_row.save()
    page = public_client().get("/report/CUIHU/").content.decode()
    assert 'data-testid="out-of-hours"' in page and estate.emergency_phone in page


def test_tracking_shows_arrival_and_one_tap_rating_is_the_callback(estate, unit, categories, staff):
    response = submit(public_client(), estate, form_data(categories))
    repair = Repair.objects.get()
    url = response["Location"].split("?")[0]
    client = public_client()
    page = client.get(url).content.decode()
    assert 'data-testid="arrival"' in page and 'name="satisfaction"' not in page
    finish(repair, staff)
    page = client.get(url).content.decode()
    assert 'name="satisfaction"' in page
    assert client.post(url + "rate/", {"satisfaction": "5", "comment": "很快"}).status_code == 302
    repair.refresh_from_db()
    assert repair.status == Repair.Status.CLOSED
    callback = repair.callbacks.get()
    assert callback.satisfaction == 5 and callback.channel == "web"
    assert callback.confirmed_by_resident and callback.comment == "很快"
    assert Deadline.objects.for_subject(repair).get(kind=ticket_rules.CALLBACK).met_at
    page = client.get(url + "?rated=thanks").content.decode()
    assert 'name="satisfaction"' not in page and 'data-testid="rated"' in page
    # A second tap changes nothing.
    client.post(url + "rate/", {"satisfaction": "1"})
    repair.refresh_from_db()
    assert repair.status == Repair.Status.CLOSED


def test_dissatisfied_rating_reopens_the_repair(estate, unit, categories, staff):
    response = submit(public_client(), estate, form_data(categories))
    repair = Repair.objects.get()
    finish(repair, staff)
    url = response["Location"].split("?")[0]
    response = public_client().post(url + "rate/", {"satisfaction": "2"})
    assert response["Location"].endswith("?rated=sorry")
    repair.refresh_from_db()
    assert repair.status == Repair.Status.REOPENED and repair.reopen_count == 1


def test_honeypot_creates_nothing(estate, unit, categories):
    response = submit(public_client(), estate, form_data(categories, website="http://spam"))
    assert response.status_code == 200 and not Repair.objects.exists()


def test_double_tap_makes_one_repair(estate, unit, categories):
    client = public_client()
    data = form_data(categories, submission="abc123abc123")
    first = submit(client, estate, data)
    second = submit(client, estate, data)
    assert Repair.objects.count() == 1 and first["Location"] == second["Location"]


def test_photos_are_stored_without_metadata(estate, unit, categories):
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {1: "N", 2: (22.0, 32.0, 0.0)}  # GPS
    jpeg = image_bytes("JPEG", exif=exif.tobytes())
    with Image.open(io.BytesIO(jpeg)) as check:
        assert check.getexif()
    png = image_bytes("PNG")
    import pillow_heif

    heif = pillow_heif.from_pillow(Image.new("RGB", (320, 240), (10, 200, 30)))
    heic_out = io.BytesIO()
    heif.save(heic_out, quality=80)
    uploads = [
        SimpleUploadedFile("a.jpg", jpeg, "image/jpeg"),
        SimpleUploadedFile("b.png", png, "image/png"),
        SimpleUploadedFile("c.heic", heic_out.getvalue(), "image/heic"),
    ]
    response = submit(public_client(), estate, form_data(categories, photos=uploads))
    assert response.status_code == 302, response.content.decode()[:2000]
    repair = Repair.objects.get()
    photos = list(repair.photos.all())
    assert len(photos) == 3
    for photo in photos:
        with Image.open(photo.image.path) as stored:
            assert stored.format == "JPEG"
            assert not stored.getexif()
            assert "exif" not in stored.info and "icc_profile" not in stored.info


def test_preferred_visit_time_is_kept(estate, unit, categories):
    when = timezone.localtime() + dt.timedelta(days=1)
    submit(
        public_client(),
        estate,
        form_data(categories, preferred_visit_at=when.strftime("%Y-%m-%dT%H:%M")),
    )
    assert Repair.objects.get().preferred_visit_at == when.replace(second=0, microsecond=0)


@pytest.mark.parametrize("lang,word", [("en", "Report a repair"), ("zh-hans", "报修")])
def test_both_languages(estate, categories, lang, word):
    page = public_client(HTTP_ACCEPT_LANGUAGE=lang).get("/report/CUIHU/").content.decode()
    assert word in page


# --- issue 12, item 11 ---------------------------------------------------------------------------


def test_a_rejected_report_says_the_photo_must_be_chosen_again(estate, unit, categories):
    photo = SimpleUploadedFile("leak.jpg", image_bytes("JPEG"), "image/jpeg")
    client = public_client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    response = submit(client, estate, form_data(categories, description="", photos=[photo]))
    assert response.status_code == 400 and not Repair.objects.exists()
    page = response.content.decode()
    assert 'data-testid="photos-again"' in page and "请在提交前重新选择照片" in page
    # Without a photo chosen there is nothing to say.
    page = submit(client, estate, form_data(categories, description="")).content.decode()
    assert 'data-testid="photos-again"' not in page


def test_tracking_lookup_names_the_estate(estate, categories):
    EstateFactory(code="OTHER", name="别的小区")
    page = public_client().get("/report/CUIHU/").content.decode()
    assert "/track/?estate=CUIHU" in page
    lookup = public_client(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/track/?estate=CUIHU")
    text = lookup.content.decode()
    assert "翠湖花园" in text and "PropServ" not in text.split("<main")[0].split("<body")[1]


def test_tracking_lookup_with_one_estate_names_it(estate):
    text = public_client().get("/track/").content.decode()
    assert "翠湖花园" in text.split("<main")[0]
