"""A shared cache in any object store that fsspec reaches.

Layout under the URL (``file://``, ``memory://``, ``s3://``, ``gs://``, or a
read-only ``https://`` mirror that lists its folders)::

    v1/<environment>/<job key>/<inputs hash>.json   one small manifest
    blobs/<sha256[:2]>/<sha256>                     the outcome, each figure

A manifest names the outcome's blob and its figures' blobs by SHA-256, and
the inputs the run read, so that a reader checks them before downloading
anything. Every blob is checked against its hash when read. Writes are
conditional creates (`mode="create"`): an entry, once written, is never
replaced, so a writer can add results but never change one.

With a key in `EXECNOTES_REMOTE_KEY`, a writer signs each manifest
(HMAC-SHA256); readers with `require_signature` ignore entries that are
unsigned or signed with another key. Only trusted writers should hold it.

Nothing here may fail a build: any problem with the remote (offline,
denied, corrupt, truncated, badly signed) is one warning, and the job runs
locally. After a failure to reach it, the remote is not asked again in
the same build.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import math
import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from execnotes.core.protocol import CellResult, Outcome, SchemaError

log = logging.getLogger("execnotes.store.remote")
Mode = Literal["read", "write"]
LAYOUT = "v1"
_MAX_MANIFEST = 2**20  # bytes; a manifest is a few hundred
_MANIFEST_FIELDS = frozenset(
    ("layout", "key", "environment", "inputs", "outcome", "blobs")
) | frozenset(("created", "signature"))
Fresh = Callable[[Mapping[str, str]], bool]


class RemoteError(Exception):
    """An entry that is unusable (corrupt, truncated, badly signed)."""


@dataclass(frozen=True)
class RemoteSettings:
    """Where the shared cache is, and what this build may do with it.

    The signing key is never kept here (settings are logged and compared):
    it is read from the variable `key_variable` when the remote opens.
    """

    url: str = ""
    mode: Mode = "read"
    require_signature: bool = False
    key_variable: str = "EXECNOTES_REMOTE_KEY"

    @classmethod
    def from_options(
        cls,
        url: str,
        mode: str,
        *,
        require_signature: bool,
        environ: Mapping[str, str] | None = None,
    ) -> RemoteSettings:
        """Settings from the plugin's options; `EXECNOTES_REMOTE` and
        `EXECNOTES_REMOTE_MODE` override them (CI sets write access in
        the one job that may write)."""
        environ = os.environ if environ is None else environ
        url = environ.get("EXECNOTES_REMOTE", url)
        mode = environ.get("EXECNOTES_REMOTE_MODE", mode)
        if mode not in ("read", "write"):
            raise ValueError(
                f"remote mode {mode!r}: write 'read' or 'write' "
                "(option remote_mode or EXECNOTES_REMOTE_MODE)"
            )
        return cls(
            url, "write" if mode == "write" else "read", require_signature
        )


class Remote:
    """A remote cache for one environment (see the module docstring)."""

    def __init__(
        self,
        settings: RemoteSettings,
        environment: str,
        *,
        fs: Any = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        environ = os.environ if environ is None else environ
        self.settings = settings
        self.environment = environment
        self.secret = environ.get(settings.key_variable, "").encode()
        self.offline = False
        self._warned = False
        self._opened: tuple[Any, str] | None = None
        if fs is not None:
            self._opened = (fs, _strip(fs, settings.url))

    @property
    def fs(self) -> Any:
        """The fsspec filesystem (opened on first use)."""
        return self._open()[0]

    @property
    def _root(self) -> str:
        """The URL's folder in the filesystem's terms."""
        return self._open()[1]

    def _open(self) -> tuple[Any, str]:
        if self._opened is None:
            from fsspec.core import url_to_fs

            fs, root = url_to_fs(self.settings.url)
            self._opened = (fs, str(root).rstrip("/"))
        return self._opened

    def fetch(self, key: str, fresh: Fresh) -> Outcome | None:
        """The first usable entry of `key` whose inputs are `fresh`."""
        if self.offline:
            return None
        try:
            names = sorted(self.fs.ls(self._folder(key), detail=False))
        except FileNotFoundError:
            return None
        except Exception as error:  # any backend, any failure
            self._fail(f"cannot list {self._folder(key)}", error)
            return None
        for name in names:
            try:
                outcome = self._entry(name, key, fresh)
            except FileNotFoundError:
                continue
            except (RemoteError, SchemaError, ValueError) as error:
                self._warn(f"ignoring entry {name}: {error}")
                continue
            except Exception as error:
                self._fail(f"cannot read {name}", error)
                return None
            if outcome is not None:
                return outcome
        return None

    def push(self, key: str, outcome: Outcome) -> bool:
        """Upload an entry (never replacing one); False if it was not
        written: read mode, already there, or a failure (warned)."""
        if self.settings.mode != "write" or self.offline:
            return False
        stripped, blobs = _split(outcome)
        body = json.dumps(stripped.to_json(), sort_keys=True).encode()
        outcome_hash = _sha(body)
        manifest = {
            "layout": LAYOUT,
            "key": key,
            "environment": self.environment,
            "inputs": outcome.inputs,
            "outcome": outcome_hash,
            "blobs": sorted(blobs),
            "created": time.time(),
            "signature": None,
        }
        manifest["signature"] = self._sign(manifest) if self.secret else None
        try:
            for digest, data in [*blobs.items(), (outcome_hash, body)]:
                self._create(self._blob(digest), data)
            return self._create(
                self._manifest(key, outcome.inputs),
                json.dumps(manifest, sort_keys=True).encode(),
            )
        except Exception as error:
            self._fail("cannot write", error)
            return False

    def manifests(self) -> Iterator[str]:
        """Every manifest of the remote, of every environment."""
        top = f"{self._root}/{LAYOUT}"
        try:
            found = self.fs.find(top)
        except FileNotFoundError:
            return
        yield from (p for p in sorted(found) if p.endswith(".json"))

    def gc(self, older_than_days: float, now: float | None = None) -> int:
        """Remove manifests created more than `older_than_days` ago, then
        the blobs no manifest names; return how many manifests went."""
        if self.settings.mode != "write":
            raise PermissionError(
                "execnotes cache gc: the remote is read-only here; set "
                "EXECNOTES_REMOTE_MODE=write where trusted"
            )
        cutoff = (
            time.time() if now is None else now
        ) - older_than_days * 86400
        keep: set[str] = set()
        removed = 0
        for path in self.manifests():
            try:
                manifest = _manifest_of(json.loads(self.fs.cat_file(path)))
                created = float(manifest["created"])
            except (RemoteError, ValueError, TypeError):
                created = -math.inf  # not a manifest: garbage
            if created < cutoff:
                self.fs.rm_file(path)
                removed += 1
            else:
                keep |= {manifest["outcome"], *manifest["blobs"]}
        try:
            blobs = self.fs.find(f"{self._root}/blobs")
        except FileNotFoundError:
            blobs = []
        for path in blobs:
            if path.rsplit("/", 1)[-1] not in keep:
                self.fs.rm_file(path)
        return removed

    def _entry(self, name: str, key: str, fresh: Fresh) -> Outcome | None:
        raw = self.fs.cat_file(name)
        if len(raw) > _MAX_MANIFEST:
            raise RemoteError(f"a manifest of {len(raw)} bytes is too long")
        manifest = _manifest_of(json.loads(raw))
        if manifest["key"] != key or manifest["environment"] != (
            self.environment
        ):
            raise RemoteError("its key or environment is not its folder's")
        self._check_signature(manifest)
        if not fresh(manifest["inputs"]):
            return None
        body = self._verified(manifest["outcome"])
        blobs = {
            digest: self._verified(digest) for digest in manifest["blobs"]
        }
        outcome = _joined(Outcome.from_json(json.loads(body)), blobs)
        if outcome.inputs != manifest["inputs"] or outcome.status != "ok":
            raise RemoteError("its outcome does not match its manifest")
        return outcome

    def _check_signature(self, manifest: dict[str, Any]) -> None:
        signature = manifest["signature"]
        if signature is None:
            if self.settings.require_signature:
                raise RemoteError("unsigned, and require_signature is set")
            return
        if not self.secret:
            if self.settings.require_signature:
                raise RemoteError(
                    f"signed, but {self.settings.key_variable} is not set"
                )
            return
        if not hmac.compare_digest(str(signature), self._sign(manifest)):
            raise RemoteError("its signature does not match the key")

    def _sign(self, manifest: dict[str, Any]) -> str:
        signed = {k: v for k, v in manifest.items() if k != "signature"}
        text = json.dumps(signed, sort_keys=True).encode()
        return hmac.new(self.secret, text, hashlib.sha256).hexdigest()

    def _verified(self, digest: str) -> bytes:
        data: bytes = self.fs.cat_file(self._blob(digest))
        if _sha(data) != digest:
            raise RemoteError(f"blob {digest[:12]} does not match its hash")
        return data

    def _create(self, path: str, data: bytes) -> bool:
        """Write `path` unless it exists; True if this call wrote it."""
        if _is_local(self.fs):  # the others have no folders to make
            self.fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
        try:
            self.fs.pipe_file(path, data, mode="create")
        except FileExistsError:
            return False
        return True

    def _folder(self, key: str) -> str:
        return f"{self._root}/{LAYOUT}/{self.environment}/{key}"

    def _manifest(self, key: str, inputs: Mapping[str, str]) -> str:
        state = json.dumps(dict(inputs), sort_keys=True).encode()
        return f"{self._folder(key)}/{_sha(state)[:24]}.json"

    def _blob(self, digest: str) -> str:
        if len(digest) != 64 or not all(
            c in "0123456789abcdef" for c in digest
        ):
            raise RemoteError(f"{digest!r} is not a SHA-256")
        return f"{self._root}/blobs/{digest[:2]}/{digest}"

    def _warn(self, message: str) -> None:
        """One warning per build; the rest are for `--verbose`."""
        text = f"execnotes: remote cache {self.settings.url}: {message}"
        if self._warned:
            log.info(text)
        else:
            self._warned = True
            log.warning(text + "; such jobs run locally")

    def _fail(self, what: str, error: Exception) -> None:
        self.offline = True
        self._warn(f"{what} ({type(error).__name__}: {error})")


def _is_local(fs: Any) -> bool:
    protocols = fs.protocol
    names = (protocols,) if isinstance(protocols, str) else protocols
    return "file" in names


def _strip(fs: Any, url: str) -> str:
    return str(fs._strip_protocol(url)).rstrip("/")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _manifest_of(data: object) -> dict[str, Any]:
    if not isinstance(data, dict) or set(data) != _MANIFEST_FIELDS:
        raise RemoteError("not a manifest")
    inputs, blobs = data["inputs"], data["blobs"]
    if not isinstance(inputs, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in inputs.items()
    ):
        raise RemoteError("its inputs are not a map of names to states")
    if not isinstance(blobs, list) or not all(
        isinstance(b, str) for b in blobs
    ):
        raise RemoteError("its blobs are not a list of hashes")
    return data


def _split(outcome: Outcome) -> tuple[Outcome, dict[str, bytes]]:
    """The outcome with each figure replaced by its blob's hash."""
    blobs: dict[str, bytes] = {}

    def refer(figures: list[str]) -> list[str]:
        found = []
        for svg in figures:
            data = svg.encode()
            blobs[_sha(data)] = data
            found.append(_sha(data))
        return found

    cells = [replace(c, figures=refer(c.figures)) for c in outcome.cells]
    return replace(outcome, figures=refer(outcome.figures), cells=cells), blobs


def _joined(outcome: Outcome, blobs: Mapping[str, bytes]) -> Outcome:
    def figures(hashes: list[str]) -> list[str]:
        try:
            return [blobs[digest].decode() for digest in hashes]
        except (KeyError, UnicodeDecodeError) as error:
            raise RemoteError(f"figure blob {error} is missing") from error

    cells: list[CellResult] = [
        replace(c, figures=figures(c.figures)) for c in outcome.cells
    ]
    return replace(outcome, figures=figures(outcome.figures), cells=cells)
