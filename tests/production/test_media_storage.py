"""A full disk leaves no half-written upload behind (liaison/ops/media.py)."""
import errno

import pytest
from django.core.files.base import ContentFile

from liaison.ops.media import MediaStorage


class FillsTheDisk(ContentFile):
    """Two chunks: the first is written, the second finds the disk full."""

    def chunks(self, chunk_size=None):
        yield b"x" * 1024
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_removes_the_partial_file_and_says_so(tmp_path):
    storage = MediaStorage(location=tmp_path)
    with pytest.raises(OSError) as raised:
        storage.save("requests/upload", FillsTheDisk(b"", name="upload"))
    assert raised.value.errno == errno.ENOSPC
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_an_existing_file_of_the_same_name_is_kept(tmp_path):
    storage = MediaStorage(location=tmp_path)
    first = storage.save("requests/upload", ContentFile(b"kept"))
    with pytest.raises(OSError):
        storage.save("requests/upload", FillsTheDisk(b"", name="upload"))
    assert storage.open(first).read() == b"kept"
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [first.rsplit("/", 1)[-1]]
