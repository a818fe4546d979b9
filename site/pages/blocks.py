from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageBlock
from wagtail.snippets.blocks import SnippetChooserBlock


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


OFFERS = [
    ("letter", _("Write a letter")),
    ("chat", _("Chat with a supervisor")),
    ("forum", _("The forum")),
    ("friends", _("Find a pen-pal")),
    ("group", _("Group session (Samtalerom)")),
    ("callback", _("Ask to be called")),
]


class AnswerOptionBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("Answer"))
    signals_danger = blocks.BooleanBlock(
        required=False,
        label=_("Signals danger"),
        help_text=_("Choosing this answer leads straight to the crisis page."),
    )
    offers = blocks.MultipleChoiceBlock(
        choices=OFFERS, required=False, label=_("Suggest these offers in Ordrom")
    )
    forum_path = blocks.CharBlock(
        required=False,
        label=_("Forum category link"),
        help_text=_("For example /forum/ensomhet/ — shown when the forum is suggested."),
    )
    help_categories = blocks.ListBlock(
        SnippetChooserBlock("pages.HelpCategory"),
        required=False,
        default=[],
        label=_("Suggest help services in these categories"),
    )

    class Meta:
        icon = "radio-full"
        label = _("Answer")


class GuidedQuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"))
    help_text = blocks.CharBlock(required=False, label=_("Help text"))
    options = blocks.ListBlock(AnswerOptionBlock(), min_num=2, max_num=6, label=_("Answers"))

    class Meta:
        icon = "help"
        label = _("Question")
