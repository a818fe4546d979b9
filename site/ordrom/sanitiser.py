"""The one sanitiser for everything a member writes (see DESIGN.md, "User text is untrusted").

Text is stored as written and turned into HTML once, at write time, by ``render_user_text``;
templates show that stored HTML and never render user text themselves. Keeping a single module
means there is one allow-list to review and one place to fix.

The last step is always nh3 (Python binding of the Rust crate ammonia), not bleach: bleach 6.x
is its final release and gets no more fixes, security fixes included
(its README, https://github.com/mozilla/bleach). nh3 parses with html5ever, the same HTML5
algorithm a browser uses, and serialises the tree again, so mutation-XSS strings that rely on
parser differences come out as inert text.

Markup supported by ``render_user_text`` (deliberately tiny; members are not writing documents):
blank line = new paragraph, newline = ``<br>``, ``**bold**``, ``*italic*`` / ``_italic_``,
``- `` or ``* `` list items, ``1. `` numbered items, ``> `` quotes (of another post), and bare
URLs and e-mail addresses linked by Django's ``urlize``.
"""

import html
import re

import nh3
from django.utils.html import urlize

ALLOWED_TAGS = frozenset({"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "a"})
ALLOWED_ATTRIBUTES = {"a": frozenset({"href"})}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener ugc"

# Tags whose *content* is dropped along with the tag when pasted HTML is cleaned: their text is
# code or a hidden document, never something the member meant readers to see.
_DROP_WITH_CONTENT = frozenset(
    {
        "script", "style", "template", "iframe", "noscript", "noembed", "noframes",
        "object", "embed", "applet", "svg", "math", "title", "textarea", "select", "xmp",
    }
)  # fmt: skip

# One Cleaner built at import: the policy is fixed, and nh3 validates it here (it raises
# ValueError, for example, if "rel" were allowed on <a> while link_rel is set).
_CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags=_DROP_WITH_CONTENT,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=ALLOWED_URL_SCHEMES,
    link_rel=LINK_REL,
    strip_comments=True,
    # nh3 passes relative URLs through by default; a scheme-less href in user text could point
    # at our own pages, so only absolute http(s)/mailto links survive.
    url_relative="deny",
)

# Quotes of quotes are fine; a thousand ">" are not a reason to recurse a thousand times.
_MAX_QUOTE_DEPTH = 5

_BULLET = re.compile(r"[-*] ")
_NUMBERED = re.compile(r"\d{1,9}\. ")

# Each emphasis pattern first matches a URL-looking word and gives it back unchanged, so that
# "https://example.no/a_b_c" is not turned into emphasis before urlize links it. Inner text
# cannot contain the marker itself, which keeps every pattern linear on hostile input.
_URL_WORD = r"(?P<url>(?:https?://|www\.)[^\s<>*]*)"
_BOLD = re.compile(_URL_WORD + r"|\*\*(?P<text>[^*\s](?:[^*]*?[^*\s])?)\*\*")
_ITALIC_STAR = re.compile(_URL_WORD + r"|\*(?P<text>[^*\s](?:[^*]*?[^*\s])?)\*")
# Underscores inside words (snake_case, e-mail addresses) are not emphasis.
_ITALIC_UNDERSCORE = re.compile(_URL_WORD + r"|(?<!\w)_(?P<text>[^_\s](?:[^_]*?[^_\s])?)_(?!\w)")

_ANGLE_ENTITIES = ("&lt;", "&gt;")
_ANGLE_SPLIT = re.compile("(&lt;|&gt;)")


def sanitise_html(html_text: str) -> str:
    """Clean HTML (pasted content, and the last step of ``render_user_text``) to the allow-list.

    Only p, br, strong, em, ul, ol, li, blockquote and a survive; the only attribute kept is an
    absolute http, https or mailto ``href`` on ``a``, and every link gets
    ``rel="nofollow noopener ugc"``. Comments, styles and event handlers are removed.
    """
    return _CLEANER.clean(html_text)


def render_user_text(text: str) -> str:
    """Turn what a member wrote into safe HTML, to be stored beside the text at write time.

    The member's own ``<``, ``>`` and ``&`` are always text: each line is HTML-escaped before
    any markup is made from it, and the result still goes through ``sanitise_html``.
    """
    # NUL is never meaningful text (browsers drop it too); removing it also frees it to mark
    # nothing else here. Line endings from forms are CRLF.
    text = text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    return sanitise_html(_render_blocks(text.split("\n"), depth=0))


def _render_blocks(lines: list[str], *, depth: int) -> str:
    """Paragraphs, lists and quotes: blank lines end a block, markers start list/quote runs."""
    out: list[str] = []
    paragraph: list[str] = []

    def flush_paragraph() -> None:
        if paragraph:
            out.append("<p>" + "<br>".join(_render_inline(line) for line in paragraph) + "</p>")
            paragraph.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            flush_paragraph()
            i += 1
        elif line.startswith(">") and depth < _MAX_QUOTE_DEPTH:
            flush_paragraph()
            quoted = []
            while i < len(lines) and lines[i].startswith(">"):
                quoted.append(lines[i][2:] if lines[i].startswith("> ") else lines[i][1:])
                i += 1
            out.append("<blockquote>" + _render_blocks(quoted, depth=depth + 1) + "</blockquote>")
        elif _BULLET.match(line) or _NUMBERED.match(line):
            flush_paragraph()
            marker, tag = (_BULLET, "ul") if _BULLET.match(line) else (_NUMBERED, "ol")
            items = []
            while i < len(lines) and (match := marker.match(lines[i])):
                items.append("<li>" + _render_inline(lines[i][match.end() :]) + "</li>")
                i += 1
            out.append(f"<{tag}>" + "".join(items) + f"</{tag}>")
        else:
            paragraph.append(line)
            i += 1
    flush_paragraph()
    return "".join(out)


def _render_inline(line: str) -> str:
    """Escape first, then emphasis, then links (urlize splits words on ``<``/``>``, so a URL
    wrapped in the ``<strong>`` made here is still linked)."""
    # quote=False: quotes are harmless in text, and left as they are urlize ends a URL at them.
    escaped = html.escape(line.strip(), quote=False)
    escaped = _BOLD.sub(_emphasis("strong"), escaped)
    escaped = _ITALIC_STAR.sub(_emphasis("em"), escaped)
    escaped = _ITALIC_UNDERSCORE.sub(_emphasis("em"), escaped)
    # autoescape=False because the text is already escaped; urlize still escapes the href. It
    # ends words at a literal "<" or ">" but not at their entities, so "<https://…>" is split
    # on the entities here to be linked without them.
    return "".join(
        part
        if not part or part in _ANGLE_ENTITIES
        else str(urlize(part, nofollow=True, autoescape=False))
        for part in _ANGLE_SPLIT.split(escaped)
    )


def _emphasis(tag: str):
    def replace(match: re.Match) -> str:
        if match["url"] is not None:
            return match["url"]
        return f"<{tag}>{match['text']}</{tag}>"

    return replace
