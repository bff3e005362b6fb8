"""A local folder for private files (the documents held with cases).

Unlike Django's plain file-system storage it has no URL at all, so no page,
template or admin screen can link a private file past the access-checked,
audited download view, even if MEDIA_URL were set one day.
"""

from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible(path="msp.storage.PrivateFileSystemStorage")
class PrivateFileSystemStorage(FileSystemStorage):
    def url(self, name):
        raise ValueError("Private files have no URL: serve them through a view.")
