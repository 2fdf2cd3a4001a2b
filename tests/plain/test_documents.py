"""File → text, without a database: every format, and every bad input gets a clear refusal."""
import io
import unicodedata
from pathlib import Path

import docx
import pytest
from pypdf import PdfWriter

from liaison.text.documents import MAX_BYTES, DocumentError, extract_text, human_size, text_from_paste

SEEDS = Path(__file__).resolve().parents[2] / "liaison" / "demo" / "seeds"


def minimal_pdf(text):
    """A one-page PDF whose text layer says ``text`` (hand-made: pypdf writes no text)."""
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def blank_pdf():
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_docx(*paragraphs, table=None):
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_seed_text_is_read_exactly_as_the_file():
    raw = (SEEDS / "003_48ffc7615be71e63.txt").read_bytes()
    result = extract_text(raw, "003_48ffc7615be71e63.txt")
    assert result.kind == "txt" and result.warnings == []
    assert result.text == raw.decode("utf-8")
    assert result.title == "Chinese Criminals With Cambodian Citizenship Will Be Targeted In New Campaign"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "utf-32"])
def test_text_with_a_byte_order_mark_is_decoded(encoding):
    text = "ตำรวจไทยช่วยเหลือเหยื่อ 35 คน\nCảnh sát Việt Nam"
    result = extract_text(text.encode(encoding), "report.txt")
    assert result.text == text


def test_legacy_encoding_is_refused_rather_than_guessed():
    text = "警方在妙瓦底捣毁诈骗窝点，抓获犯罪嫌疑人五百七十一名。"
    with pytest.raises(DocumentError, match="not in UTF-8.*Save it as UTF-8"):
        extract_text(text.encode("gb18030"), "bulletin.txt")


def test_text_is_stored_in_nfc_with_one_kind_of_line_break():
    decomposed = unicodedata.normalize("NFD", "NGUYỄN Văn An\r\nbị bắt")
    result = extract_text(decomposed.encode("utf-8"), "vn.txt")
    assert result.text == "NGUYỄN Văn An\nbị bắt"
    assert unicodedata.is_normalized("NFC", result.text)


@pytest.mark.parametrize("data", [b"", b"   \n\t  \n"])
def test_empty_document_is_refused(data):
    with pytest.raises(DocumentError, match="empty"):
        extract_text(data, "empty.txt")


def test_binary_file_named_txt_is_refused():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    with pytest.raises(DocumentError, match="binary data"):
        extract_text(png, "photo.txt")


def test_oversized_file_is_refused_and_the_limit_is_stated():
    with pytest.raises(DocumentError) as caught:
        extract_text(b"a" * (MAX_BYTES + 1), "huge.txt")
    assert "the limit is 5 MB" in str(caught.value)
    with pytest.raises(DocumentError, match="the limit is 5 MB"):
        text_from_paste("б" * (MAX_BYTES // 2 + 1))


def test_unknown_and_old_formats_say_what_is_accepted():
    with pytest.raises(DocumentError, match=r"Accepted: \.txt, \.html, \.pdf and \.docx"):
        extract_text(b"col1,col2\n", "list.xls")
    with pytest.raises(DocumentError, match=r"old Word \(\.doc\)"):
        extract_text(b"\xd0\xcf\x11\xe0 old word", "note.doc")


def test_html_keeps_the_article_and_drops_the_menu():
    page = (
        "<!doctype html><html><head><title>Raid in Muse</title><script>var x = 1;</script></head><body>"
        "<nav><a href='/'>Home</a> | <a href='/world'>World</a></nav><article><h1>Raid in Muse</h1>"
        + "<p>Police in Muse handed 571 suspects to China on 18 November after a raid on a compound.</p>" * 3
        + "</article><footer>Copyright 2025 Example News. All rights reserved.</footer></body></html>"
    )
    result = extract_text(page.encode(), "muse.html")
    assert "571 suspects" in result.text
    assert "var x" not in result.text and "Copyright" not in result.text
    assert result.title == "Raid in Muse" and result.warnings == []


def test_broken_html_gives_its_text_with_a_warning():
    result = extract_text("<html><body><div><p>Police raided <b>a compound near Shwe Kokko".encode(), "cut.html")
    assert "Police raided a compound near Shwe Kokko" in result.text
    assert any("incomplete or damaged" in w and "<b>" in w for w in result.warnings)


def test_arabic_html_text_is_kept_as_written():
    sentence = "أعلنت الصين وتايلاند خلال قمة مشتركة عن تعاون لمكافحة مراكز الاحتيال."
    result = extract_text(f"<html><body><p>{sentence}</p></body></html>".encode(), "ar.htm")
    assert sentence in result.text


def test_pdf_text_layer_is_read():
    result = extract_text(minimal_pdf("Police rescued 35 victims in Myawaddy"), "bulletin.pdf")
    assert result.kind == "pdf"
    assert "Police rescued 35 victims in Myawaddy" in result.text


def test_pdf_without_text_layer_is_refused_with_the_reason():
    with pytest.raises(DocumentError, match="no text layer.*OCR is not available"):
        extract_text(blank_pdf(), "scan.pdf")


def test_damaged_pdf_is_refused():
    with pytest.raises(DocumentError, match="PDF file is damaged"):
        extract_text(b"%PDF-1.4\n garbage garbage", "broken.pdf")


def test_docx_paragraphs_and_tables_are_read():
    data = make_docx("Ministry of Foreign Affairs", "33 Vietnamese nationals will be repatriated.",
                     table=[["Name", "Status"], ["Nguyễn Văn An", "detained"]])
    result = extract_text(data, "note.docx")
    assert result.kind == "docx"
    assert "33 Vietnamese nationals will be repatriated." in result.text
    assert "Nguyễn Văn An\tdetained" in result.text
    assert result.title == "Ministry of Foreign Affairs"


def test_damaged_docx_is_refused():
    with pytest.raises(DocumentError, match="Word document is damaged"):
        extract_text(b"PK\x03\x04 not really a zip", "broken.docx")


def test_the_format_is_recognised_by_content_when_the_name_lies():
    result = extract_text(minimal_pdf("Raid report"), "report.txt")
    assert result.kind == "pdf" and "Raid report" in result.text


def test_sizes_are_stated_in_units_officers_read():
    assert human_size(MAX_BYTES) == "5 MB"
    assert human_size(1536) == "1.5 KB"
    assert human_size(12) == "12 bytes"
