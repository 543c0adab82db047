from django import forms
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file holds"),
        choices=[("units", _("Units")), ("residents", _("Residents"))],
    )
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        help_text=_(
            "First row: headings. Units: estate, building, code, floor, area_m2, use, status "
            "(or 小区, 楼栋, 房号, 楼层, 建筑面积, 用途, 状态). Residents: estate, unit, name, "
            "phone, role, moved_in_on (or 小区, 房号, 姓名, 电话, 身份, 入住日期). "
            "CSV may be UTF-8 or GB18030."
        ),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload


class CalendarDayForm(forms.Form):
    """One day of the working-day calendar, as an administrator changes it."""

    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(
        label=_("Make it"),
        choices=[
            ("holiday", _("a holiday (no work)")),
            ("workday", _("an adjusted working day (调休)")),
            ("normal", _("an ordinary day again")),
        ],
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=64,
        required=False,
        help_text=_("e.g. 国庆节, or why the office is closed."),
    )

    def clean_date(self):
        date = self.cleaned_data["date"]
        if not 1900 <= date.year <= 2200:
            raise forms.ValidationError(_("Choose a date between 1900 and 2200."))
        return date
