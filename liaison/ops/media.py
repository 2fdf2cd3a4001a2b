"""Uploaded files (``MEDIA_ROOT``): Django's file-system storage, minus half-written files.

When the disk fills while a file is written (a request's attachment, a public report's
file), Django's ``FileSystemStorage`` raises and leaves the part already written under
its new name; the row that would have pointed at it is rolled back, so the partial file
belongs to nothing, fills the disk further and would be copied by every backup. This
storage removes it before the error goes on (issue 18's full-disk fault,
bench/loadtest/run.py). Written by hand because Django offers no hook for it: the
name the file was being written to is only known inside ``_save``.
"""
from __future__ import annotations

import logging
import os

from django.core.files.storage import FileSystemStorage

logger = logging.getLogger(__name__)


class MediaStorage(FileSystemStorage):
    def _save(self, name, content):
        try:
            return super()._save(name, content)
        except FileExistsError:  # another file of that name, not ours: never removed
            raise
        except OSError:
            # ``Storage.save`` chose ``name`` as free before calling us and ``_save`` creates it
            # with O_EXCL, so a file there now is the one this call began to write.
            path = self.path(name)
            try:
                os.remove(path)
                logger.warning("upload %s not stored (partial file removed)", name, exc_info=True)
            except FileNotFoundError:
                pass
            raise
