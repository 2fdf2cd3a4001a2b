"""Small display helpers shared by every page: markings, partial dates, figures."""
from django import template
from django.utils.translation import gettext as _

from liaison.core.templatetags.liaison_i18n import partial_date_text

register = template.Library()

_TLP_CLASS = {"RED": "red", "AMBER": "amber", "AMBER+STRICT": "amber", "GREEN": "green", "CLEAR": "clear"}


@register.inclusion_tag("web/_badges.html")
def badges(record):
    """The TLP badge, the handling code and grading, and the "synthetic" and
    "retracted" flags of one record: shown wherever the record is shown."""
    reliability = getattr(record, "reliability", "")
    return {
        "handling": record.handling,
        "handling_label": record.get_handling_display(),
        "grade": f"{reliability}{record.accuracy}" if reliability else record.accuracy,
        "grade_label": (
            f"{record.get_reliability_display()} / {record.get_accuracy_display()}" if reliability
            else record.get_accuracy_display()
        ),
        "tlp": record.tlp,
        "tlp_label": record.get_tlp_display(),
        "tlp_class": _TLP_CLASS.get(record.tlp, "amber"),
        "synthetic": record.is_synthetic,
        "retracted": getattr(record, "retracted_at", None) is not None,
    }


# partial_date: a builtin now, in liaison.core.templatetags.liaison_i18n (every
# template gets it, in the reader's calendar and digits).
register.filter("partial_date", partial_date_text)


@register.simple_tag
def figure_text(value, qualifier, category_label):
    """ "more than 70,000 suspects" — the qualifier a source gave stays with its number."""
    from liaison.operations.models import Figure

    # The label, not the code, is what templates hold (f.get_category_display).
    codes = {str(label): code for code, label in Figure.Category.choices}
    return Figure.in_words(value, qualifier, codes.get(str(category_label), category_label))


@register.filter
def script_name(code):
    from liaison.names import SCRIPT_NAMES

    return _(SCRIPT_NAMES[code]) if code in SCRIPT_NAMES else code


@register.simple_tag(takes_context=True)
def query_with(context, **kwargs):
    """The current query string with some parameters replaced (pagination keeps filters)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        params[key] = value
    return params.urlencode()



@register.filter
def verbose_name_of(record):
    return str(record._meta.verbose_name).capitalize()


@register.filter
def record_label(record):
    """"app_label.model" of a record, as the sharing page's URL names it."""
    return record._meta.label_lower
