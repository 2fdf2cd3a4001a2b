"""Demo data of the intake app, loaded by ``liaison demo load`` after the story and synthetic records."""


def load(agencies, users):
    """Create this app's demo records (called once, inside the demo's transaction)."""
    return None
