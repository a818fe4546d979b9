"""The sanitiser: light formatting works, and no input in a hostile corpus yields runnable markup.

Every output is read back with the standard library's HTML parser (as a browser would tokenise
it) rather than searched for strings, so an escaped ``&lt;script&gt;`` counts as the text it is.
"""

import time
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from ordrom.sanitiser import render_user_text, sanitise_html

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "a"}
ALLOWED_SCHEMES = {"http", "https", "mailto"}
REL = "nofollow noopener ugc"


class SafeHtmlChecker(HTMLParser):
    """Collects every way a fragment could run code or leave the allow-list."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
        for name, value in attrs:
            # html.parser has already unescaped entities in attribute values.
            if tag != "a" or name not in {"href", "rel"}:
                self.problems.append(f"attribute {name} on <{tag}>")
            squashed = "".join((value or "").split()).lower()
            if "javascript:" in squashed:
                self.problems.append(f"javascript: in {name}={value!r}")
            if name == "href" and urlsplit(value or "").scheme.lower() not in ALLOWED_SCHEMES:
                self.problems.append(f"href scheme in {value!r}")
            if name == "rel" and value != REL:
                self.problems.append(f"rel={value!r}")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"end tag </{tag}>")

    def handle_data(self, data):
        self.text.append(data)

    def handle_comment(self, data):
        self.problems.append(f"comment {data!r}")

    def handle_decl(self, decl):
        self.problems.append(f"declaration {decl!r}")

    def handle_pi(self, data):
        self.problems.append(f"processing instruction {data!r}")

    def unknown_decl(self, data):
        self.problems.append(f"declaration {data!r}")


def problems_in(fragment: str) -> list[str]:
    checker = SafeHtmlChecker()
    checker.feed(fragment)
    checker.close()
    return checker.problems


def text_of(fragment: str) -> str:
    checker = SafeHtmlChecker()
    checker.feed(fragment)
    checker.close()
    return "".join(checker.text)


@pytest.mark.parametrize(
    "unsafe",
    [
        "<img src=x>",
        "<svg></svg>",
        "<p style=color:red>x</p>",
        '<p onclick="x()">x</p>',
        '<a href="javascript:alert(1)">x</a>',
        '<a href="java&#x09;script:alert(1)">x</a>',
        '<a href="/relative">x</a>',
        '<a href="https://x.no" rel="opener">x</a>',
        "<!-- comment -->",
    ],
)
def test_the_checker_itself_catches_unsafe_markup(unsafe):
    assert problems_in(unsafe) != []


B64_SCRIPT = "PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="
DEC_JS = "".join(f"&#{ord(c)};" for c in "javascript:alert('XSS')")
LONG_DEC_JS = "".join(f"&#{ord(c):07d}" for c in "javascript:alert('XSS')")
HEX_JS = "".join(f"&#x{ord(c):X}" for c in "javascript:alert('XSS')")

# From the OWASP XSS Filter Evasion Cheat Sheet, PortSwigger's XSS cheat sheet, the
# html5sec.org vectors and DOMPurify's mutation-XSS reports, plus markdown-ish variants.
HOSTILE = [
    # script tags and nested tricks
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://xss.example/xss.js></SCRIPT>",
    "<script>alert(String.fromCharCode(88,83,83))</script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<<SCRIPT>alert("XSS");//\\<</SCRIPT>',
    '<SCRIPT/XSS SRC="http://xss.example/xss.js"></SCRIPT>',
    '<script\x20type="text/javascript">javascript:alert(1);</script>',
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>">',
    '"><script>alert(1)</script>',
    "'';!--\"<XSS>=&{()}",
    "<xss onafterscriptexecute=alert(1)><script>1</script>",
    "<scr\x00ipt>alert(1)</scr\x00ipt>",
    "<template><script>alert(1)</script></template>",
    "<textarea><script>alert(1)</script></textarea>",
    "<title><script>alert(1)</script></title>",
    # event handlers
    "<img src=x onerror=alert(1)>",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    "<svg onload=alert(1)>",
    "<svg/onload=alert(1)>",
    "<body onload=alert(1)>",
    "<input onfocus=alert(1) autofocus>",
    "<details open ontoggle=alert(1)>",
    '<video><source onerror="alert(1)"></video>',
    '<p class="x" id="y" onmouseover="alert(1)">x</p>',
    '<a href="https://ok.example" style="x:expression(alert(1))" onclick="alert(1)">x</a>',
    # javascript: URLs in HTML
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    f"<IMG SRC={DEC_JS}>",
    f"<IMG SRC={LONG_DEC_JS}>",
    f"<IMG SRC={HEX_JS}>",
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="java&#0000009;script:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="java\u200bscript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    f'<a href="data:text/html;base64,{B64_SCRIPT}">x</a>',
    '<a href="//evil.example/">protocol-relative</a>',
    '<base href="javascript:alert(1)//">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<link rel=stylesheet href="javascript:alert(1)">',
    # javascript: and data: in markdown-ish links and bare URLs
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click](java\nscript:alert(1))",
    "[click](java script:alert(1))",
    "<javascript:alert(1)>",
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    "\u200bjavascript:alert(1)",
    "java\x00script:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    f"data:text/html;base64,{B64_SCRIPT}",
    'https://example.com/"onmouseover="alert(1)',
    "https://example.com/<script>alert(1)</script>",
    "http://example.com/?q=<img src=x onerror=alert(1)>",
    "www.example.com/'onfocus='alert(1)'autofocus='",
    '<https://example.com/"><svg/onload=alert(1)>',
    "**<img src=x onerror=alert(1)>**",
    "- <script>alert(1)</script>",
    "> <svg onload=alert(1)>",
    '_<a href="javascript:alert(1)">x</a>_',
    "1. <iframe src=javascript:alert(1)>",
    # frames, plugins, styles
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    f'<embed src="data:text/html;base64,{B64_SCRIPT}">',
    "<style>@import 'http://xss.example/xss.css';</style>",
    "<STYLE>li {list-style-image: url(\"javascript:alert('XSS')\");}</STYLE><UL><LI>XSS</br>",
    '<p style="width: expression(alert(1))">x</p>',
    '<div style="background-image: url(javascript:alert(1))">x</div>',
    # namespace confusion and mutation XSS
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">XSS</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math><mi xlink:href="javascript:alert(1)">click</mi></math>',
    '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    "<![CDATA[<script>alert(1)</script>]]>",
    # template injection (must stay text)
    "{{ 7*7 }}",
    "{% debug %}",
    "{{ request.user.password }}",
    '{% load static %}{% include "secrets.html" %}',
    "${7*7} #{7*7}",
    # odd characters
    "\u202e<script>alert(1)</script>",
    "a\x00b\x00c",
    "\ufeff\u200d\u2066text\u2069",
]


def test_the_corpus_is_large_enough():
    assert len(HOSTILE) >= 60
    assert len(set(HOSTILE)) == len(HOSTILE)


@pytest.mark.parametrize("payload", HOSTILE)
def test_rendered_user_text_has_nothing_executable(payload):
    assert problems_in(render_user_text(payload)) == []


@pytest.mark.parametrize("payload", HOSTILE)
def test_sanitised_html_has_nothing_executable(payload):
    assert problems_in(sanitise_html(payload)) == []


@pytest.mark.parametrize("payload", HOSTILE)
def test_rendered_user_text_is_unchanged_by_sanitise_html(payload):
    rendered = render_user_text(payload)
    assert sanitise_html(rendered) == rendered


@pytest.mark.parametrize("payload", HOSTILE)
def test_sanitise_html_is_stable_on_its_own_output(payload):
    once = sanitise_html(payload)
    assert sanitise_html(once) == once


def test_paragraphs_and_line_breaks():
    assert render_user_text("Hei\nder\n\nNytt avsnitt") == "<p>Hei<br>der</p><p>Nytt avsnitt</p>"


def test_windows_line_endings_and_extra_blank_lines():
    assert render_user_text("a\r\nb\r\n\r\n\r\n\r\nc\n") == "<p>a<br>b</p><p>c</p>"


def test_empty_and_blank_text_render_to_nothing():
    assert render_user_text("") == ""
    assert render_user_text("  \n\t\n ") == ""


def test_bold_and_italic():
    assert render_user_text("**fet** *kursiv* _også kursiv_") == (
        "<p><strong>fet</strong> <em>kursiv</em> <em>også kursiv</em></p>"
    )


def test_underscores_inside_words_and_lone_stars_stay_text():
    assert render_user_text("snake_case_name og 2 * 3 * 4") == (
        "<p>snake_case_name og 2 * 3 * 4</p>"
    )


def test_bullet_list_with_dash_or_star():
    assert render_user_text("Dette hjelper:\n- gå tur\n* ringe en venn") == (
        "<p>Dette hjelper:</p><ul><li>gå tur</li><li>ringe en venn</li></ul>"
    )


def test_numbered_list():
    assert render_user_text("1. først\n2. så") == "<ol><li>først</li><li>så</li></ol>"


def test_quote_of_another_post_keeps_its_paragraphs():
    assert render_user_text("> Du skrev\n> to linjer\n>\n> og mer\nSvaret mitt") == (
        "<blockquote><p>Du skrev<br>to linjer</p><p>og mer</p></blockquote><p>Svaret mitt</p>"
    )


def test_nested_quote():
    assert render_user_text("> a\n>> b") == (
        "<blockquote><p>a</p><blockquote><p>b</p></blockquote></blockquote>"
    )


def test_bare_url_becomes_a_nofollow_ugc_link():
    assert render_user_text("Se https://example.no/hjelp_side?a=1&b=2.") == (
        '<p>Se <a href="https://example.no/hjelp_side?a=1&amp;b=2" rel="nofollow noopener ugc">'
        "https://example.no/hjelp_side?a=1&amp;b=2</a>.</p>"
    )


def test_www_address_and_email_are_linked():
    html = render_user_text("www.example.com eller ola@example.no")
    assert '<a href="http://www.example.com" rel="nofollow noopener ugc">' in html
    assert '<a href="mailto:ola@example.no" rel="nofollow noopener ugc">ola@example.no</a>' in html


def test_url_in_bold_and_in_angle_brackets_is_linked_without_the_markers():
    html = render_user_text("**https://example.no** <https://example.org/x>")
    assert '<strong><a href="https://example.no" rel="nofollow noopener ugc">' in html
    assert '&lt;<a href="https://example.org/x" rel="nofollow noopener ugc">' in html
    assert "https://example.org/x</a>&gt;" in html


def test_members_own_html_is_shown_as_text():
    assert render_user_text("<b>hei</b> & <i>") == "<p>&lt;b&gt;hei&lt;/b&gt; &amp; &lt;i&gt;</p>"
    assert text_of(render_user_text("<script>alert(1)</script>")) == "<script>alert(1)</script>"


@pytest.mark.parametrize(
    "payload", ["{{ 7*7 }}", "{% debug %}", '{% include "x.html" %}', "{{ request.user }}"]
)
def test_template_syntax_stays_literal_text(payload):
    assert text_of(render_user_text(payload)) == payload
    assert text_of(sanitise_html(payload)) == payload


def test_javascript_url_written_as_text_is_not_linked():
    html = render_user_text("JaVaScRiPt:alert(1) [x](javascript:alert(1))")
    assert "<a" not in html
    assert text_of(html) == "JaVaScRiPt:alert(1) [x](javascript:alert(1))"


def test_null_bytes_are_dropped():
    assert render_user_text("a\x00b") == "<p>ab</p>"


def test_right_to_left_override_and_zero_width_characters_are_kept_as_text():
    text = "a\u202eb\u200bc\u200dd\ufeffe"
    assert text_of(render_user_text(text)) == text


def test_sanitise_html_keeps_allowed_markup_and_sets_rel():
    assert sanitise_html(
        '<p><strong>a</strong> <em>b</em><br><a href="https://x.no" rel="opener">l</a></p>'
    ) == ('<p><strong>a</strong> <em>b</em><br><a href="https://x.no" rel="nofollow noopener ugc">'
          "l</a></p>")  # fmt: skip


def test_sanitise_html_drops_relative_and_unsafe_hrefs_but_keeps_the_text():
    assert sanitise_html('<a href="/logout/">ut</a><a href="data:,x">d</a>') == (
        '<a rel="nofollow noopener ugc">ut</a><a rel="nofollow noopener ugc">d</a>'
    )


def test_sanitise_html_drops_script_and_style_contents_and_comments():
    assert sanitise_html("a<script>alert(1)</script><style>p{}</style><!-- c -->b") == "ab"


FORMATTED = [
    "Hei\nder\n\n**fet** og *kursiv*",
    "- a\n- b\n\n1. c\n2. d",
    "> sitat\n>> dypere\nsvar",
    "Se https://example.no/?a=1&b=2 og ola@example.no",
    "\"quoted\" & 'single' <tag>",
]


@pytest.mark.parametrize("text", FORMATTED)
def test_formatted_output_is_unchanged_by_sanitise_html(text):
    rendered = render_user_text(text)
    assert sanitise_html(rendered) == rendered
    assert problems_in(rendered) == []


LONG_INPUTS = {
    "plain": "ord " * 25_000,
    "unclosed bold": "**a " * 25_000,
    "stars": "*" * 100_000,
    "underscores": "_a" * 50_000,
    "angle brackets": "<" * 50_000 + ">" * 50_000,
    "nested quotes": ">" * 100_000,
    "quote lines": "> a\n" * 25_000,
    "list lines": "- a\n" * 25_000,
    "urls": "https://example.no/a_b " * 4_400,
    "tags": "<b><i>" * 16_667,
}


@pytest.mark.parametrize("name", LONG_INPUTS)
def test_very_long_input_renders_in_reasonable_time(name):
    text = LONG_INPUTS[name]
    assert len(text) >= 100_000
    started = time.perf_counter()
    html = render_user_text(text)
    elapsed = time.perf_counter() - started
    assert elapsed < 5, f"{name} took {elapsed:.1f}s"
    assert problems_in(html) == []
