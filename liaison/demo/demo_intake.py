"""Demo data of the intake app, loaded by ``liaison demo load`` after the story and synthetic records.

The five seed reports are taken in for CN-MPS by its analyst, exactly as
``liaison ingest`` would, so the review queue of cn.analyst is populated:
accepting a proposed fact finds the story's event it restates and cites the
seed source instead of adding a twin. (Running ``liaison ingest`` on the seeds
afterwards answers "already taken in" for each, the dedupe at work.)
"""
from liaison.demo.story import SEEDS, SEEDS_DIR
from liaison.intake import services

AGENCY = "CN-MPS"
ANALYST = "cn.analyst"


def load(agencies, users):
    """Create this app's demo records (called once, inside the demo's transaction)."""
    agency = agencies.get(AGENCY)
    if agency is None:
        return None
    user = users.get(ANALYST)
    documents = []
    for filename, *_rest in SEEDS:
        result = services.store(agency=agency, user=user, data=(SEEDS_DIR / filename).read_bytes(), filename=filename)
        if result.created:
            services.process(result.document)
        documents.append(result.document)
    return documents
