"""``{% kept "name" value ... %}…{% endkept %}``: a part of a layout rendered once per
language and set of values, then kept in this process.

For the parts of the base layout that every page repeats and that follow only from the
language and a few values (the crisis strip and the main menu from the site settings, the
footer): through the template language they were about a third of the layout's time. The
values named in the tag must be everything the part reads; the language is always part of
the key. Nothing personal belongs in a kept part. At most ``LIMIT`` renderings of each part
are kept (a settings change makes new values, so an old part is never shown again).
"""

from __future__ import annotations

from django import template
from django.utils import translation

from ordrom.kept import KeptHtml, hashable

register = template.Library()

LIMIT = 512
# One store per part, so a part with many values (a list's page links) cannot use up the
# places of the layout's parts.
_kept: dict[str, KeptHtml] = {}


class KeptNode(template.Node):
    def __init__(self, nodelist, name: str, values):
        self.nodelist = nodelist
        self.name = name
        self.values = values

    def render(self, context):
        key = (
            self.name,
            translation.get_language(),
            tuple(hashable(value.resolve(context)) for value in self.values),
        )
        store = _kept.get(self.name) or _kept.setdefault(self.name, KeptHtml(limit=LIMIT))
        return store.get(key, lambda: self.nodelist.render(context))


@register.tag
def kept(parser, token):
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][0] not in "\"'" or bits[1][-1] != bits[1][0]:
        raise template.TemplateSyntaxError("{% kept %} needs a quoted name first")
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(nodelist, bits[1][1:-1], [parser.compile_filter(bit) for bit in bits[2:]])
