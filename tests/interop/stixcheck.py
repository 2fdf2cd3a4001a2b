"""Checking bundles in the STIX and TAXII tests: stix2-validator, then stix2.parse."""
import json



def validate_bundle(text):
    """The bundle as a dict, after ``stix2-validator`` accepted it (no errors) and ``stix2`` parsed it."""
    import stix2
    from stix2validator import ValidationOptions, validate_string

    result = validate_string(text, ValidationOptions(version="2.1"))
    errors = [str(e) for r in getattr(result, "object_results", [result]) for e in r.errors]
    assert result.is_valid, errors[:10]
    stix2.parse(text, allow_custom=True)
    return json.loads(text)


