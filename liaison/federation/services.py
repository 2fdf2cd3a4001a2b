"""Replication of shared records between sovereign nodes (issue 16): the names other apps, the
commands and the tests use. ``nodes`` holds what both directions share, ``outbox`` sends and
``inbox`` receives; docs/federation.md says how it all works."""
from liaison.federation import keys  # noqa: F401  (tests sign with services.keys)
from liaison.federation.inbox import receive, receive_envelope  # noqa: F401
from liaison.federation.nodes import (  # noqa: F401
    BATCH, DELIVERY_TYPE, INBOX_COLLECTION, MAX_BACKOFF, RETRY_STATUSES, TAXII_MEDIA_TYPE, FederationError,
    applying_envelope, enabled, home_of, peers, remote_agencies, self_name,
)
from liaison.federation.outbox import (  # noqa: F401
    _next_batch, batch_size, build_body, build_envelope, enqueue, inbox_url, push,
)
