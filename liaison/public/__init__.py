"""The public side (issue 11): check a message, a number or an account; report a
scam or a missing relative; the officers' public list and triage queue.

Nothing here reads the registry for the public except ``PublishedIdentifier``:
a record an officer did not publish does not exist on these pages.
"""
