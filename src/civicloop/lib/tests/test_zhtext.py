"""Tests for cleaning imported Chinese articles (pinyin glosses, t2s, TXT/HTML/DOCX, dates)."""

import codecs
import io
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import docx
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from civicloop.lib import zhtext
from civicloop.lib.zhtext import (
    PINYIN_SYLLABLES,
    Article,
    ArticleImportError,
    clean_article,
    docx_to_text,
    extract_text,
    find_date,
    html_to_text,
    import_article,
    strip_pinyin_annotations,
    to_simplified,
)

SAMPLES = Path(__file__).parent / "samples" / "zhtext"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


# --- pinyin syllables ------------------------------------------------------------------------


def test_syllable_set_has_the_standard_size_and_members() -> None:
    # Standard tables list about 400 syllables; ours adds only the "nue"/"lue" spellings.
    assert 400 <= len(PINYIN_SYLLABLES) <= 415
    for syllable in ["a", "er", "yo", "zhuang", "chuang", "shei", "lüe", "nü", "jiong", "xue"]:
        assert syllable in PINYIN_SYLLABLES
    # Phonotactically impossible combinations, English look-alikes, and left-out interjections.
    for impossible in ["ten", "sing", "bue", "jü", "zhie", "fiao", "tin", "see", "n", "m", "ng"]:
        assert impossible not in PINYIN_SYLLABLES


# --- strip_pinyin_annotations ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("兴隆台区(qū)", "兴隆台区"),
        (
            "作风建设年活动取得实效，党风政风持续向好(hǎo)。",
            "作风建设年活动取得实效，党风政风持续向好。",
        ),
        ("事业(yè)发展", "事业发展"),
        ("發(fā)展", "發展"),  # traditional character
        ("黨(dǎng)史", "黨史"),
        ("区（qū）委", "区委"),  # full-width brackets
        ("区（qū)委", "区委"),  # mismatched widths, as scraped pages have them
        ("区(qu1)委", "区委"),  # tone digit
        ("区(qu)委", "区委"),  # toneless single syllable
        ("兴隆(xīng lóng)台", "兴隆台"),
        ("兴隆(xing1 long2)台", "兴隆台"),
        ("兴隆(xing1long2)台", "兴隆台"),  # solid, tone digits
        ("兴隆台(Xīnglóngtái)区", "兴隆台区"),  # solid, capitalised, tone marks
        ("西安(Xī'ān)", "西安"),
        ("西安(xī’ān)", "西安"),
        ("兴隆台(xīng-lóng-tái)", "兴隆台"),
        ("女(nǚ)干部", "女干部"),
        ("女(nv3)干部", "女干部"),
        ("略(lüè)", "略"),
        ("虐(nüè)", "虐"),
        ("朋友(péngyou)", "朋友"),  # neutral-tone syllable left unmarked
        ("区( qū )委", "区委"),
        ("兴(xīng)(lóng)", "兴"),  # the second gloss touches 兴 once the first is gone
        ("啊(ā)", "啊"),
        ("𠮷(jí)", "𠮷"),  # Han character outside the BMP
    ],
)
def test_removes_pinyin_glosses(raw: str, clean: str) -> None:
    assert strip_pinyin_annotations(raw) == clean


@pytest.mark.parametrize(
    "text",
    [
        "兴隆台区党(工)委",
        "兴隆台区党史学习教育实施方案（试行）",
        "(一)抓好专题学习",
        "（二）办好民生实事",
        "第(一)项",
        "民生实事清单(2021年)",
        "传承红色基因(DNA)",
        "详见附件(see note)",
        "中国(China)",  # chi + na, but toneless solid words are not taken for pinyin
        "兴隆台区(Xinglongtai)",
        "方案(a)",  # toneless lone vowel: a list label
        "规格(A4)",  # all caps: an acronym, though "a4" is a syllable with tone
        "选项(AN)",
        "站(Ma An Shan)",  # three syllables after one Han character
        "区 (qū)",  # not directly after the character
        "(qū)区",
        "qu(qū)",
        "区(qū1)",  # a tone mark and a digit at once
        "区(qīū)",  # two tone marks in one syllable
        "嗯(n)",  # interjection syllables are deliberately not in the set
        "区((qū))",
        "区()",
        "区(qū\nqū)",
        "区(ｑū)",  # full-width letter
    ],
)
def test_keeps_real_brackets(text: str) -> None:
    assert strip_pinyin_annotations(text) == text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        # Both English and pinyin: after a Han character the pinyin reading wins.
        ("他(he)说", "他说"),
        ("我们(wǒ me)", "我们"),
        ("安(an)", "安"),
        # Anywhere else they are ordinary text.
        ("see (he) and (me)", "see (he) and (me)"),
        ("党史学习 (an) 教育", "党史学习 (an) 教育"),
        ("2021(an)", "2021(an)"),
    ],
)
def test_words_that_are_both_english_and_pinyin(raw: str, clean: str) -> None:
    assert strip_pinyin_annotations(raw) == clean


def test_strips_glosses_in_a_whole_traditional_sample() -> None:
    text = sample("dangshi_traditional.txt").decode()
    stripped = strip_pinyin_annotations(text)
    for gloss in ["(xīng lóng tái)", "（huí yīn）", "(fā)", "(fen4)"]:
        assert gloss in text
        assert gloss not in stripped
    for kept in ["黨(工)委", "(一)", "(總支)", "（試行）", "(2021年)"]:
        assert kept in stripped


# --- to_simplified ---------------------------------------------------------------------------


def test_to_simplified() -> None:
    assert to_simplified("興隆臺區黨史學習教育") == "兴隆台区党史学习教育"
    assert to_simplified("發展黨員幹部") == "发展党员干部"


def test_to_simplified_keeps_simplified_text_latin_and_brackets() -> None:
    text = "兴隆台区党(工)委（试行）(DNA) Xīnglóngtái 2021年"
    assert to_simplified(text) == text


# --- find_date -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("发布时间：2021年6月30日", date(2021, 6, 30)),
        ("2021 年 6 月 30 日召开", date(2021, 6, 30)),
        ("于2021年7月1号举行", date(2021, 7, 1)),
        ("落款 2021年6月30", date(2021, 6, 30)),
        ("发布时间：2021-06-30 10:00", date(2021, 6, 30)),
        ("2021.06.30", date(2021, 6, 30)),
        ("2021/6/30前报送", date(2021, 6, 30)),
        ("２０２１年６月３０日", date(2021, 6, 30)),  # full-width digits
        # Not a real day, so the next date is taken.
        ("2021年2月30日原定，改为2021年3月1日", date(2021, 3, 1)),
        ("2021-13-01 或 2021-12-01", date(2021, 12, 1)),
        ("版本 3021.01.01，发布于 2021.01.02", date(2021, 1, 2)),
    ],
)
def test_find_date(text: str, expected: date) -> None:
    assert find_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2021年6月",  # no day
        "2021-06/30",  # mixed separators
        "1.2021.06.30",  # part of a longer dotted number
        "2021.06.30.1",
        "12021-06-30",
        "2021-06-301",
        "电话 0427-2021-0630",
        "二〇二一年六月三十日",  # Chinese numerals are not parsed
    ],
)
def test_find_date_rejects(text: str) -> None:
    assert find_date(text) is None


# --- clean_article ---------------------------------------------------------------------------


def test_clean_article_without_simplification() -> None:
    article = clean_article(sample("dangshi_traditional.txt").decode())
    assert article.title == "興隆臺區紮實開展黨史學習教育"
    assert article.date == date(2021, 6, 30)
    paragraphs = article.text.split("\n\n")
    assert paragraphs[0] == "發佈時間：2021年6月30日 來源：興隆臺區委宣傳部"
    assert paragraphs[2] == "(一)抓好專題學習"
    assert (
        paragraphs[-1]
        == "各街道社區通過宣講、展覽等形式，講好興隆臺區發展故事，激勵黨員幹部奮進新征程。"
    )
    assert len(paragraphs) == 8
    assert all(p == p.strip() and p for p in paragraphs)


def test_clean_article_with_simplification() -> None:
    article = clean_article(sample("dangshi_traditional.txt").decode(), to_simplified=True)
    assert article.title == "兴隆台区扎实开展党史学习教育"
    assert article.date == date(2021, 6, 30)
    assert "兴隆台区各级党(工)委坚持学史明理" in article.text
    assert "《兴隆台区党史学习教育实施方案（试行）》" in article.text
    assert "做到件件有" in article.text
    assert "事事有回音。" in article.text
    assert "(二)办好民生实事" in article.text
    assert "激励党员干部奋进新征程。" in article.text


def test_clean_article_normalises_paragraphs() -> None:
    text = "\r\n\u3000 标题\u200b \r\n\r\n\r\n\u3000\u3000第一段\t 文字\u3000\n   \n第二段\r第三段\u2028第四段\n"
    assert clean_article(text) == Article(
        title="标题", text="第一段 文字\n\n第二段\n\n第三段\n\n第四段", date=None
    )


def test_clean_article_with_given_title() -> None:
    text = "兴隆台区党(dǎng)史学习教育\n2021年6月30日\n正文"
    article = clean_article(text, title="興隆臺區黨(dǎng)史學習教育", to_simplified=True)
    # The given title is cleaned too, and not repeated as the first body paragraph.
    assert article == Article(
        title="兴隆台区党史学习教育", text="2021年6月30日\n\n正文", date=date(2021, 6, 30)
    )


def test_clean_article_date_may_come_from_title() -> None:
    assert clean_article("2021年6月30日工作简报\n正文").date == date(2021, 6, 30)


def test_clean_article_empty() -> None:
    assert clean_article(" \n\u3000\n") == Article(title="", text="", date=None)


# --- html_to_text ----------------------------------------------------------------------------


def test_html_to_text_paragraphs_and_entities() -> None:
    html = (
        "<div>第一段<p>第二段&nbsp;&lt;党史&gt;&amp;&ldquo;学习&rdquo;</p>第三段<br>第四段"
        "<ul><li>一是</li><li>二是</li></ul><h2>小标题</h2>"
        "Hello <b>world</b><i>!</i></div>"
    )
    assert html_to_text(html) == (
        "第一段\n第二段 <党史>&“学习”\n第三段\n第四段\n一是\n二是\n小标题\nHello world!"
    )


def test_html_to_text_drops_invisible_content() -> None:
    html = (
        "<html><head><title>页面标题</title><style>p{color:red}</style></head><body>"
        "<script>document.write('<p>脚本</p>')</script><!-- 注释 -->"
        "<noscript>请启用脚本</noscript><p>正文</p></body></html>"
    )
    assert html_to_text(html) == "正文"


def test_html_to_text_collapses_source_whitespace() -> None:
    html = "<p>\n   兴隆台区\n   党史学习教育，\n  Hello\n  world\u3000\u3000 。\n</p>"
    # Line breaks between Chinese characters vanish; between Latin words they become a space.
    assert html_to_text(html) == "兴隆台区党史学习教育，Hello world。"


def test_html_to_text_sample_page() -> None:
    lines = html_to_text(sample("dangshi_news.html")).split("\n")
    assert lines[:4] == [
        "兴隆台区人民政府",
        "首页 > 新闻中心 > 工作动态",
        "兴隆台区召开党史学习教育动员大会",
        "发布时间：2021-03-12 来源：区委宣传部",
    ]
    assert lines[4] == (
        "3月12日，兴隆台区召开党史学习教育动员大会，"
        "深入学习贯彻习近平总书记在党史学习教育动员大会上的重要讲话精神。"
    )
    assert "会议要求：" in lines
    assert "二要突出学习重点；" in lines
    assert "专题读书班 4月" in lines
    assert "统计代码" not in "\n".join(lines)
    assert not any("正文开始" in line for line in lines)


def test_html_bytes_decoded_by_declared_charset() -> None:
    # Older government sites declare gb2312 but use GBK-only characters such as 镕 and 堃.
    html = '<html><head><meta charset="gb2312"></head><body><p>朱镕基</p><p>王堃</p></body></html>'
    data = html.encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("gb2312")
    assert html_to_text(data) == "朱镕基\n王堃"


def test_html_bytes_bom_beats_a_copied_meta_charset() -> None:
    data = codecs.BOM_UTF8 + '<meta charset="gb2312"><p>兴隆台区</p>'.encode()
    assert html_to_text(data) == "兴隆台区"


def test_html_bytes_without_charset_fall_back_to_gb18030() -> None:
    data = "<p>兴隆台区</p>".encode("gb18030")
    assert html_to_text(data) == "兴隆台区"


# --- docx ------------------------------------------------------------------------------------


def build_docx() -> bytes:
    document = docx.Document()
    document.add_heading("興隆臺區黨史學習教育簡報", level=1)
    document.add_paragraph("")
    document.add_paragraph("\u3000\u3000發佈時間：2021年6月30日")
    paragraph = document.add_paragraph("興隆臺(xīng lóng tái)區各級")
    paragraph.add_run("黨(工)委").bold = True
    paragraph.add_run("認真落實《實施方案（試行）》。")
    document.add_paragraph("第一行").add_run().add_break()
    document.paragraphs[-1].add_run("第二行")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "學習安排"
    table.cell(1, 0).text = "(一)專題讀書班"
    table.cell(1, 1).text = "4月"
    document.add_paragraph("結尾")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_to_text() -> None:
    assert docx_to_text(build_docx()).split("\n") == [
        "興隆臺區黨史學習教育簡報",
        "發佈時間：2021年6月30日",
        "興隆臺(xīng lóng tái)區各級黨(工)委認真落實《實施方案（試行）》。",
        "第一行",
        "第二行",
        "學習安排",  # the merged cell appears once
        "(一)專題讀書班",
        "4月",
        "結尾",
    ]


def test_import_docx_with_simplification() -> None:
    article = import_article(build_docx(), "简报.DOCX", to_simplified=True)
    assert article.title == "兴隆台区党史学习教育简报"
    assert article.date == date(2021, 6, 30)
    assert article.text.split("\n\n")[:2] == [
        "发布时间：2021年6月30日",
        "兴隆台区各级党(工)委认真落实《实施方案（试行）》。",
    ]


def test_corrupt_docx_is_an_import_error() -> None:
    with pytest.raises(ArticleImportError, match="Word"):
        docx_to_text(b"PK\x03\x04 not really a zip")
    with pytest.raises(ArticleImportError):
        extract_text(b"plain text renamed", "文章.docx")


# --- extract_text ----------------------------------------------------------------------------


def test_extract_utf8_txt() -> None:
    assert extract_text("兴隆台区\n党史".encode(), "a.txt") == "兴隆台区\n党史"
    assert extract_text("\ufeff兴隆台区".encode(), "a.TXT") == "兴隆台区"  # BOM dropped


def test_extract_gb18030_txt_sample() -> None:
    data = sample("tongzhi_gb18030.txt")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text = extract_text(data, "通知.txt")
    assert text.startswith("关于开展“学党史、办实事”志愿服务活动的通知\r\n")
    article = import_article(data, "通知.txt")
    assert article.title == "关于开展“学党史、办实事”志愿服务活动的通知"
    assert article.date == date(2021, 7, 1)
    assert article.text.split("\n\n")[-1] == "2021.06.20"


def test_extract_utf16_txt_from_notepad() -> None:
    data = "兴隆台区党史学习教育".encode("utf-16")
    assert extract_text(data, "a.txt") == "兴隆台区党史学习教育"


def test_extract_html_by_extension() -> None:
    assert extract_text(b"<p>a</p><p>b</p>", "page.HTM") == "a\nb"
    assert extract_text(b"<p>a</p>", "dir/page.html") == "a"


def test_binary_txt_is_an_import_error() -> None:
    with pytest.raises(ArticleImportError, match="文本文件"):
        extract_text(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "图片.txt")


@pytest.mark.parametrize(
    ("filename", "message"),
    [
        ("文章.pdf", "不支持的文件类型：.pdf"),
        ("文章", "不支持的文件类型：（无扩展名）"),
        ("文章.doc", "暂不支持 .doc 格式"),
        ("文章.wps", "另存为 .docx"),
    ],
)
def test_unsupported_types(filename: str, message: str) -> None:
    with pytest.raises(ArticleImportError, match=message) as caught:
        extract_text(b"data", filename)
    assert isinstance(caught.value, ValueError)


# --- import_article --------------------------------------------------------------------------


def test_import_pasted_text() -> None:
    article = import_article("  兴隆台区(qū)党史学习教育\n\n2021/6/30\n 正文 ")
    assert article == Article(
        title="兴隆台区党史学习教育", text="2021/6/30\n\n正文", date=date(2021, 6, 30)
    )


def test_import_html_sample_uses_h1_and_body_after_it() -> None:
    article = import_article(sample("dangshi_news.html"), "dangshi_news.html")
    assert article.title == "兴隆台区召开党史学习教育动员大会"
    assert article.date == date(2021, 3, 12)
    paragraphs = article.text.split("\n\n")
    # Site header and breadcrumbs sit above the <h1> and are not part of the article.
    assert paragraphs[0] == "发布时间：2021-03-12 来源：区委宣传部"
    assert "兴隆台区党(工)委、各街道党工委负责同志参加会议。" in paragraphs[-2]
    assert "兴隆台区融媒体中心&区档案馆供稿。" in paragraphs[-2]  # gloss removed across <b>
    assert "（一）学习安排" in paragraphs


def test_import_html_falls_back_to_title_element() -> None:
    html = "<title> 兴隆台区 党史学习教育 </title><h1> </h1><p>正文</p>"
    article = import_article(html, "page.html")
    assert article == Article(title="兴隆台区党史学习教育", text="正文", date=None)


def test_import_html_pinyin_in_title_and_simplification() -> None:
    html = "<h1>興隆臺(xīng lóng tái)區</h1><p>發佈：2021年6月30日</p>"
    article = import_article(html.encode(), "a.html", to_simplified=True)
    assert article == Article(title="兴隆台区", text="发布：2021年6月30日", date=date(2021, 6, 30))


def test_import_errors() -> None:
    with pytest.raises(ArticleImportError, match="缺少文件名"):
        import_article(b"data")
    with pytest.raises(ArticleImportError, match="没有读取到文章内容"):
        import_article(" \n ")
    with pytest.raises(ArticleImportError, match="没有读取到文章内容"):
        import_article(b"<script>x</script>", "a.html")
    with pytest.raises(ArticleImportError, match="不支持"):
        import_article("text", "a.pdf")
    with pytest.raises(TypeError):
        import_article("text", "a.docx")


# --- properties ------------------------------------------------------------------------------

_HAN_TEXT = st.text(alphabet="兴隆台区党史学习教育發展黨工委一年试行", min_size=1, max_size=12)
_MIXED = st.text(
    alphabet=st.sampled_from(list("兴隆台区黨工委一年 ()（）qūxīnglóngaeDNA12345'-\n")), max_size=40
)
_NO_BRACKETS = st.text(
    alphabet=st.characters(exclude_characters="()（）", exclude_categories=["Cs"]),
    max_size=60,
)
_GLOSS = st.lists(
    st.tuples(st.sampled_from(sorted(PINYIN_SYLLABLES)), st.sampled_from(["", "1", "2", "3", "4"])),
    min_size=1,
    max_size=3,
)


@given(_NO_BRACKETS)
def test_text_without_brackets_is_unchanged(text: str) -> None:
    assert strip_pinyin_annotations(text) == text


@given(_MIXED)
@example("兴(xīng)(lóng)(tái)")
@example("区(qū)（qū）(DNA)")
def test_strip_is_idempotent(text: str) -> None:
    once = strip_pinyin_annotations(text)
    assert strip_pinyin_annotations(once) == once
    assert len(once) <= len(text)


@settings(max_examples=200)
@given(st.lists(st.tuples(_HAN_TEXT, _GLOSS, st.booleans()), min_size=1, max_size=5))
def test_inserted_glosses_are_all_removed(
    parts: list[tuple[str, list[tuple[str, str]], bool]],
) -> None:
    # Gloss at most as many syllables as the Han run it follows, in random bracket widths.
    original = "，".join(han for han, _, _ in parts)
    glossed = []
    for han, syllables, full_width in parts:
        # Toneless lone vowels are kept by design, so give those a tone digit.
        words = [s + ((d or "1") if len(s) == 1 else d) for s, d in syllables[: len(han)]]
        left, right = ("（", "）") if full_width else ("(", ")")
        glossed.append(f"{han}{left}{' '.join(words)}{right}")
    assert strip_pinyin_annotations("，".join(glossed)) == original


# --- packaging -------------------------------------------------------------------------------


def test_module_does_not_import_django() -> None:
    src = Path(zhtext.__file__).resolve().parents[2]
    code = (
        "import sys, civicloop.lib.zhtext\n"
        "assert not any(m.split('.')[0] == 'django' for m in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": str(src)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=60)
