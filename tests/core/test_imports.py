"""Import of units and residents from CSV and XLSX: all rows or none, every error with its row."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from propserv.models import Building, Resident, Unit
from tests.factories import UnitFactory, make_staff

UNITS_CSV = (
    "estate,building,code,floor,area_m2,use,status\n"
    "CUIHU,5,5-1-0101,1,89.50,residential,occupied\n"
    "CUIHU,5,5-1-0102,1,120,residential,vacant\n"
    "CUIHU,6,6-1-0201,2,45.25,commercial,sold\n"
)


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run_import(tmp_path, name: str, content: bytes | str, kind: str) -> tuple[str, str]:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"):
        call_command("import_units", str(path), kind=kind, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def command_errors(tmp_path, name, content, kind) -> dict[int, str]:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    err = io.StringIO()
    with translation.override("en"), pytest.raises(CommandError, match="nothing imported"):
        call_command("import_units", str(path), kind=kind, stdout=io.StringIO(), stderr=err)
    return {
        int(m.group(1)): m.group(2)
        for m in re.finditer(r"^row (\d+): (.*)$", err.getvalue(), re.MULTILINE)
    }


def upload(client, name: str, content: bytes, kind: str):
    return client.post(reverse("import"), {"kind": kind, "file": SimpleUploadedFile(name, content)})


def page_errors(response) -> dict[int, str]:
    """The row → problem table of the import page."""
    body = response.content.decode()
    return {
        int(row): message
        for row, message in re.findall(r"<tr><td>(\d+)</td><td>(.*?)</td></tr>", body)
    }


# --- good files ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_units_csv_by_command(tmp_path, estate):
    out, _ = run_import(tmp_path, "units.csv", UNITS_CSV, "units")
    assert "3 rows imported" in out
    unit = Unit.objects.get(estate=estate, code="5-1-0101")
    assert unit.area_m2 == Decimal("89.50")
    assert unit.floor == 1
    assert unit.status == Unit.Status.OCCUPIED
    assert unit.building.code == "5" and unit.building.estate == estate
    assert Unit.objects.get(code="6-1-0201").use == Unit.Use.COMMERCIAL
    assert set(Building.objects.filter(estate=estate).values_list("code", flat=True)) == {"5", "6"}


@pytest.mark.django_db
def test_units_xlsx_with_chinese_headings_by_command(tmp_path, estate):
    content = xlsx(
        [
            ["小区", "楼栋", "房号", "楼层", "建筑面积", "用途", "状态"],
            ["CUIHU", 7, "7-2-1501", 15, 98.76, "住宅", "已入住"],
            ["翠湖花园", 7, "7-2-1502", 15, 110, "商业", "装修中"],  # the estate by its name
        ]
    )
    out, _ = run_import(tmp_path, "units.xlsx", content, "units")
    assert "2 rows imported" in out
    first = Unit.objects.get(estate=estate, code="7-2-1501")
    assert (first.floor, first.area_m2, first.use, first.status) == (
        15,
        Decimal("98.76"),
        "residential",
        "occupied",
    )
    second = Unit.objects.get(estate=estate, code="7-2-1502")
    assert (second.use, second.status) == ("commercial", "renovating")


@pytest.mark.django_db
def test_residents_gb18030_csv_with_chinese_headings_by_command(tmp_path, unit):
    content = (
        "小区,房号,姓名,电话,身份,入住日期\n"
        "CUIHU,3-2-1502,王伟,138 0013 8000,业主,2024-05-01\n"
        "CUIHU,3-2-1502,李娜,0755-86001234,租户,\n"
    ).encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")  # really not UTF-8
    out, _ = run_import(tmp_path, "residents.csv", content, "residents")
    assert "2 rows imported" in out
    wang = Resident.objects.get(name="王伟")
    assert (wang.unit, wang.phone, wang.role, str(wang.moved_in_on)) == (
        unit,
        "13800138000",
        "owner",
        "2024-05-01",
    )
    assert Resident.objects.get(name="李娜").role == Resident.Role.TENANT


@pytest.mark.django_db
def test_units_csv_by_upload_page(client, admin_user, estate):
    client.force_login(admin_user)
    assert client.get(reverse("import")).status_code == 200
    response = upload(client, "units.csv", UNITS_CSV.encode("utf-8-sig"), "units")
    assert response.status_code == 302
    assert Unit.objects.filter(estate=estate).count() == 3


@pytest.mark.django_db
def test_residents_xlsx_by_upload_page(client, admin_user, unit):
    import datetime as dt

    content = xlsx(
        [
            ["estate", "unit", "name", "phone", "role", "moved_in_on"],
            ["CUIHU", "3-2-1502", "张敏", 13912345678, "family", dt.datetime(2023, 3, 8)],
        ]
    )
    client.force_login(admin_user)
    response = upload(client, "residents.xlsx", content, "residents")
    assert response.status_code == 302, page_errors(response)
    resident = Resident.objects.get(name="张敏")
    assert (resident.phone, resident.role, resident.moved_in_on) == (
        "13912345678",
        "family",
        dt.date(2023, 3, 8),
    )


# --- bad rows: every error, nothing imported ----------------------------------------------------

BAD_UNITS_CSV = (
    "estate,building,code,floor,area_m2\n"
    "CUIHU,5,5-1-0101,1,80\n"  # row 2: fine
    "NOWHERE,5,5-1-0102,1,80\n"  # row 3: unknown estate
    "CUIHU,5,5-1-0101,1,80\n"  # row 4: same code as row 2
    "CUIHU,3,3-2-1502,15,80\n"  # row 5: already in the database
    "CUIHU,5,5-1-0103,1,-12.5\n"  # row 6: negative area
    "\n"  # a blank line does not shift the row numbers
    "CUIHU,5,5-1-0104,ten,abc\n"  # row 8: bad floor and area
)


@pytest.mark.django_db
def test_bad_units_by_command_list_every_error_and_import_nothing(tmp_path, unit):
    units_before, buildings_before = Unit.objects.count(), Building.objects.count()
    errors = command_errors(tmp_path, "units.csv", BAD_UNITS_CSV, "units")
    assert sorted(errors) == [3, 4, 5, 6, 8]
    assert "unknown estate “NOWHERE”" in errors[3]
    assert "5-1-0101 appears twice in the file (also row 2)" in errors[4]
    assert "3-2-1502 already exists" in errors[5]
    assert "floor area must be a positive number" in errors[6]
    assert "floor must be a whole number" in errors[8] and "floor area" in errors[8]
    assert Unit.objects.count() == units_before
    assert Building.objects.count() == buildings_before
    assert not Unit.objects.filter(code="5-1-0101").exists()


@pytest.mark.django_db
def test_bad_units_xlsx_by_command(tmp_path, estate):
    content = xlsx(
        [
            ["小区", "楼栋", "房号", "建筑面积"],
            ["CUIHU", 1, "1-1-0101", 0],  # zero area
            ["CUIHU", 1, "1-1-0102", 1234567890.5],  # more digits than the column holds
            ["CUIHU", 1, "1-1-0103", 50],
        ]
    )
    errors = command_errors(tmp_path, "units.xlsx", content, "units")
    assert sorted(errors) == [2, 3]
    assert Unit.objects.count() == 0


@pytest.mark.django_db
def test_bad_residents_by_command(tmp_path, unit):
    content = (
        "estate,unit,name,phone,role\n"
        "CUIHU,3-2-1502,王伟,13800138000,owner\n"  # row 2: fine
        "NOWHERE,3-2-1502,李娜,13800138001,owner\n"  # row 3: unknown estate
        "CUIHU,9-9-9999,张敏,13800138002,owner\n"  # row 4: unknown unit
        "CUIHU,3-2-1502,刘洋,12345,owner\n"  # row 5: malformed phone
        "CUIHU,3-2-1502,,13800138003,landlord\n"  # row 6: no name, unknown role
    )
    errors = command_errors(tmp_path, "residents.csv", content, "residents")
    assert sorted(errors) == [3, 4, 5, 6]
    assert "unknown estate" in errors[3]
    assert "unknown unit “9-9-9999”" in errors[4]
    assert "phone “12345” is not a valid number" in errors[5]
    assert "name is missing" in errors[6] and "role must be" in errors[6]
    assert Resident.objects.count() == 0


@pytest.mark.django_db
def test_bad_rows_on_the_upload_page(client, admin_user, unit):
    client.force_login(admin_user)
    response = upload(client, "units.csv", BAD_UNITS_CSV.encode(), "units")
    assert response.status_code == 400
    assert sorted(page_errors(response)) == [3, 4, 5, 6, 8]
    assert Unit.objects.count() == 1  # only the fixture's unit


@pytest.mark.django_db
def test_bad_residents_xlsx_on_the_upload_page(client, admin_user, unit):
    content = xlsx(
        [
            ["小区", "房号", "姓名", "手机"],
            ["CUIHU", "3-2-1502", "王伟", "13800138000"],
            ["CUIHU", "3-2-9999", "李娜", "1380013800"],  # unknown unit and a 10-digit phone
        ]
    )
    client.force_login(admin_user)
    response = upload(client, "residents.xlsx", content, "residents")
    assert response.status_code == 400
    errors = page_errors(response)
    assert list(errors) == [3]
    assert "3-2-9999" in errors[3] and "1380013800" in errors[3]
    assert Resident.objects.count() == 0


@pytest.mark.django_db
def test_missing_column_is_one_error_on_the_header(tmp_path, estate):
    errors = command_errors(tmp_path, "units.csv", "estate,code\nCUIHU,1-1-0101\n", "units")
    assert list(errors) == [1]
    assert "area_m2" in errors[1]


@pytest.mark.django_db
def test_unreadable_files(client, admin_user, estate):
    client.force_login(admin_user)
    response = upload(client, "units.pdf", b"%PDF-1.4", "units")
    assert response.status_code == 400
    assert "<td>—</td>" in response.content.decode()
    response = upload(client, "units.xlsx", b"not a zip file", "units")
    assert response.status_code == 400
    assert Unit.objects.count() == 0


# --- who may import -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_front_desk_may_not_import(client, staff, estate):
    client.force_login(staff["frontdesk"])
    assert client.get(reverse("import")).status_code == 403
    response = upload(client, "units.csv", UNITS_CSV.encode(), "units")
    assert response.status_code == 403
    assert Unit.objects.count() == 0
    # …and is not offered the link.
    assert reverse("import") not in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("import"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.django_db
def test_an_administrator_imports_only_into_their_own_estates(client, estate, other_estate):
    office_admin = make_staff("office_admin", estates=[estate], is_staff=True)
    client.force_login(office_admin)
    content = "estate,building,code,area_m2\nOTHER,1,1-1-0101,80\nCUIHU,1,1-1-0101,80\n"
    response = upload(client, "units.csv", content.encode(), "units")
    assert response.status_code == 400
    assert list(page_errors(response)) == [2]  # OTHER is unknown to this administrator
    assert Unit.objects.count() == 0
    response = upload(client, "units.csv", content.replace("OTHER", "CUIHU", 1).encode(), "units")
    assert sorted(page_errors(response)) == [3]  # now a duplicate of row 2
    # Same code in another estate is not a duplicate.
    UnitFactory(building__estate=other_estate, building__code="1", code="1-1-0102")
    response = upload(
        client,
        "units.csv",
        b"estate,building,code,area_m2\nCUIHU,1,1-1-0102,80\n",
        "units",
    )
    assert response.status_code == 302
    assert Unit.objects.filter(code="1-1-0102").count() == 2
