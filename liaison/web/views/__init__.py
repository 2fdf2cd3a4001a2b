"""The server-rendered pages of Liaison, split by what they do."""
from .detail import detail  # noqa: F401
from .edit import edit, new_citation, new_relationship  # noqa: F401
from .pages import dashboard, record_list, search  # noqa: F401
