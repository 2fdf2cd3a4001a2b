"""Django's makemessages, also finding ``_l(...)``: the public app's alias for
gettext_lazy (Django's own keywords cover ``_``, ``gettext_lazy``, ``gettext_noop``...)."""
from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_l"]
