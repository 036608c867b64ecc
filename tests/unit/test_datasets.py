"""The dataset registry and fetcher against a real HTTP server on 127.0.0.1.

The server stands in for the dataset hosts: it serves archives with the official file names
and internal layout (tiny generated contents), honours ``Range``/``If-Range`` like a real
host, and can cut a connection mid-file, so resuming is exercised for real. The registry's
own URLs are used unchanged and reach the server through the mirror setting; only the
published checksums are swapped for the checksums of the generated archives.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import io
import json
import os
import pickle
import shutil
import socket
import stat
import struct
import subprocess
import sys
import tarfile
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from coursehub import datasets as ds
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# ----------------------------------------------------------------------------- fake dataset host


class FakeHost:
    """An HTTP server thread serving ``files`` (URL path -> bytes) with Range support."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.cuts: dict[str, list[int]] = {}  # path -> body bytes after which to drop the next responses
        self.honour_range = True
        self.log: list[tuple[str, str | None, int]] = []  # (path, Range header, body bytes sent)
        host = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep pytest output clean
                pass

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                body = host.files.get(path)
                if body is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    host.log.append((path, self.headers.get("Range"), 0))
                    return
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                start, status = 0, 200
                wanted = self.headers.get("Range")
                if_range = self.headers.get("If-Range")
                if wanted and host.honour_range and (if_range is None or if_range == etag):
                    start = int(wanted.removeprefix("bytes=").split("-")[0])
                    if start >= len(body):
                        self.send_response(416)
                        self.send_header("Content-Range", f"bytes */{len(body)}")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        host.log.append((path, wanted, 0))
                        return
                    status = 206
                self.send_response(status)
                self.send_header("ETag", etag)
                self.send_header("Accept-Ranges", "bytes")
                self.send_header("Content-Length", str(len(body) - start))
                if status == 206:
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                self.end_headers()
                payload = body[start:]
                cuts = host.cuts.get(path)
                cut = bool(cuts)
                if cuts:
                    payload = payload[: cuts.pop(0)]
                # Logged before sending: the client may finish and look before this thread runs on.
                host.log.append((path, wanted, len(payload)))
                self.wfile.write(payload)
                if cut:
                    self.wfile.flush()
                    # Drop the connection with the body unfinished, like a flaky link does.
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# -------------------------------------------------------------------- archives in official layout


def _tar_gz(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o600  # the fetcher must still make it readable for learners
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _idx(type_code: int, dims: tuple[int, ...], payload: bytes) -> bytes:
    return struct.pack(">BBBB", 0, 0, type_code, len(dims)) + struct.pack(f">{len(dims)}I", *dims) + payload


GUTENBERG_BOOK = "第一回　靈根育孕源流出\n\n　　詩曰：混沌未分天地亂。\n"
GUTENBERG_FILE = (
    "\ufeffThe Project Gutenberg eBook of 西遊記\r\n\r\nThis eBook is for the use of anyone.\r\n"
    "*** START OF THE PROJECT GUTENBERG EBOOK 西遊記 ***\r\n"
    + GUTENBERG_BOOK.replace("\n", "\r\n")
    + "*** END OF THE PROJECT GUTENBERG EBOOK 西遊記 ***\r\nSection 1. General Terms of Use\r\n"
)


def official_archives() -> dict[str, bytes]:
    """URL path -> bytes for every source in the registry, laid out like the official archives."""
    cifar = {
        f"cifar-10-batches-py/{name}": pickle.dumps(
            {"batch_label": name, "labels": [1, 2], "data": b"\0" * 6144}
        )
        for name in [*(f"data_batch_{i}" for i in range(1, 6)), "test_batch"]
    }
    cifar["cifar-10-batches-py/batches.meta"] = pickle.dumps({"label_names": ["airplane"] * 10})
    cifar["cifar-10-batches-py/readme.html"] = b"<p>stand-in</p>"
    imdb = {
        f"aclImdb/{split}/{label}/{i}_{rating}.txt": f"A {label} review.<br /><br />Number {i}.".encode()
        for split in ("train", "test")
        for label, rating in (("pos", 9), ("neg", 2))
        for i in range(3)
    }
    imdb["aclImdb/imdb.vocab"] = b"the\nfilm\n"
    files = {
        "/train-images-idx3-ubyte.gz": gzip.compress(
            _idx(8, (3, 28, 28), bytes(range(256)) * 9 + b"\0" * 48)
        ),
        "/train-labels-idx1-ubyte.gz": gzip.compress(_idx(8, (3,), b"\x00\x01\x02")),
        "/t10k-images-idx3-ubyte.gz": gzip.compress(_idx(8, (1, 28, 28), b"\x07" * 784)),
        "/t10k-labels-idx1-ubyte.gz": gzip.compress(_idx(8, (1,), b"\x09")),
        "/~kriz/cifar-10-python.tar.gz": _tar_gz(cifar),
        "/~vgg/data/pets/data/images.tar.gz": _tar_gz(
            {"images/Abyssinian_1.jpg": b"\xff\xd8jpeg", "images/beagle_1.jpg": b"\xff\xd8jpeg"}
        ),
        "/~vgg/data/pets/data/annotations.tar.gz": _tar_gz(
            {
                "annotations/trainval.txt": b"Abyssinian_1 1 1 1\n",
                "annotations/test.txt": b"beagle_1 5 2 4\n",
                "annotations/list.txt": b"#Image CLASS-ID SPECIES BREED ID\nAbyssinian_1 1 1 1\n",
                "annotations/trimaps/Abyssinian_1.png": b"\x89PNG",
                "annotations/trimaps/beagle_1.png": b"\x89PNG",
                "annotations/xmls/Abyssinian_1.xml": b"<annotation/>",
            }
        ),
        "/~jshi/ped_html/PennFudanPed.zip": _zip(
            {
                "PennFudanPed/PNGImages/FudanPed00001.png": b"\x89PNG image",
                "PennFudanPed/PedMasks/FudanPed00001_mask.png": b"\x89PNG mask",
                "PennFudanPed/readme.txt": b"stand-in",
                "__MACOSX/PennFudanPed/._readme.txt": b"resource fork",
            }
        ),
        "/~amaas/data/sentiment/aclImdb_v1.tar.gz": _tar_gz(imdb),
        "/cache/epub/23962/pg23962.txt": GUTENBERG_FILE.encode("utf-8"),
        "/models/resnet18-f37072fd.pth": os.urandom(3 << 20),
        "/models/fasterrcnn_mobilenet_v3_large_320_fpn-907ea3f9.pth": os.urandom(200_000),
    }
    assert {urlsplit(s.url).path for d in ds.DATASETS.values() for s in d.sources} == set(files)
    return files


def registry_for(files: dict[str, bytes]) -> dict[str, ds.Dataset]:
    """The real registry with each published checksum replaced by the generated file's checksum."""

    def swap(source: ds.Source) -> ds.Source:
        data = files[urlsplit(source.url).path]
        md5 = hashlib.md5(data).hexdigest() if source.md5 else None
        prefix = hashlib.sha256(data).hexdigest()[:8] if source.sha256_prefix else None
        return dataclasses.replace(source, md5=md5, sha256_prefix=prefix)

    return {
        name: dataclasses.replace(d, sources=tuple(swap(s) for s in d.sources))
        for name, d in ds.DATASETS.items()
    }


@pytest.fixture(scope="module")
def archives() -> dict[str, bytes]:
    return official_archives()


@pytest.fixture
def host(archives: dict[str, bytes]) -> Iterator[FakeHost]:
    server = FakeHost()
    # Served under a path prefix too, to show the mirror base keeps its own path.
    server.files = {f"/mirror{path}": data for path, data in archives.items()}
    yield server
    server.close()


@pytest.fixture
def registry(archives: dict[str, bytes]) -> dict[str, ds.Dataset]:
    return registry_for(archives)


def _leftovers(data_dir: Path) -> list[str]:
    """Anything half-done: staging folders, partial downloads, kept archives."""
    found = [p.name for p in data_dir.glob(".staging-*")]
    downloads = data_dir / ds.WORK_FOLDER / "downloads"
    if downloads.is_dir():
        found += [p.name for p in downloads.iterdir()]
    return found


# --------------------------------------------------------------------------------------- tests


@pytest.mark.parametrize("name", sorted(ds.DATASETS))
def test_fetch_stages_the_authoring_layout(name: str, tmp_path: Path, host: FakeHost, registry) -> None:
    events: list[ds.Progress] = []
    result = ds.fetch(
        name, tmp_path, mirror=f"{host.origin}/mirror/", registry=registry, progress=events.append
    )

    folder = tmp_path / name
    assert result.path == folder and not result.skipped and result.downloaded_bytes > 0
    for relative in ds.DATASETS[name].expect:
        assert (folder / relative).exists(), relative
    assert ds.is_staged(ds.DATASETS[name], tmp_path)
    assert _leftovers(tmp_path) == []
    # Learners run as another uid: everything must be world-readable whatever the archive said.
    for path in folder.rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o755 if path.is_dir() else 0o644), (path, oct(mode))

    stages = [e.stage for e in events]
    assert stages[-1] == "done" and {"download", "verify", "unpack"} <= set(stages)
    downloads = [e for e in events if e.stage == "download"]
    assert downloads[-1].done == downloads[-1].total

    manifest = json.loads((tmp_path / ds.WORK_FOLDER / ds.MANIFEST).read_text())
    entry = manifest["datasets"][name]
    assert entry["bytes"] > 0 and entry["files"] >= len(ds.DATASETS[name].expect) - 4
    for source in ds.DATASETS[name].sources:
        recorded = entry["sources"][source.filename]
        assert recorded["url"] == source.url
        assert recorded["fetched_from"].startswith(f"{host.origin}/mirror/")
        assert len(recorded["sha256"]) == 64
    expected_kind = {
        "md5": "md5",
        "sha256-prefix": "sha256-prefix",
        None: "sha256 recorded on first fetch",
    }[ds.DATASETS[name].sources[0].checksum_kind]
    assert set(result.checksums.values()) == {expected_kind}


def test_unpacked_contents(tmp_path: Path, host: FakeHost, registry, archives) -> None:
    mirror = f"{host.origin}/mirror"
    for name in ("fashion-mnist", "penn-fudan", "text-corpus", "resnet18-weights"):
        ds.fetch(name, tmp_path, mirror=mirror, registry=registry)
    raw = tmp_path / "fashion-mnist/FashionMNIST/raw"
    assert (raw / "t10k-labels-idx1-ubyte").read_bytes() == _idx(8, (1,), b"\x09")  # gunzipped
    assert not list(raw.glob("*.gz"))
    assert not (tmp_path / "penn-fudan/__MACOSX").exists()  # macOS resource forks are dropped
    assert (tmp_path / "text-corpus/corpus.txt").read_text(encoding="utf-8") == GUTENBERG_BOOK
    weights = tmp_path / "resnet18-weights/resnet18-f37072fd.pth"
    assert weights.read_bytes() == archives["/models/resnet18-f37072fd.pth"]


def test_second_fetch_downloads_nothing(tmp_path: Path, host: FakeHost, registry) -> None:
    first = ds.fetch("oxford-pet", tmp_path, mirror=host.origin + "/mirror", registry=registry)
    requests_made = len(host.log)
    events: list[ds.Progress] = []
    second = ds.fetch(
        "oxford-pet", tmp_path, mirror=host.origin + "/mirror", registry=registry, progress=events.append
    )
    assert not first.skipped and second.skipped and second.downloaded_bytes == 0
    assert len(host.log) == requests_made
    assert [e.stage for e in events] == ["skip"]


def test_resume_after_the_connection_drops(tmp_path: Path, host: FakeHost, registry, archives) -> None:
    path = "/mirror/models/resnet18-f37072fd.pth"
    size = len(archives["/models/resnet18-f37072fd.pth"])
    host.cuts[path] = [1_000_000]
    with pytest.raises(ds.DownloadError, match="resume"):
        ds.fetch("resnet18-weights", tmp_path, mirror=host.origin + "/mirror", registry=registry, retries=0)
    partial = tmp_path / ds.WORK_FOLDER / "downloads" / "resnet18-f37072fd.pth.partial"
    kept = partial.stat().st_size
    assert 0 < kept <= 1_000_000
    assert not (tmp_path / "resnet18-weights").exists()

    result = ds.fetch(
        "resnet18-weights", tmp_path, mirror=host.origin + "/mirror", registry=registry, retries=0
    )
    assert result.downloaded_bytes == size - kept
    assert host.log[-1] == (path, f"bytes={kept}-", size - kept)
    assert sum(sent for _, _, sent in host.log) == size  # every byte crossed the wire once
    assert (tmp_path / "resnet18-weights/resnet18-f37072fd.pth").read_bytes() == archives[
        "/models/resnet18-f37072fd.pth"
    ]
    assert _leftovers(tmp_path) == []


def test_retries_resume_within_one_fetch(tmp_path: Path, host: FakeHost, registry, archives) -> None:
    path = "/mirror/models/resnet18-f37072fd.pth"
    host.cuts[path] = [500_000, 700_000]
    result = ds.fetch(
        "resnet18-weights", tmp_path, mirror=host.origin + "/mirror", registry=registry, retries=3, backoff=0
    )
    ranges = [r for p, r, _ in host.log if p == path]
    assert ranges[0] is None and ranges[1] == "bytes=500000-" and ranges[2] == "bytes=1200000-"
    assert result.downloaded_bytes == len(archives["/models/resnet18-f37072fd.pth"])


@settings(
    max_examples=15, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cut=st.integers(min_value=1, max_value=199_999))
def test_resume_from_any_cut_point(cut: int, host: FakeHost, registry, archives) -> None:
    path = "/mirror/models/fasterrcnn_mobilenet_v3_large_320_fpn-907ea3f9.pth"
    host.cuts[path] = [cut]
    with tempfile.TemporaryDirectory() as tmp:
        result = ds.fetch(
            "fasterrcnn-weights", Path(tmp), mirror=host.origin + "/mirror", registry=registry, backoff=0
        )
        staged = Path(tmp) / "fasterrcnn-weights/fasterrcnn_mobilenet_v3_large_320_fpn-907ea3f9.pth"
        assert host.log[-1] == (path, f"bytes={cut}-", 200_000 - cut)
        assert staged.read_bytes() == archives["/models/fasterrcnn_mobilenet_v3_large_320_fpn-907ea3f9.pth"]
        assert result.downloaded_bytes == 200_000


def test_server_without_range_support_restarts_cleanly(tmp_path: Path, host: FakeHost, registry) -> None:
    host.honour_range = False
    host.cuts["/mirror/models/resnet18-f37072fd.pth"] = [1_000_000]
    ds.fetch("resnet18-weights", tmp_path, mirror=host.origin + "/mirror", registry=registry, backoff=0)
    assert ds.is_staged(ds.DATASETS["resnet18-weights"], tmp_path)


def test_changed_file_upstream_is_downloaded_afresh(
    tmp_path: Path, host: FakeHost, registry, archives
) -> None:
    # The partial file came from an older version: If-Range makes the host send the whole new file.
    path = "/mirror/models/resnet18-f37072fd.pth"
    host.cuts[path] = [1_000_000]
    original = host.files[path]
    host.files[path] = os.urandom(len(original))
    with pytest.raises(ds.DownloadError):
        ds.fetch("resnet18-weights", tmp_path, mirror=host.origin + "/mirror", registry=registry, retries=0)
    host.files[path] = original
    ds.fetch("resnet18-weights", tmp_path, mirror=host.origin + "/mirror", registry=registry)
    assert host.log[-1][2] == len(original)  # a 200 with everything, not a mismatched tail


def test_checksum_mismatch_stages_nothing(tmp_path: Path, host: FakeHost, registry) -> None:
    bad = dict(registry)
    source = bad["cifar-10"].sources[0]
    bad["cifar-10"] = dataclasses.replace(
        bad["cifar-10"], sources=(dataclasses.replace(source, md5="0" * 32),)
    )
    with pytest.raises(ds.ChecksumError) as failure:
        ds.fetch("cifar-10", tmp_path, mirror=host.origin + "/mirror", registry=bad)
    message = str(failure.value)
    assert "cifar-10-python.tar.gz" in message and "0" * 32 in message and "nothing was staged" in message
    assert not (tmp_path / "cifar-10").exists()
    assert _leftovers(tmp_path) == []  # the bad download is gone too, so the next run starts afresh
    assert "cifar-10" not in json.loads(json.dumps(ds.load_manifest(tmp_path)))["datasets"]


def test_first_fetch_checksum_is_enforced_later(tmp_path: Path, host: FakeHost, registry) -> None:
    mirror = host.origin + "/mirror"
    ds.fetch("penn-fudan", tmp_path, mirror=mirror, registry=registry)
    recorded = ds.load_manifest(tmp_path)["datasets"]["penn-fudan"]["sources"]["PennFudanPed.zip"]["sha256"]
    assert recorded == hashlib.sha256(host.files["/mirror/~jshi/ped_html/PennFudanPed.zip"]).hexdigest()

    # Staged again after removal: a host now serving different bytes is refused.
    shutil.rmtree(tmp_path / "penn-fudan")
    host.files["/mirror/~jshi/ped_html/PennFudanPed.zip"] = _zip({"PennFudanPed/PNGImages/x.png": b"other"})
    with pytest.raises(ds.ChecksumError, match="recorded on first fetch"):
        ds.fetch("penn-fudan", tmp_path, mirror=mirror, registry=registry)
    assert not (tmp_path / "penn-fudan").exists()


def test_wrong_layout_stages_nothing(tmp_path: Path, host: FakeHost, registry) -> None:
    data = _tar_gz({"cifar-10-batches/data_batch_1": b"moved"})
    host.files["/mirror/~kriz/cifar-10-python.tar.gz"] = data
    changed = dict(registry)
    source = changed["cifar-10"].sources[0]
    md5 = hashlib.md5(data).hexdigest()
    changed["cifar-10"] = dataclasses.replace(
        changed["cifar-10"], sources=(dataclasses.replace(source, md5=md5),)
    )
    with pytest.raises(ds.LayoutError, match="cifar-10-batches-py/data_batch_1"):
        ds.fetch("cifar-10", tmp_path, mirror=host.origin + "/mirror", registry=changed)
    assert not (tmp_path / "cifar-10").exists() and not list(tmp_path.glob(".staging-*"))


def test_unsafe_archive_paths_are_refused(tmp_path: Path, host: FakeHost, registry) -> None:
    data = _zip({"PennFudanPed/PNGImages/a.png": b"x", "../../escaped.txt": b"boo"})
    host.files["/mirror/~jshi/ped_html/PennFudanPed.zip"] = data
    with pytest.raises(ds.LayoutError, match="unsafe"):
        ds.fetch("penn-fudan", tmp_path, mirror=host.origin + "/mirror", registry=registry)
    assert not (tmp_path.parent / "escaped.txt").exists() and not (tmp_path / "penn-fudan").exists()


def test_incomplete_existing_folder_is_left_alone(tmp_path: Path, host: FakeHost, registry) -> None:
    (tmp_path / "imdb" / "aclImdb").mkdir(parents=True)
    (tmp_path / "imdb" / "aclImdb" / "notes.txt").write_text("mine")
    with pytest.raises(ds.DataError, match="move it away"):
        ds.fetch("imdb", tmp_path, mirror=host.origin + "/mirror", registry=registry)
    assert (tmp_path / "imdb" / "aclImdb" / "notes.txt").read_text() == "mine"
    assert host.log == []


def test_http_errors_are_reported(tmp_path: Path, host: FakeHost, registry) -> None:
    del host.files["/mirror/~amaas/data/sentiment/aclImdb_v1.tar.gz"]
    with pytest.raises(ds.DownloadError, match="HTTP 404"):
        ds.fetch("imdb", tmp_path, mirror=host.origin + "/mirror", registry=registry)
    assert not (tmp_path / "imdb").exists()


def test_unknown_name_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ds.UnknownDatasetError) as failure:
        ds.fetch("cifar10", tmp_path)
    message = str(failure.value)
    assert "'cifar10'" in message and all(name in message for name in ds.DATASETS)
    assert not any(tmp_path.iterdir())


# ----------------------------------------------------------------------------------- mirrors

_segment = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.~", min_size=1, max_size=12)


@settings(database=None)
@given(
    origin=st.sampled_from(["https://www.cs.toronto.edu", "http://fashion-mnist.s3.example.com:8080"]),
    path=st.lists(_segment, min_size=1, max_size=5).map(lambda parts: "/" + "/".join(parts)),
    base=st.sampled_from(
        ["https://mirrors.example.cn", "https://mirrors.example.cn/", "http://10.0.0.2:8000/data/"]
    ),
)
def test_mirror_replaces_only_the_origin(origin: str, path: str, base: str) -> None:
    rewritten = ds.mirror_url(origin + path, base)
    assert rewritten == base.rstrip("/") + path
    assert ds.mirror_url(origin + path, None) == origin + path


def test_registry_urls_through_a_mirror() -> None:
    mirror = "https://mirrors.example.cn/coursehub"
    cifar = ds.mirror_url(ds.DATASETS["cifar-10"].sources[0].url, mirror)
    assert cifar == "https://mirrors.example.cn/coursehub/~kriz/cifar-10-python.tar.gz"
    weights = ds.mirror_url(ds.DATASETS["resnet18-weights"].sources[0].url, mirror)
    assert weights == "https://mirrors.example.cn/coursehub/models/resnet18-f37072fd.pth"


@pytest.mark.parametrize(
    "bad", ["mirrors.example.cn", "ftp://mirrors.example.cn", "https://", "https://m.cn/?a=1"]
)
def test_bad_mirror_is_a_clear_error(bad: str) -> None:
    with pytest.raises(ds.DataError, match="mirror must be an http"):
        ds.mirror_url("https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz", bad)


def test_registry_is_consistent() -> None:
    for name, dataset in ds.DATASETS.items():
        assert dataset.name == name and dataset.sources and dataset.expect
        for source in dataset.sources:
            assert source.url.startswith(("https://", "http://")), source.url
            if source.sha256_prefix:  # the prefix is the one torchvision puts in the file name
                assert source.filename.removesuffix(".pth").endswith("-" + source.sha256_prefix)
            if source.md5:
                assert len(source.md5) == 32


# ------------------------------------------------------------------------------------------ CLI


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COURSEHUB_DATA_DIR": str(data_dir)}
    env.pop("COURSEHUB_DATA_MIRROR", None)
    return subprocess.run([_coursehub(), *args], env=env, capture_output=True, text=True, timeout=120)


def _coursehub() -> str:
    path = Path(sys.executable).with_name("coursehub")
    assert path.exists(), f"the coursehub command is not installed next to {sys.executable}"
    return str(path)


def test_cli_fetch_and_list(tmp_path: Path, host: FakeHost) -> None:
    # The real registry: the first-fetch datasets stage from the host, the published-checksum
    # one is refused because the generated archive is not the official file.
    mirror = f"{host.origin}/mirror"
    done = _cli(tmp_path, "data", "fetch", "penn-fudan", "text-corpus", "--mirror", mirror, "--json")
    assert done.returncode == 0, done.stderr
    assert [r["status"] for r in json.loads(done.stdout)] == ["staged", "staged"]

    again = _cli(tmp_path, "data", "fetch", "penn-fudan", "--mirror", mirror)
    assert again.returncode == 0 and "already staged" in again.stdout

    refused = _cli(tmp_path, "data", "fetch", "cifar-10", "--mirror", mirror, "--json")
    assert refused.returncode == 1
    assert "checksum mismatch" in json.loads(refused.stdout)[0]["error"]

    listed = {row["name"]: row for row in json.loads(_cli(tmp_path, "data", "list", "--json").stdout)}
    assert set(listed) == set(ds.DATASETS)
    assert listed["penn-fudan"]["staged"] and listed["penn-fudan"]["bytes"] > 0
    assert listed["penn-fudan"]["checksum"] == "sha256 recorded on first fetch"
    assert not listed["cifar-10"]["staged"] and listed["cifar-10"]["checksum"] == "published md5"
    table = _cli(tmp_path, "data", "list")
    assert table.returncode == 0 and "text-corpus" in table.stdout


def test_cli_unknown_name_fails_before_downloading(tmp_path: Path) -> None:
    result = _cli(tmp_path, "data", "fetch", "cifar-10", "imagenet")
    assert result.returncode == 1
    assert "imagenet" in result.stderr and "fashion-mnist" in result.stderr
    assert not (tmp_path / "cifar-10").exists()
    nothing = _cli(tmp_path, "data", "fetch")
    assert nothing.returncode == 1 and "--all" in nothing.stderr
    bad_mirror = _cli(tmp_path, "data", "fetch", "imdb", "--mirror", "mirror.example.cn")
    assert bad_mirror.returncode == 1 and "mirror must be an http(s) base URL" in bad_mirror.stderr
