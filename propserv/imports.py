"""Import of units and residents from CSV or XLSX.

Every row is checked before anything is written; any bad row means nothing is imported and the
caller gets every error with its row number (row 1 is the header, as in a spreadsheet).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from propserv.models import Building, Estate, Resident, Unit, phone_validator

MAX_ROWS = 50_000
# The model's validator also takes 10–12 digits without a leading 0 as a landline, so a mobile
# number with a digit missing ("1380013800") would pass it; anything starting with 1 must be a
# whole mobile number.
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
ROW = "_row"  # the spreadsheet row number a parsed row came from

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
# Columns each kind cannot do without ("unit" may stand in for "code" in a units file).
REQUIRED_COLUMNS = {
    "units": [("estate",), ("code", "unit"), ("area_m2",)],
    "residents": [("estate",), ("unit", "code"), ("name",)],
}


class Table(list):
    """Parsed rows (dicts keyed by canonical field names), plus the columns the header named."""

    def __init__(self, rows=(), columns=()):
        super().__init__(rows)
        self.columns = list(columns)


class ImportFailed(Exception):
    def __init__(self, errors: list[tuple[int, str]]):
        super().__init__(f"{len(errors)} rows have errors")
        self.errors = errors


def _heading(value) -> str:
    text = str(value or "").strip()
    return HEADER_ALIASES.get(text.lower(), HEADER_ALIASES.get(text, ""))


def read_table(file, filename: str) -> Table:
    """Rows as dicts keyed by canonical field names (plus ROW, the row number in the file);
    raises ImportFailed for unreadable files."""
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
    if len(rows) - 1 > MAX_ROWS:
        raise ImportFailed([(0, _("At most %(n)s rows per file.") % {"n": MAX_ROWS})])
    header = [_heading(h) for h in rows[0]]
    result = []
    for number, values in enumerate(rows[1:], start=2):
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        row = {h: _cell(v) for h, v in zip(header, values, strict=False) if h}
        row[ROW] = number
        result.append(row)
    if not result:
        raise ImportFailed([(0, _("The file has no rows."))])
    return Table(result, columns=[h for h in header if h])


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
    try:
        return list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise ImportFailed([(0, _("This is not a readable CSV file."))]) from exc


def _read_xlsx(raw: bytes) -> list[list]:
    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    except Exception as exc:
        raise ImportFailed([(0, _("This is not a readable .xlsx file."))]) from exc


def import_rows(*, kind: str, rows: list[dict[str, str]], user=None) -> int:
    """Validate all rows, then write them in one transaction. `user` limits the estates
    (None: a management command, all estates)."""
    if kind not in REQUIRED_COLUMNS:
        raise ImportFailed([(0, _("Unknown import kind."))])
    # A missing column is one error on the header row, not one per row.
    columns = getattr(rows, "columns", None)
    if columns is not None:
        missing = [
            " / ".join(alternatives)
            for alternatives in REQUIRED_COLUMNS[kind]
            if not any(a in columns for a in alternatives)
        ]
        if missing:
            raise ImportFailed(
                [(1, _("missing column: %(columns)s") % {"columns": ", ".join(missing)})]
            )
    estates = Estate.objects.for_user(user) if user is not None else Estate.objects.all()
    lookup = EstateLookup(estates)
    if kind == "units":
        objects, errors = _check_units(rows, lookup)
    else:
        objects, errors = _check_residents(rows, lookup)
    if errors:
        raise ImportFailed(errors)
    try:
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
    except IntegrityError as exc:  # someone else imported the same units a moment ago
        raise ImportFailed(
            [(0, _("The data changed while importing; nothing was imported. Try again."))]
        ) from exc
    return len(objects)


class EstateLookup:
    """Finds an estate by its code (any case) or its full name, among the allowed estates."""

    def __init__(self, estates) -> None:
        self.estates = list(estates)
        self._by_key = {}
        for estate in self.estates:
            self._by_key[estate.code.lower()] = estate
            self._by_key.setdefault(estate.name.strip().lower(), estate)

    def get(self, value: str) -> Estate | None:
        return self._by_key.get((value or "").strip().lower())


def _row_number(row: dict, index: int) -> int:
    return int(row.get(ROW) or index + 2)


def _choice(field: str, value: str, choices) -> str:
    value = CHOICE_ALIASES.get(field, {}).get(value, value)
    return value if value in choices.values else ""


def _model_problems(obj, exclude: list[str]) -> list[str]:
    """Field checks of the model itself (lengths, digits), as messages naming the field."""
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        problems = []
        for field, messages in exc.message_dict.items():
            label = obj._meta.get_field(field).verbose_name if field != "__all__" else ""
            problems.extend(f"{label}: {m}" if label else m for m in messages)
        return problems
    return []


def _check_units(rows, lookup: EstateLookup):
    errors, objects = [], []
    seen: dict[tuple[int, str], int] = {}
    existing = set(Unit.objects.filter(estate__in=lookup.estates).values_list("estate_id", "code"))
    for index, row in enumerate(rows):
        number = _row_number(row, index)
        problems = []
        estate = lookup.get(row.get("estate", ""))
        if estate is None:
            problems.append(_("unknown estate “%(code)s”") % {"code": row.get("estate", "")})
        code = row.get("code") or row.get("unit", "")
        if not code:
            problems.append(_("unit code is missing"))
        building = row.get("building") or (code.split("-")[0] if "-" in code else "")
        if not building:
            problems.append(_("building is missing"))
        elif len(building) > Building._meta.get_field("code").max_length:
            problems.append(_("building number “%(code)s” is too long") % {"code": building})
        if code and estate is not None:
            key = (estate.pk, code)
            if key in existing:
                problems.append(
                    _("unit %(code)s already exists in %(estate)s")
                    % {"code": code, "estate": estate.name}
                )
            elif key in seen:
                problems.append(
                    _("unit %(code)s appears twice in the file (also row %(row)s)")
                    % {"code": code, "row": seen[key]}
                )
            else:
                seen[key] = number
        area = None
        try:
            area = Decimal(row.get("area_m2", "").replace(",", ""))
            if not area.is_finite() or area <= 0:
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
        unit = Unit(estate=estate, code=code, floor=floor, area_m2=area, use=use, status=status)
        if not problems:
            problems = _model_problems(unit, exclude=["estate", "building"])
        if problems:
            errors.append((number, "; ".join(problems)))
            continue
        objects.append((unit, building))
    return objects, errors


def _check_residents(rows, lookup: EstateLookup):
    errors, objects = [], []
    units = {
        (u.estate_id, u.code): u
        for u in Unit.objects.filter(estate__in=lookup.estates).select_related("estate")
    }
    for index, row in enumerate(rows):
        number = _row_number(row, index)
        problems = []
        estate = lookup.get(row.get("estate", ""))
        if estate is None:
            problems.append(_("unknown estate “%(code)s”") % {"code": row.get("estate", "")})
        unit_code = row.get("unit") or row.get("code", "")
        unit = units.get((estate.pk, unit_code)) if estate is not None else None
        if estate is not None and unit is None:
            problems.append(_("unknown unit “%(code)s”") % {"code": unit_code})
        name = row.get("name", "")
        if not name:
            problems.append(_("name is missing"))
        elif len(name) > 64:
            problems.append(_("name is longer than 64 characters"))
        phone = row.get("phone", "").replace(" ", "")
        if phone:
            try:
                phone_validator(phone)
                if phone.startswith("1") and not MOBILE_RE.match(phone):
                    raise ValidationError("invalid_phone")
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
