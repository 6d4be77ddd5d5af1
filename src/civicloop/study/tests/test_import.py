"""Article import: pinyin glosses go, real brackets stay, optional simplification — through the
API (JSON and file) and through the import page."""

from __future__ import annotations

import io
import json

import docx
import pytest

from civicloop.study.models import Article

# Our own samples, as scraped pages carry them.
TRADITIONAL = (
    "中國共產黨(dǎng)的歷(lì)史\n"
    "2026年7月1日，興隆台區(qū)各黨(工)委要落實(shí)《管理辦法（试行）》，業(yè)務發(fā)展。"
)
SIMPLIFIED = "社区(shè qū)党史学习\n社区(shèqū)的党(工)委按第(1)条（试行）推进，区(qū)域协同。"


def post_json(client, body):
    return client.post("/api/v1/articles/import", json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_import_of_traditional_text_without_conversion_only_removes_the_pinyin(api_as):
    response = post_json(api_as("publicity"), {"text": TRADITIONAL, "to_simplified": False})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["title"] == "中國共產黨的歷史"
    assert body["text"] == "2026年7月1日，興隆台區各黨(工)委要落實《管理辦法（试行）》，業務發展。"
    article = Article.objects.get(pk=body["id"])
    assert article.text == body["text"]
    assert article.date.isoformat() == "2026-07-01"
    assert article.simplified is False


@pytest.mark.django_db
def test_import_of_traditional_text_with_conversion_gives_clean_simplified_text(api_as):
    body = post_json(api_as("publicity"), {"text": TRADITIONAL, "to_simplified": True}).json()
    assert body["title"] == "中国共产党的历史"
    assert body["text"] == "2026年7月1日，兴隆台区各党(工)委要落实《管理办法（试行）》，业务发展。"


@pytest.mark.django_db
def test_pinyin_after_simplified_characters_goes_and_real_brackets_stay(api_as):
    body = post_json(api_as("publicity"), {"text": SIMPLIFIED, "to_simplified": True}).json()
    assert body["title"] == "社区党史学习"
    assert body["text"] == "社区的党(工)委按第(1)条（试行）推进，区域协同。"


@pytest.mark.django_db
def test_an_html_file_upload_is_stripped_of_markup_and_glosses(api_as):
    html = (
        "<html><head><title>站点</title></head><body><nav>首页 &gt; 新闻</nav>"
        "<h1>學習(xí)黨史</h1><p>黨(dǎng)員<b>領讀</b>《簡史》。</p><p>第二段（试行）。</p>"
        "</body></html>"
    ).encode()
    upload = io.BytesIO(html)
    upload.name = "news.html"
    response = api_as("publicity").post(
        "/api/v1/articles/import", {"file": upload, "to_simplified": "true"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["title"] == "学习党史"
    assert body["text"] == "党员领读《简史》。\n\n第二段（试行）。"


@pytest.mark.django_db
def test_a_docx_upload_is_imported(api_as):
    document = docx.Document()
    document.add_paragraph("兴隆台区(qū)推进会")
    document.add_paragraph("各党(工)委参加。")
    buffer = io.BytesIO()
    document.save(buffer)
    buffer.seek(0)
    buffer.name = "notice.docx"
    body = api_as("publicity").post("/api/v1/articles/import", {"file": buffer}).json()
    assert body["title"] == "兴隆台区推进会"
    assert body["text"] == "各党(工)委参加。"


@pytest.mark.django_db
def test_import_refuses_bad_input_with_json_errors(api_as):
    client = api_as("publicity")
    assert post_json(client, {"text": ""}).status_code == 422
    assert post_json(client, {"text": "x", "to_simplified": "yes"}).status_code == 422
    assert post_json(client, ["not", "an", "object"]).status_code == 422
    bad = client.post("/api/v1/articles/import", "{oops", content_type="application/json")
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "bad_request"
    old_word = io.BytesIO(b"\xd0\xcf\x11\xe0 old word")
    old_word.name = "old.doc"
    refused = client.post("/api/v1/articles/import", {"file": old_word})
    assert refused.status_code == 400
    assert ".docx" in refused.json()["error"]["message"]
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_a_plain_member_cannot_import_articles(api_as):
    assert post_json(api_as("member"), {"text": TRADITIONAL}).status_code == 403
    assert post_json(api_as(None), {"text": TRADITIONAL}).status_code == 401


@pytest.mark.django_db
def test_the_import_page_shows_the_cleaned_article(web_as):
    client = web_as("publicity")
    page = client.get("/study/articles/import/")
    assert page.status_code == 200
    org_id = page.context["form"].fields["org"].choices[0][0]
    response = client.post(
        "/study/articles/import/",
        {"org": org_id, "text": TRADITIONAL, "to_simplified": "on"},
        follow=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "中国共产党的历史" in html
    assert "兴隆台区各党(工)委要落实《管理办法（试行）》" in html
    assert "(qū)" not in html and "(dǎng)" not in html


@pytest.mark.django_db
def test_the_import_page_keeps_traditional_characters_when_not_asked_to_convert(web_as):
    client = web_as("publicity")
    org_id = client.get("/study/articles/import/").context["form"].fields["org"].choices[0][0]
    client.post("/study/articles/import/", {"org": org_id, "text": TRADITIONAL})
    article = Article.objects.get()
    assert article.title == "中國共產黨的歷史"
    assert "落實《管理辦法（试行）》" in article.text
