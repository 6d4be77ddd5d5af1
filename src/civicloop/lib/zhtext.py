"""Clean imported Chinese articles: pinyin glosses, t2s, TXT/HTML/DOCX text, title and date."""

from __future__ import annotations

import codecs
import datetime
import functools
import io
import re
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import PurePath

import docx
import opencc
from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, NavigableString, Tag
from bs4.dammit import EncodingDetector
from bs4.element import PreformattedString
from docx.table import Table

__all__ = [
    "PINYIN_SYLLABLES",
    "Article",
    "ArticleImportError",
    "clean_article",
    "docx_to_text",
    "extract_text",
    "find_date",
    "html_to_text",
    "import_article",
    "strip_pinyin_annotations",
    "to_simplified",
]


class ArticleImportError(ValueError):
    """An uploaded or pasted article cannot be read; the message is shown to the user as is."""


@dataclass(frozen=True, slots=True)
class Article:
    """A cleaned article: title, body paragraphs joined by blank lines, first date in the text."""

    title: str
    text: str
    date: datetime.date | None


# --- pinyin syllables ------------------------------------------------------------------------

# Finals that each initial (in spelling form, so y/w count as initials) combines with. After
# j/q/x/y a written "u" is ü, which is why "u", "ue", "uan", "un" appear there and not "ü".
# The interjection syllables m, n, ng, hm, hng and ê are left out on purpose: "(n)" or "(m)"
# after a Han character is far more often a variable or unit than a pinyin annotation.
_G_FINALS = "a e ai ei ao ou an en ang eng ong u ua uo uai ui uan un uang"
_JQX_FINALS = "i ia ie iao iu ian in iang ing iong u ue uan un"
_ZCS_FINALS = "a e ai ei ao ou an en ang eng ong i u uo ui uan un"
_FINALS_BY_INITIAL: dict[str, str] = {
    "": "a o e ai ei ao ou an en ang eng er",
    "y": "a o e ao ou an in ang ing ong i u ue uan un",
    "w": "a o ai ei an en ang eng u",
    "b": "a o ai ei ao an en ang eng i ie iao ian in ing u",
    "p": "a o ai ei ao ou an en ang eng i ie iao ian in ing u",
    "m": "a o e ai ei ao ou an en ang eng i ie iao iu ian in ing u",
    "f": "a o ei ou an en ang eng u",
    "d": "a e ai ei ao ou an en ang eng ong i ia ie iao iu ian ing u uo ui uan un",
    "t": "a e ai ao ou an ang eng ong i ie iao ian ing u uo ui uan un",
    # "nue"/"lue" are the common keyboard spellings of nüe/lüe.
    "n": "a e ai ei ao ou an en ang eng ong i ie iao iu ian in iang ing u uo uan ü üe ue",
    "l": "a o e ai ei ao ou an ang eng ong i ia ie iao iu ian in iang ing u uo uan un ü üe ue",
    "g": _G_FINALS,
    "k": _G_FINALS,
    "h": _G_FINALS,
    "j": _JQX_FINALS,
    "q": _JQX_FINALS,
    "x": _JQX_FINALS,
    "zh": "a e ai ei ao ou an en ang eng ong i u ua uo uai ui uan un uang",
    "ch": "a e ai ao ou an en ang eng ong i u ua uo uai ui uan un uang",
    "sh": "a e ai ei ao ou an en ang eng i u ua uo uai ui uan un uang",
    "r": "e ao ou an en ang eng ong i u ua uo ui uan un",
    "z": _ZCS_FINALS,
    "c": _ZCS_FINALS.replace(" ei", ""),
    "s": _ZCS_FINALS.replace(" ei", ""),
}

#: Toneless, lowercase Mandarin syllables in Hanyu Pinyin spelling (ü written as "ü").
PINYIN_SYLLABLES: frozenset[str] = frozenset(
    initial + final for initial, finals in _FINALS_BY_INITIAL.items() for final in finals.split()
)
_MAX_SYLLABLE_LEN = max(map(len, PINYIN_SYLLABLES))

# Combining marks after NFD decomposition: the four tone marks, and the diaeresis of ü.
_TONE_MARKS = frozenset("\u0304\u0301\u030c\u0300")
_DIAERESIS = "\u0308"
_VOWELS = frozenset("aeiouü")
_TONE_DIGITS = frozenset("12345")

_HAN = "\u3005\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN_CHAR = re.compile(f"[{_HAN}]")
# Content never spans lines or nests: an annotation is a short inline gloss.
_BRACKETED_AFTER_HAN = re.compile(f"(?<=[{_HAN}])[(（]([^()（）\\n]{{1,200}})[)）]")
_SYLLABLE_SEPARATORS = re.compile(r"[\s'’\-·]+")


def _parse_token(token: str) -> tuple[str, list[bool], set[int]] | None:
    """Split a token into toneless letters, per-letter tone-mark flags and tone-digit positions.

    A digit's position is the index of the letter it follows, i.e. a required syllable end.
    """
    letters: list[str] = []
    marked: list[bool] = []
    digits: set[int] = set()
    for char in unicodedata.normalize("NFD", token.lower()):
        if "a" <= char <= "z":
            letters.append("ü" if char == "v" else char)
            marked.append(False)
        elif char == _DIAERESIS and letters and letters[-1] == "u":
            letters[-1] = "ü"
        elif char in _TONE_MARKS and letters and letters[-1] in _VOWELS and not marked[-1]:
            marked[-1] = True
        elif char in _TONE_DIGITS and letters and len(letters) not in digits:
            digits.add(len(letters))
        else:
            return None
    return "".join(letters), marked, digits


def _count_syllables(token: str) -> int | None:
    """Fewest pinyin syllables the token splits into, or None when it is not pinyin."""
    # All-caps tokens are acronyms ("DNA", "A4", "AN"); annotations are lower- or title-case.
    if token.isupper():
        return None
    parsed = _parse_token(token)
    if parsed is None:
        return None
    letters, marked, digits = parsed
    toned = any(marked) or bool(digits)
    n = len(letters)
    # Without a tone, a lone vowel such as "(a)" is more likely a list label than a gloss.
    if n == 0 or (n == 1 and not toned):
        return None
    # best[i]: fewest syllables covering letters[:i] (dynamic programming over split points).
    best: list[int | None] = [0] + [None] * n
    for start in range(n):
        so_far = best[start]
        if so_far is None:
            continue
        for end in range(start + 1, min(n, start + _MAX_SYLLABLE_LEN) + 1):
            if any(start < d < end for d in digits):
                break  # a tone digit inside the slice must end a syllable
            if letters[start:end] not in PINYIN_SYLLABLES:
                continue
            marks = sum(marked[start:end])
            if marks > 1 or (marks and end in digits):
                continue
            current = best[end]
            if current is None or so_far + 1 < current:
                best[end] = so_far + 1
    count = best[n]
    # Toneless run-together syllables are refused: English words split into pinyin too
    # ("China" = chi + na), while real glosses written solid carry tone marks ("Xīnglóng").
    if count is None or (count > 1 and not toned):
        return None
    return count


def _pinyin_syllable_count(content: str) -> int | None:
    """Syllables in bracket content made only of pinyin, or None if anything else is there."""
    tokens = _SYLLABLE_SEPARATORS.split(content.strip())
    total = 0
    for token in tokens:
        count = _count_syllables(token) if token else None
        if count is None:
            return None
        total += count
    return total


def _han_run_at_least(text: str, index: int, count: int) -> bool:
    """Whether at least ``count`` Han characters run up to just before ``text[index]``."""
    # Looks back only ``count`` characters, so long unpunctuated text stays linear.
    return index >= count and all(_HAN_CHAR.match(text, i) for i in range(index - count, index))


def _strip_once(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        count = _pinyin_syllable_count(match.group(1))
        # A gloss has at most one syllable per character it annotates, so a long romanised
        # phrase after a single character, as in "站(Ma An Shan)", is not taken for one.
        if count is None or not _han_run_at_least(match.string, match.start(), count):
            return match.group(0)
        return ""

    return _BRACKETED_AFTER_HAN.sub(replace, text)


def strip_pinyin_annotations(text: str) -> str:
    """Remove bracketed pinyin glosses that directly follow Han characters.

    A bracket group, half-width ``()`` or full-width ``（）``, is removed only when it
    directly follows a Han character (no space) and holds nothing but pinyin syllables:
    separated by spaces, apostrophes or hyphens, in tone marks ("qū"), tone digits 1-5 ("qu1")
    or toneless ("qu"); solid multi-syllable words need a tone ("Xīnglóngtái"). Every syllable
    is checked against :data:`PINYIN_SYLLABLES`, so "(DNA)", "(see note)", "(工)", "(一)",
    "(2021年)" and "（试行）" stay.

    Words that are both English and pinyin ("an", "me", "he", "long") are removed when they
    stand in brackets right after a Han character, because there that is how scraped pages
    gloss pronunciation; elsewhere ("see (an) example", "区 (me)") they are never touched.
    All-caps tokens and toneless single vowels like "(a)" are kept as acronyms and labels.
    """
    # Removing one gloss can bring the next one next to a Han character ("兴(xīng)(lóng)"),
    # so repeat until nothing changes; that also makes the function idempotent.
    while True:
        stripped = _strip_once(text)
        if stripped == text:
            return text
        text = stripped


# --- traditional -> simplified ---------------------------------------------------------------


@functools.cache
def _t2s() -> opencc.OpenCC:
    # Loading the dictionaries is the slow part, so build the converter once per process.
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Convert traditional Chinese characters to simplified (OpenCC ``t2s``)."""
    return _t2s().convert(text)


# --- paragraphs and dates --------------------------------------------------------------------

_ZERO_WIDTH = re.compile("[\u200b-\u200d\u2060\ufeff]")
_INLINE_SPACE = re.compile(r"[^\S\n]+")
# CJK symbols and punctuation plus the full-width punctuation of the Halfwidth and Fullwidth
# Forms block (not its full-width letters and digits).
_CJK_PUNCT = "\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
_ANY_SPACE = re.compile(r"\s+")
# A space between two Han characters, or next to full-width punctuation (which carries its
# own spacing), only ever comes from source formatting in HTML.
_LAYOUT_SPACE = re.compile(f"(?<=[{_HAN}]) (?=[{_HAN}])| (?=[{_CJK_PUNCT}])|(?<=[{_CJK_PUNCT}]) ")


def _paragraphs(text: str) -> list[str]:
    """Non-empty lines with edges stripped and inner whitespace runs collapsed to one space."""
    # splitlines() also honours \r, \r\n and U+2028/U+2029 from Windows and Word sources.
    lines = (
        _INLINE_SPACE.sub(" ", line).strip() for line in _ZERO_WIDTH.sub("", text).splitlines()
    )
    return [line for line in lines if line]


_DATE = re.compile(
    r"(?<![\d.])(\d{4})\s*(?:"
    r"年\s*(\d{1,2})\s*月\s*(\d{1,2})(?:\s*[日号]|(?!\d))"
    r"|([-./])(\d{1,2})\4(\d{1,2})(?!\.?\d))"
)
# Years outside this range are version numbers or codes, not publication dates.
_MIN_YEAR, _MAX_YEAR = 1900, 2100


def find_date(text: str) -> datetime.date | None:
    """First real calendar date written as 2021年6月30日, 2021-06-30, 2021.06.30 or 2021/6/30."""
    for match in _DATE.finditer(text):
        year = int(match.group(1))
        month = int(match.group(2) or match.group(5))
        day = int(match.group(3) or match.group(6))
        if not _MIN_YEAR <= year <= _MAX_YEAR:
            continue
        try:
            return datetime.date(year, month, day)
        except ValueError:
            continue  # e.g. 2021年2月30日: keep looking for a real one
    return None


# --- HTML ------------------------------------------------------------------------------------

# Elements whose content is never article text; <title> is read separately as a title.
_SKIPPED_TAGS = frozenset({
    "script", "style", "noscript", "template", "head", "title", "iframe", "object", "embed",
    "svg", "canvas", "select", "textarea",
})  # fmt: skip
_BLOCK_TAGS = frozenset({
    "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "tr", "td", "th", "caption", "thead", "tbody", "tfoot", "section", "article",
    "header", "footer", "main", "nav", "aside", "blockquote", "pre", "hr", "figure",
    "figcaption", "address", "form", "fieldset", "center",
})  # fmt: skip


# Short pasted fragments such as "兴隆台区.html" make bs4 warn that the markup looks like a file
# name; here it is always markup, so silence that warning for calls from this module only.
warnings.filterwarnings(
    "ignore", category=MarkupResemblesLocatorWarning, module=re.escape(__name__)
)


class _Break(NavigableString):
    """Marks a block boundary; a class of its own so it is not confused with source newlines."""


class _Start(NavigableString):
    """Marks where the article body starts: right after its <h1>."""


def _decode_html(data: bytes) -> str:
    declared = EncodingDetector.find_declared_encoding(data, is_html=True)
    # A byte order mark is stronger evidence than a <meta> that templates copy around.
    encodings = [] if declared is None or data.startswith(codecs.BOM_UTF8) else [declared]
    encodings += ["utf-8-sig", "gb18030"]
    for encoding in encodings:
        # Chinese sites often declare gb2312 but use GBK characters; gb18030 is a superset.
        if encoding.lower().replace("-", "").replace("_", "") in {"gb2312", "gbk", "cp936"}:
            encoding = "gb18030"
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    raise ArticleImportError("无法识别网页文件的编码，请以 UTF-8 编码保存后重试。")


def _soup(html: str | bytes) -> BeautifulSoup:
    if isinstance(html, bytes):
        html = _decode_html(html)
    # The stdlib parser is lenient enough for scraped pages and needs no extra dependency.
    return BeautifulSoup(html, "html.parser")


def _html_line(text: str) -> str:
    # Source line breaks between Chinese characters are layout, not spaces the author typed.
    return _LAYOUT_SPACE.sub("", _INLINE_SPACE.sub(" ", text)).strip()


def _html_heading(soup: BeautifulSoup) -> tuple[str | None, Tag | None]:
    """Title text from the first non-empty <h1>, else <title>, and the <h1> tag if used."""
    for name in ("h1", "title"):
        for tag in soup.find_all(name):
            title = _html_line(tag.get_text())
            if title:
                return title, tag if name == "h1" else None
    return None, None


def _html_body(soup: BeautifulSoup, after: Tag | None = None) -> str:
    """Visible text of the soup (or of what follows ``after``), one paragraph per line.

    Mutates the soup.
    """
    if after is not None:
        after.insert_after(_Start(""))
    for tag in soup.find_all(True):
        if tag.decomposed:
            continue  # inside a subtree that was already dropped
        if tag.name in _SKIPPED_TAGS:
            tag.decompose()
        elif tag.name == "br":
            tag.replace_with(_Break("\n"))
        elif tag.name in _BLOCK_TAGS:
            tag.insert_before(_Break("\n"))
            tag.insert_after(_Break("\n"))
    pieces: list[str] = []
    for node in soup.descendants:
        if isinstance(node, _Start):
            pieces.clear()
        elif isinstance(node, _Break):
            pieces.append("\n")
        elif isinstance(node, NavigableString) and not isinstance(node, PreformattedString):
            # Comments, doctypes and the like are PreformattedString and never visible.
            pieces.append(_ANY_SPACE.sub(" ", node))
    lines = (_html_line(line) for line in _ZERO_WIDTH.sub("", "".join(pieces)).split("\n"))
    return "\n".join(line for line in lines if line)


def html_to_text(html: str | bytes) -> str:
    """Visible text of an HTML page or fragment, one paragraph per line, entities decoded.

    Scripts, styles and the ``<head>`` are dropped; p, div, br, li, h1-h6 and other block
    elements start new lines; whitespace inside a paragraph collapses to one space, and to
    nothing between two Han characters or next to full-width punctuation. Bytes are decoded
    by the page's declared charset, else UTF-8, else GB18030.
    """
    return _html_body(_soup(html))


# --- DOCX and TXT ----------------------------------------------------------------------------


def docx_to_text(data: bytes) -> str:
    """Text of a .docx file, body paragraphs and table cells in document order, one per line."""
    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                lines.extend(_table_lines(block))
            else:
                lines.append(block.text)
    except Exception as exc:
        # python-docx lets zipfile, lxml and KeyError failures through for damaged files; to
        # the user they all mean the same thing.
        raise ArticleImportError("无法读取该 Word 文件，文件可能已损坏或不是 .docx 格式。") from exc
    return "\n".join(_paragraphs("\n".join(lines)))


def _table_lines(table: Table) -> list[str]:
    lines: list[str] = []
    seen: set[int] = set()
    for row in table.rows:
        for cell in row.cells:
            # A merged cell is returned once per grid position it spans; emit it once.
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            lines.append(cell.text)
    return lines


# C0 controls other than tab, newline, vertical tab, form feed and carriage return.
_BINARY_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f]")


def _decode_text(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Windows Notepad's "Unicode" option saves UTF-16 with a byte order mark.
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # GB18030 maps almost any byte string to characters, so binary files get this far.
        if _BINARY_CONTROLS.search(text):
            break
        return text
    raise ArticleImportError("无法读取该文本文件，请确认它是以 UTF-8 或 GB18030 编码保存的纯文本。")


_TEXT_SUFFIXES = frozenset({".txt"})
_HTML_SUFFIXES = frozenset({".html", ".htm"})
_DOCX_SUFFIXES = frozenset({".docx"})


def _suffix(filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()
    if suffix in _TEXT_SUFFIXES | _HTML_SUFFIXES | _DOCX_SUFFIXES:
        return suffix
    if suffix in {".doc", ".wps"}:
        # Old binary Word/WPS files are common here; say how to fix it, not just "no".
        raise ArticleImportError(
            f"暂不支持 {suffix} 格式，请用 Word 或 WPS 另存为 .docx 后再导入。"
        )
    shown = suffix or "（无扩展名）"
    raise ArticleImportError(f"不支持的文件类型：{shown}。请上传 .txt、.html、.htm 或 .docx 文件。")


def extract_text(data: bytes, filename: str) -> str:
    """Plain text of an uploaded .txt, .html/.htm or .docx file, chosen by its extension.

    Raises :class:`ArticleImportError` for other extensions and for unreadable files.
    """
    suffix = _suffix(filename)
    if suffix in _HTML_SUFFIXES:
        return html_to_text(data)
    if suffix in _DOCX_SUFFIXES:
        return docx_to_text(data)
    return _decode_text(data)


# --- whole articles --------------------------------------------------------------------------


def clean_article(text: str, *, to_simplified: bool = False, title: str | None = None) -> Article:
    """Clean article text and split it into title, body and date.

    Pinyin glosses are removed, traditional characters optionally simplified, and every
    non-empty line becomes one paragraph (pasted Chinese articles put one paragraph per
    line). The title is ``title`` when given and non-empty, else the first paragraph; the
    body is the remaining paragraphs joined by ``"\\n\\n"``, without a repeat of the title.
    The date is the first real date in title or body (see :func:`find_date`).
    """
    paragraphs = _paragraphs(_normalise(text, simplify=to_simplified))
    heading = " ".join(_paragraphs(_normalise(title, simplify=to_simplified))) if title else ""
    if not heading and paragraphs:
        heading = paragraphs.pop(0)
    elif paragraphs and paragraphs[0] == heading:
        paragraphs.pop(0)  # the page's <h1> is also the first line of its body
    body = "\n\n".join(paragraphs)
    return Article(title=heading, text=body, date=find_date(f"{heading}\n{body}"))


def _normalise(text: str, *, simplify: bool) -> str:
    text = strip_pinyin_annotations(text)
    # Glosses go first: their detection only needs Han characters, and t2s never adds any.
    return _t2s().convert(text) if simplify else text


def import_article(
    source: bytes | str, filename: str | None = None, *, to_simplified: bool = False
) -> Article:
    """Build an :class:`Article` from pasted text (``str``) or an uploaded file (``bytes``).

    ``str`` is pasted plain text, or HTML when ``filename`` ends in .html/.htm; ``bytes``
    needs ``filename`` to pick the format. For HTML the title is the page's first ``<h1>``
    and the body is the text after it (menus and breadcrumbs come before); without an
    ``<h1>`` the title is ``<title>`` and the body the whole page. Other formats take the
    first line as title. Raises :class:`ArticleImportError` when the file cannot be read or
    holds no text.
    """
    title: str | None = None
    suffix = _suffix(filename) if filename is not None else None
    if suffix in _HTML_SUFFIXES:
        soup = _soup(source)
        title, heading = _html_heading(soup)
        # Breadcrumbs, logos and menus sit above the headline; the article starts below it.
        text = _html_body(soup, after=heading)
    elif isinstance(source, bytes):
        if filename is None:
            raise ArticleImportError("缺少文件名，无法判断文件类型。")
        text = extract_text(source, filename)
    elif suffix in _DOCX_SUFFIXES:
        raise TypeError("a .docx file must be passed as bytes")
    else:
        text = source
    article = clean_article(text, to_simplified=to_simplified, title=title)
    if not article.title and not article.text:
        raise ArticleImportError("没有读取到文章内容，请检查文件或粘贴的文字。")
    return article
