"""Static files for production: WhiteNoise's compressed, hashed-name storage, without
rewriting source-map comments.

Django's manifest storage rewrites ``sourceMappingURL`` references to hashed names and
fails ``collectstatic`` when the map is not there; vendored libraries (leaflet)
reference maps that are not shipped. A source map only helps a developer's browser
tools, so its reference is left as written (a missing map is a 404 in devtools, not
a broken deployment)."""
from whitenoise.storage import CompressedManifestStaticFilesStorage


def _without_source_maps(patterns):
    kept = []
    for glob, rules in patterns:
        rules = tuple(r for r in rules if "sourceMappingURL" not in (r if isinstance(r, str) else r[0]))
        if rules:
            kept.append((glob, rules))
    return tuple(kept)


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    patterns = _without_source_maps(CompressedManifestStaticFilesStorage.patterns)

    def create_compressor(self, **kwargs):
        # Source maps are fetched by developer tools only: not worth brotli's time
        # (quality 11: seconds per megabyte), which is most of collectstatic's.
        if kwargs.get("extensions") is None:
            kwargs["extensions"] = (*self._skip_defaults(), "map")
        return super().create_compressor(**kwargs)

    @staticmethod
    def _skip_defaults():
        from whitenoise.compress import Compressor

        return Compressor.SKIP_COMPRESS_EXTENSIONS


def sources_fingerprint():
    """A digest of every static file the finders would collect (path, size, mtime) and
    of the storage: ``liaison serve`` collects again only when it changed."""
    import hashlib
    import os

    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256(settings.STORAGES["staticfiles"]["BACKEND"].encode())
    entries = []
    for finder in get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            st = os.stat(storage.path(path))
            entries.append(f"{path}\0{st.st_size}\0{st.st_mtime_ns}")
    for entry in sorted(entries):
        digest.update(entry.encode() + b"\n")
    return digest.hexdigest()
