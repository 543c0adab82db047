"""A survey's results (客户满意率统计表) as a printable document and as a workbook, and its open
letter (公开信) as a printable document (propserv.documents, propserv.exports)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from propserv.documents import Document, Fields, Grid, Heading, Signatures, Text, document_response
from propserv.exports import XLSX_TYPE, Column, Table, attachment, table, workbook_bytes
from tickets.selectors import surveys as selectors


def _pct(value) -> str:
    return "—" if value is None else f"{value}%"


def _num(value) -> str:
    return "—" if value is None else str(value)


def _summary(survey, result) -> list[tuple[str, str]]:
    returns = result["returns"]
    return [
        (_("Estate"), survey.estate.name),
        (_("Questionnaire"), survey.template.name),
        (_("Households in the estate"), str(survey.households_total)),
        (_("Sampled"), f"{returns['sampled']} ({survey.sample_percent}%)"),
        (_("Returns"), f"{returns['returned']} ({_pct(returns['return_rate'])})"),
        (_("Returned on time"), f"{returns['on_time']} ({_pct(returns['on_time_rate'])})"),
        (_("Satisfaction"), _pct(result["overall"]["rate"])),
        (_("Average score"), _num(result["overall"]["average"])),
    ]


QUESTION_COLUMNS = [
    Column(lambda r: r["question"].position, gettext_lazy("No."), width=6),
    Column(lambda r: r["question"].text, gettext_lazy("Question"), width=40),
    Column(lambda r: r["question"].get_service_line_display(), gettext_lazy("Service line")),
    Column("answers", gettext_lazy("Answers"), width=10),
    Column("satisfied", gettext_lazy("Satisfied"), width=10),
    Column("rate", gettext_lazy("Satisfaction (%)"), number_format="0.0"),
    Column("average", gettext_lazy("Average score"), number_format="0.00"),
]
BUILDING_COLUMNS = [
    Column(lambda r: str(r["building"]), gettext_lazy("Building"), width=16),
    Column("sampled", gettext_lazy("Sampled"), width=10),
    Column("returned", gettext_lazy("Returns"), width=10),
    Column("answers", gettext_lazy("Answers"), width=10),
    Column("satisfied", gettext_lazy("Satisfied"), width=10),
    Column("rate", gettext_lazy("Satisfaction (%)"), number_format="0.0"),
    Column("average", gettext_lazy("Average score"), number_format="0.00"),
]
LINE_COLUMNS = [
    Column("label", gettext_lazy("Service line"), width=20),
    Column("answers", gettext_lazy("Answers"), width=10),
    Column("satisfied", gettext_lazy("Satisfied"), width=10),
    Column("rate", gettext_lazy("Satisfaction (%)"), number_format="0.0"),
    Column("average", gettext_lazy("Average score"), number_format="0.00"),
]


def _grid(columns, rows) -> Grid:
    headings, body = table(columns, rows)
    return Grid(headings, [["—" if v is None or v == "" else v for v in row] for row in body])


def results_document(survey, result) -> Document:
    return Document(
        title=_("Customer satisfaction statistics"),
        subtitle=f"{survey.estate.name} · {survey.title}",
        filename=f"survey-{survey.estate.code}-{survey.pk}",
        blocks=[
            Fields(_summary(survey, result)),
            Heading(_("By question")),
            _grid(QUESTION_COLUMNS, result["questions"]),
            Heading(_("By building")),
            _grid(BUILDING_COLUMNS, result["buildings"]),
            Heading(_("By service line")),
            _grid(LINE_COLUMNS, result["lines"]),
            Signatures([_("Prepared by"), _("Reviewed by (quality department)")]),
        ],
    )


def results_workbook(survey, result) -> bytes:
    preamble = [f"{survey.estate.name} · {survey.title}"]
    summary_columns = [
        Column(0, gettext_lazy("Item"), width=24),
        Column(1, gettext_lazy("Value"), width=24),
    ]
    return workbook_bytes(
        [
            Table(_("Survey summary"), summary_columns, _summary(survey, result), preamble),
            Table(_("By question"), QUESTION_COLUMNS, result["questions"], preamble),
            Table(_("By building"), BUILDING_COLUMNS, result["buildings"], preamble),
            Table(_("By service line"), LINE_COLUMNS, result["lines"], preamble),
        ]
    )


def results_response(request, survey, *, fmt: str):
    result = selectors.results(survey)
    if fmt == "xlsx":
        return attachment(
            results_workbook(survey, result),
            content_type=XLSX_TYPE,
            filename=f"survey-{survey.estate.code}-{survey.pk}.xlsx",
        )
    return document_response(request, results_document(survey, result), fmt=fmt)


def letter_response(request, survey, letter, *, fmt: str):
    document = Document(
        title=_("Open letter to residents"),
        subtitle=survey.estate.name,
        filename=f"open-letter-{survey.estate.code}-{survey.pk}",
        blocks=[
            Text(letter.text),
            Text(timezone.localtime(letter.written_at).strftime("%Y-%m-%d")),
        ],
    )
    return document_response(request, document, fmt=fmt)
