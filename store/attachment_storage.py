"""Where attachment files live: a private local folder (the default) or an S3-compatible
bucket (ATTACHMENT_STORAGE=s3). Never under the web root: files are only served through
the gateway, which checks who asks (handoff.attachments).

Keys are random (store.attachments makes them); nothing of a customer's file name reaches
a path or an object name.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from store.private_files import FILE_MODE, private_dir
from store.settings import AttachmentSettings, get_settings

_KEY = re.compile(r"^[0-9a-f]{32}\.[a-z0-9]{2,5}$")


class MissingFile(LookupError):
    """The storage has no file under that key (deleted, or never written)."""


def _checked(key: str) -> str:
    if not _KEY.match(key):  # keys are ours; anything else is a bug or an attack
        raise ValueError(f"Not an attachment key: {key!r}")
    return key


class AttachmentStorage(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...
    def get(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...


class LocalStorage:
    """Files in one private folder (0700; files 0600), outside anything served."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, key: str) -> Path:
        return private_dir(self.folder) / _checked(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        partial = path.with_suffix(".partial")
        partial.touch(mode=FILE_MODE)
        partial.write_bytes(data)
        partial.replace(path)  # a reader never sees half a file

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as error:
            raise MissingFile(key) from error

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class S3Storage:
    """Objects in a bucket of any S3-compatible service (AWS, MinIO, Ceph, R2, …).

    Credentials come the way boto3 finds them (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY,
    an instance role, …); ATTACHMENT_S3_ENDPOINT_URL points at a non-AWS service."""

    def __init__(self, settings: AttachmentSettings) -> None:
        import boto3  # installed with Rasa; only loaded when this storage is used

        self.bucket, self.prefix = settings.s3_bucket, settings.s3_prefix
        self.client = boto3.client("s3", endpoint_url=settings.s3_endpoint_url or None,
                                   region_name=settings.s3_region or None)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self.prefix + _checked(key), Body=data,
                               ContentType=content_type)

    def get(self, key: str) -> bytes:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.prefix + _checked(key))
        except self.client.exceptions.NoSuchKey as error:
            raise MissingFile(key) from error
        return answer["Body"].read()

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + _checked(key))


@lru_cache(maxsize=1)
def attachment_storage() -> AttachmentStorage:
    """The storage the settings name (tests that change them call cache_clear())."""
    settings = get_settings().attachments
    if settings.storage == "s3":
        return S3Storage(settings)
    return LocalStorage(settings.folder)


__all__ = ["AttachmentStorage", "LocalStorage", "MissingFile", "S3Storage",
           "attachment_storage"]
