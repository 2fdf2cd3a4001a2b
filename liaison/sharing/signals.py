"""What sharing announces, for whoever must follow it (federation replicates records to
other nodes). Sharing imports nothing of its listeners: they connect to these signals.

``sharing_changed`` is sent inside the transaction of the sharing action (share, unshare,
marking, retract, restore), after the change is written, with ``sender`` the record's model,
``record`` and ``action``: a listener that writes (an outbox entry) commits or rolls back
with the action itself.
"""
from django.dispatch import Signal

sharing_changed = Signal()
