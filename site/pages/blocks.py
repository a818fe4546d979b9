from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageBlock


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Quote"))
    attribution = blocks.CharBlock(label=_("Who said it"), required=False)

    class Meta:
        icon = "openquote"
        template = "pages/blocks/quote.html"
        label = _("Quote")


class CalloutBlock(blocks.StructBlock):
    KINDS = [("info", _("Information")), ("help", _("Get help")), ("warning", _("Important"))]

    kind = blocks.ChoiceBlock(choices=KINDS, default="info", label=_("Kind"))
    title = blocks.CharBlock(label=_("Title"))
    text = blocks.RichTextBlock(features=["bold", "italic", "link"], label=_("Text"))

    class Meta:
        icon = "help"
        template = "pages/blocks/callout.html"
        label = _("Call-out")


class ArticleBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        features=["h2", "h3", "bold", "italic", "ol", "ul", "link"], label=_("Paragraph")
    )
    quote = QuoteBlock()
    image = ImageBlock(label=_("Image"))
    callout = CalloutBlock()
