"""The remote cache on S3, served by moto on a local port."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import s3fs
from moto.server import ThreadedMotoServer

from tests.scale.remote_helpers import KEY, always, outcome, remote

_WRITES = ("Put", "Delete", "Copy", "CreateMultipart", "UploadPart")


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """A moto S3 server on a free port."""
    server = ThreadedMotoServer(port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new, empty bucket (made with boto3: s3fs cannot make one here)."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    name = f"notes-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=name)
    return name


def _fs(endpoint: str, calls: list[str] | None = None) -> Any:
    """An s3fs filesystem on moto that records every S3 call it makes."""
    fs = s3fs.S3FileSystem(
        endpoint_url=endpoint,
        skip_instance_cache=True,
        use_listings_cache=False,
    )
    fs.connect()
    if calls is not None:
        fs.s3.meta.events.register(
            "before-call.s3", lambda model, **_: calls.append(model.name)
        )
    return fs


def test_conditional_create_and_listing(endpoint: str, bucket: str) -> None:
    """Writes are conditional creates (a second one is refused by S3);
    two generations of a key are listed and the fresh one is used."""
    fs = _fs(endpoint)
    shared = remote(fs, f"s3://{bucket}/cache")
    assert shared.push(KEY, outcome())
    assert not shared.push(KEY, outcome("other\n"))
    [manifest] = list(shared.manifests())
    with pytest.raises(FileExistsError):
        fs.pipe_file(manifest, b"{}", mode="create")
    changed = outcome("changed\n")
    changed = type(changed)(**{**vars(changed), "inputs": {"env:X": "unset"}})
    assert shared.push(KEY, changed)
    assert len(list(shared.manifests())) == 2
    reader = remote(_fs(endpoint), f"s3://{bucket}/cache", "read")
    found = reader.fetch(KEY, lambda inputs: "env:X" in inputs)
    assert found == changed


def test_corrupt_blob_and_signatures(endpoint: str, bucket: str) -> None:
    """A truncated blob, a missing or a wrong signature: each a miss."""
    fs = _fs(endpoint)
    url = f"s3://{bucket}/cache"
    remote(fs, url, secret="trusted").push(KEY, outcome())
    strict = {"require_signature": True}
    assert remote(fs, url, "read", "trusted", **strict).fetch(KEY, always)
    assert not remote(fs, url, "read", "wrong", **strict).fetch(KEY, always)
    assert not remote(fs, url, "read", **strict).fetch(KEY, always)
    for path in fs.find(f"{bucket}/cache/blobs"):
        fs.pipe_file(path, fs.cat_file(path)[:10])
    reader = remote(_fs(endpoint), url, "read", "trusted", **strict)
    assert reader.fetch(KEY, always) is None
    assert not reader.offline


def test_read_mode_sends_no_write_request(endpoint: str, bucket: str) -> None:
    """A reader asked to push, and to fetch, makes only read calls."""
    remote(_fs(endpoint), f"s3://{bucket}/c").push(KEY, outcome())
    calls: list[str] = []
    reader = remote(_fs(endpoint, calls), f"s3://{bucket}/c", "read")
    assert not reader.push(KEY, outcome("other\n"))
    assert reader.fetch(KEY, always) == outcome()
    assert calls
    assert not [c for c in calls if c.startswith(_WRITES)], calls


def test_an_unreachable_endpoint_is_a_miss(bucket: str) -> None:
    """No server at the endpoint: a miss, and the remote goes offline."""
    fs = s3fs.S3FileSystem(
        endpoint_url="http://127.0.0.1:9",
        skip_instance_cache=True,
        config_kwargs={"retries": {"max_attempts": 1}},
        connect_timeout=1,
    )
    reader = remote(fs, f"s3://{bucket}/c", "read")
    assert reader.fetch(KEY, always) is None
    assert reader.offline
