"""Import of units and residents from CSV or XLSX.

Every row is checked before anything is written; any bad row means nothing is imported and the
caller gets every error with its row number (row 1 is the header, as in a spreadsheet).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from propserv.models import Building, Estate, Resident, Unit, phone_validator

MAX_ROWS = 50_000

# Accepted headings (English or the Chinese ones staff use in their spreadsheets).
HEADER_ALIASES = {
    "estate": "estate",
    "小区": "estate",
    "项目": "estate",
    "building": "building",
    "楼栋": "building",
    "楼号": "building",
    "code": "code",
    "unit": "unit",
    "房号": "unit",
    "单元号": "unit",
    "unit_code": "unit",
    "floor": "floor",
    "楼层": "floor",
    "area_m2": "area_m2",
    "area": "area_m2",
    "面积": "area_m2",
    "建筑面积": "area_m2",
    "use": "use",
    "用途": "use",
    "status": "status",
    "状态": "status",
    "name": "name",
    "姓名": "name",
    "phone": "phone",
    "电话": "phone",
    "手机": "phone",
    "role": "role",
    "身份": "role",
    "moved_in_on": "moved_in_on",
    "入住日期": "moved_in_on",
}
CHOICE_ALIASES = {
    "use": {"住宅": "residential", "商业": "commercial"},
    "status": {
        "空置": "vacant",
        "已售": "sold",
        "入住": "occupied",
        "已入住": "occupied",
        "装修": "renovating",
        "装修中": "renovating",
    },
    "role": {"业主": "owner", "租户": "tenant", "家属": "family", "家庭成员": "family"},
}


class ImportFailed(Exception):
    def __init__(self, errors: list[tuple[int, str]]):
        super().__init__(f"{len(errors)} rows have errors")
        self.errors = errors


def read_table(file, filename: str) -> list[dict[str, str]]:
    """Rows as dicts keyed by canonical field names; raises ImportFailed for unreadable files."""
    raw = file.read()
    name = filename.lower()
    if name.endswith(".xlsx"):
        rows = _read_xlsx(raw)
    elif name.endswith(".csv") or name.endswith(".txt"):
        rows = _read_csv(raw)
    else:
        raise ImportFailed([(0, _("Upload a .csv or .xlsx file."))])
    if not rows:
        raise ImportFailed([(0, _("The file has no rows."))])
    header = [
        HEADER_ALIASES.get(
            str(h or "").strip().lower(), HEADER_ALIASES.get(str(h or "").strip(), "")
        )
        for h in rows[0]
    ]
    if len(rows) - 1 > MAX_ROWS:
        raise ImportFailed([(0, _("At most %(n)s rows per file.") % {"n": MAX_ROWS})])
    result = []
    for values in rows[1:]:
        if all(v in (None, "") for v in values):
            continue
        result.append({h: _cell(v) for h, v in zip(header, values, strict=False) if h})
    return result


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_csv(raw: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFailed([(0, _("The file is neither UTF-8 nor GB18030 text."))])
    return list(csv.reader(io.StringIO(text)))


def _read_xlsx(raw: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:
        raise ImportFailed([(0, _("This is not a readable .xlsx file."))]) from exc
    sheet = workbook.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def import_rows(*, kind: str, rows: list[dict[str, str]], user=None) -> int:
    """Validate all rows, then write them in one transaction. `user` limits the estates
    (None: a management command, all estates)."""
    estates = {
        e.code: e
        for e in (Estate.objects.for_user(user) if user is not None else Estate.objects.all())
    }
    if kind == "units":
        objects, errors = _check_units(rows, estates)
    elif kind == "residents":
        objects, errors = _check_residents(rows, estates)
    else:
        raise ImportFailed([(0, _("Unknown import kind."))])
    if errors:
        raise ImportFailed(errors)
    with transaction.atomic():
        if kind == "units":
            for unit, building_code in objects:
                building, _created = Building.objects.get_or_create(
                    estate=unit.estate, code=building_code
                )
                unit.building = building
                unit.save()
        else:
            for resident in objects:
                resident.save()
    return len(objects)


def _choice(field: str, value: str, choices) -> str:
    value = CHOICE_ALIASES.get(field, {}).get(value, value)
    return value if value in choices.values else ""


def _check_units(rows, estates):
    errors, objects = [], []
    seen: set[tuple[str, str]] = set()
    existing = set(
        Unit.objects.filter(estate__in=estates.values()).values_list("estate__code", "code")
    )
    for number, row in enumerate(rows, start=2):
        problems = []
        estate = estates.get(row.get("estate", ""))
        if estate is None:
            problems.append(_("unknown estate “%(code)s”") % {"code": row.get("estate", "")})
        code = row.get("code") or row.get("unit", "")
        if not code:
            problems.append(_("unit code is missing"))
        building = row.get("building") or (code.split("-")[0] if "-" in code else "")
        if not building:
            problems.append(_("building is missing"))
        key = (row.get("estate", ""), code)
        if code and (key in seen or key in existing):
            problems.append(_("unit %(code)s appears twice") % {"code": code})
        seen.add(key)
        try:
            area = Decimal(row.get("area_m2", ""))
            if area <= 0:
                raise InvalidOperation
        except InvalidOperation:
            area = None
            problems.append(_("floor area must be a positive number of m²"))
        floor = None
        if row.get("floor"):
            try:
                floor = int(row["floor"])
            except ValueError:
                problems.append(_("floor must be a whole number"))
        use = _choice("use", row.get("use") or "residential", Unit.Use)
        status = _choice("status", row.get("status") or "vacant", Unit.Status)
        if not use:
            problems.append(_("use must be residential or commercial"))
        if not status:
            problems.append(_("status must be vacant, sold, occupied or renovating"))
        if problems:
            errors.append((number, "; ".join(problems)))
            continue
        objects.append(
            (
                Unit(estate=estate, code=code, floor=floor, area_m2=area, use=use, status=status),
                building,
            )
        )
    return objects, errors


def _check_residents(rows, estates):
    errors, objects = [], []
    units = {
        (u.estate.code, u.code): u
        for u in Unit.objects.filter(estate__in=estates.values()).select_related("estate")
    }
    for number, row in enumerate(rows, start=2):
        problems = []
        estate_code = row.get("estate", "")
        if estate_code not in estates:
            problems.append(_("unknown estate “%(code)s”") % {"code": estate_code})
        unit = units.get((estate_code, row.get("unit") or row.get("code", "")))
        if unit is None and estate_code in estates:
            problems.append(_("unknown unit “%(code)s”") % {"code": row.get("unit", "")})
        name = row.get("name", "")
        if not name:
            problems.append(_("name is missing"))
        elif len(name) > 64:
            problems.append(_("name is longer than 64 characters"))
        phone = row.get("phone", "").replace(" ", "")
        if phone:
            try:
                phone_validator(phone)
            except ValidationError:
                problems.append(_("phone “%(phone)s” is not a valid number") % {"phone": phone})
        role = _choice("role", row.get("role") or "owner", Resident.Role)
        if not role:
            problems.append(_("role must be owner, tenant or family"))
        moved_in = None
        if row.get("moved_in_on"):
            try:
                moved_in = dt.date.fromisoformat(row["moved_in_on"])
            except ValueError:
                problems.append(_("moved-in date must look like 2024-05-01"))
        if problems:
            errors.append((number, "; ".join(problems)))
            continue
        objects.append(
            Resident(
                estate=unit.estate,
                unit=unit,
                name=name,
                phone=phone,
                role=role,
                moved_in_on=moved_in,
            )
        )
    return objects, errors
