"""Where attachment files live: the private local folder, and an S3-compatible bucket (moto's
S3 server, a real HTTP service on 127.0.0.1) for the whole path: a customer's photo stored
in the bucket under a random key, served back, and removed with its conversation."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from fastapi.testclient import TestClient

from store import db, settings
from store.attachment_storage import LocalStorage, MissingFile, attachment_storage
from store.attachments import delete_attachments
from tests.handoff.conftest import database_url, shop_db  # noqa: F401  (fixtures)
from tests.handoff.conversations.test_attachments import start, upload
from tests.media import photo

BUCKET = "toko-nusa-attachments"
KEY = "0123456789abcdef0123456789abcdef.jpg"


def test_local_keys_are_ours_only_and_missing_files_say_so(tmp_path):
    storage = LocalStorage(tmp_path / "files")
    storage.put(KEY, b"photo", "image/jpeg")
    assert storage.get(KEY) == b"photo"
    assert [p.name for p in (tmp_path / "files").iterdir()] == [KEY]  # no .partial left
    for bad in ("../shop.db", "x/../../etc/passwd", "IMG_0001.jpg", ""):
        with pytest.raises(ValueError):
            storage.get(bad)
    storage.delete(KEY)
    with pytest.raises(MissingFile):
        storage.get(KEY)
    storage.delete(KEY)  # deleting twice is fine (a retried purge)


@pytest.fixture
def s3_server(monkeypatch) -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    for name, value in {"ATTACHMENT_STORAGE": "s3", "ATTACHMENT_S3_BUCKET": BUCKET,
                        "ATTACHMENT_S3_ENDPOINT_URL": url, "ATTACHMENT_S3_REGION": "us-east-1",
                        "ATTACHMENT_S3_PREFIX": "chat/", "AWS_ACCESS_KEY_ID": "test-key",
                        "AWS_SECRET_ACCESS_KEY": "test-secret"}.items():
        monkeypatch.setenv(name, value)
    settings.get_settings.cache_clear()
    attachment_storage.cache_clear()
    bucket().create_bucket(Bucket=BUCKET)
    yield url
    attachment_storage.cache_clear()
    server.stop()


def bucket():
    url = settings.get_settings().attachments.s3_endpoint_url
    return boto3.client("s3", endpoint_url=url, region_name="us-east-1")


def objects() -> dict[str, str]:
    listed = bucket().list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return {item["Key"]: bucket().head_object(Bucket=BUCKET, Key=item["Key"])["ContentType"]
            for item in listed}


def test_a_bucket_keeps_the_files_of_the_whole_path(s3_server, client):
    with client.websocket_connect("/ws/chat") as ws:
        conversation = start(ws, "en-US")
        answer = upload(client, conversation, photo(), name="my house.jpg")
    assert answer.status_code == 201, answer.text
    attachment = answer.json()["message"]["attachment"]
    [(key, content_type)] = objects().items()
    assert key.startswith("chat/") and "house" not in key and content_type == "image/jpeg"
    served = client.get(attachment["url"],
                        headers={"X-Conversation-Token": conversation["token"]})
    assert served.status_code == 200
    assert served.content == bucket().get_object(Bucket=BUCKET, Key=key)["Body"].read()
    with db.session_scope() as session:
        assert delete_attachments(session, [conversation["conversation_id"]]) == 1
    assert objects() == {}  # removed once that unit of work committed
    assert client.get(attachment["url"], headers={
        "X-Conversation-Token": conversation["token"]}).status_code == 404


@pytest.fixture
def client(shop_db) -> Iterator[TestClient]:  # noqa: F811
    from handoff.app import create_app

    with TestClient(create_app(idle_sweeper=False)) as test_client:
        yield test_client
