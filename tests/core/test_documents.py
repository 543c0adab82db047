"""The one document helper: an HTML print view and a PDF that says the same, Chinese included."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from django.test import RequestFactory

from propserv.documents import (
    Document,
    Fields,
    Grid,
    Heading,
    Signatures,
    Text,
    document_response,
    pdf_bytes,
)

LETTER = Document(
    title="投诉回复函",
    subtitle="翠湖花园客服中心",
    filename="reply-TS-0001",
    blocks=[
        Heading("处理结果"),
        Text("尊敬的业主：\n您反映的 3-2-1502 漏水问题已处理完毕。<b>不是标签</b>"),
        Fields([("编号", "TS-0001"), ("业主", "王先生")]),
        Grid(["日期", "事项"], [["2026-12-01", "上门查看"]]),
        Signatures(["业主", "客服主管"]),
    ],
)


def test_print_view_is_html_with_everything_escaped(rf: RequestFactory):
    response = document_response(rf.get("/"), LETTER, fmt="html")
    html = response.content.decode()
    assert response.status_code == 200 and "<h1>投诉回复函</h1>" in html
    assert "漏水问题已处理完毕" in html and "&lt;b&gt;不是标签&lt;/b&gt;" in html
    assert "TS-0001" in html and "客服主管" in html and "?format=pdf" in html


def test_pdf_is_a_download_whose_text_is_the_letter(rf: RequestFactory, tmp_path):
    response = document_response(rf.get("/"), LETTER, fmt="pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="reply-TS-0001.pdf"'
    assert response.content.startswith(b"%PDF")
    if not shutil.which("pdftotext"):
        if os.environ.get("CI") == "true":
            pytest.fail("pdftotext (poppler-utils) is missing")
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf_bytes(LETTER))
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for words in ("投诉回复函", "漏水问题已处理完毕", "TS-0001", "王先生", "上门查看", "客服主管"):
        assert words in text


def test_unknown_format_is_refused(rf: RequestFactory):
    with pytest.raises(ValueError):
        document_response(rf.get("/"), LETTER, fmt="docx")
