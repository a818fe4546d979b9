"""Template tags whose output can only change with the language: worked out once, not per page.

A page of Ordrom holds a few hundred ``{% translate "…" %}`` tags, dozens of ``{% url 'name' %}``
without arguments and ``{% static "…" %}`` links, in the base layout and in the Wagtail admin's
own templates. Django works each of them out again on every render (a catalogue lookup through
the active-language local, a ``reverse()``, the static storage's manifest), which on the
full-size bench set was a tenth of the friend listing's time and about as much of the reply
queue's (docs/performance.md).

:class:`Loader` is Django's cached template loader that, once per compiled template, gives
each such tag whose arguments are all literals a subclass of its own node class that keeps what
the original ``render`` returned, under everything that output depends on: the active
language, autoescaping, and for URLs the URLconf, script prefix and current app. The first
render of each combination is Django's own, so the output is exactly Django's (a literal's
safe-string status and escaping included); a settings change (tests) forgets them all. Tags
with a variable, a filter, a plural or a context (``{% translate var %}``,
``{% url 'name' pk %}``, ``{% blocktranslate with … %}``) are left as they are.

Registered in settings.TEMPLATES as the only loader, wrapping the filesystem and app-directory
loaders (as Django's own cached loader does by default when DEBUG is off).
"""

from __future__ import annotations

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import Node
from django.template.base import FilterExpression, Variable
from django.template.defaulttags import URLNode
from django.template.library import SimpleNode
from django.template.loaders import cached
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.templatetags.static import StaticNode
from django.urls import get_script_prefix, get_urlconf
from django.utils import translation

# Each node keeps at most this many outputs (languages × autoescape × URLconfs); more means
# something varies that was not foreseen, and the node then starts over.
_PER_NODE = 16
_generation = 0


@receiver(setting_changed)
def _forget_on_settings_change(**kwargs) -> None:
    global _generation
    _generation += 1


def _literal(expression) -> bool:
    """A FilterExpression that is a literal with no filters. Django resolves a quoted string or
    a number when it parses the template (``var`` is then the value itself); TranslateNode
    turns its string back into a literal ``Variable`` to translate it."""
    if not isinstance(expression, FilterExpression) or expression.filters:
        return False
    var = expression.var
    return var.literal is not None if isinstance(var, Variable) else var is not None


class _Kept(Node):
    """Mixed in before the original node class: ``render`` through the kept outputs."""

    target_attribute = "asvar"  # where the node keeps its "as" variable's name, if any

    def _key(self, context) -> tuple:
        return (_generation, translation.get_language(), context.autoescape)

    def render(self, context):
        key = self._key(context)
        target = getattr(self, self.target_attribute, None)
        memo = self.__dict__.get("_kept_outputs")
        if memo is None or len(memo) > _PER_NODE:
            memo = self.__dict__["_kept_outputs"] = {}
        try:
            output, value = memo[key]
        except KeyError:
            output = super().render(context)
            value = context.get(target) if target else None
            memo[key] = (output, value)
        if target:
            context[target] = value
        return output


class KeptTranslateNode(_Kept, TranslateNode):
    pass


class KeptBlockTranslateNode(_Kept, BlockTranslateNode):
    pass


class KeptURLNode(_Kept, URLNode):
    def _key(self, context) -> tuple:
        request = getattr(context, "request", None)
        current_app = getattr(request, "current_app", None)
        if current_app is None:
            current_app = getattr(getattr(request, "resolver_match", None), "namespace", None)
        return (*super()._key(context), get_urlconf(), get_script_prefix(), current_app)


class KeptStaticNode(_Kept, StaticNode):
    target_attribute = "varname"


class KeptSimpleNode(_Kept, SimpleNode):
    target_attribute = "target_var"


def _versioned_static():
    from wagtail.admin.templatetags.wagtailadmin_tags import versioned_static

    return versioned_static


# Simple tags that are pure functions of their literal arguments (and of the settings).
_PURE_SIMPLE_TAGS = (_versioned_static,)


def _keepable(node) -> type | None:
    if type(node) is TranslateNode:
        constant_context = node.message_context is None or _literal(node.message_context)
        return KeptTranslateNode if _literal(node.filter_expression) and constant_context else None
    if type(node) is BlockTranslateNode:
        plain = not (node.extra_context or node.plural or node.counter or node.message_context)
        text_only = all(token.token_type.name == "TEXT" for token in node.singular)
        return KeptBlockTranslateNode if plain and text_only else None
    if type(node) is URLNode:
        return KeptURLNode if _literal(node.view_name) and not (node.args or node.kwargs) else None
    if type(node) is StaticNode:
        return KeptStaticNode if _literal(node.path) else None
    if type(node) is SimpleNode:
        pure = any(node.func is tag() for tag in _PURE_SIMPLE_TAGS)
        literal_args = all(_literal(arg) for arg in node.args) and not node.kwargs
        return KeptSimpleNode if pure and literal_args and not node.takes_context else None
    return None


def keep_constants(nodelist) -> int:
    """Give every constant tag in *nodelist* (at any depth) its keeping class; how many."""
    kept = 0
    for node in nodelist.get_nodes_by_type(Node):
        kind = _keepable(node)
        if kind is not None:
            node.__class__ = kind
            kept += 1
    return kept


class Loader(cached.Loader):
    def get_template(self, template_name, skip=None):
        template = super().get_template(template_name, skip)
        if not getattr(template, "_constants_kept", False):
            keep_constants(template.nodelist)
            template._constants_kept = True
        return template
