"""The course's datasets and weight files, and the fetcher that stages them in the data volume.

Every entry of ``DATASETS`` says where the official archives live, how to check them and how
they unpack, so ``$COURSE_DATA/<name>/`` ends up exactly as ``course/AUTHORING.md`` describes.

Staging is built to survive slow and flaky links (study groups often sit behind both):

* downloads go to ``<data_dir>/.coursehub/downloads/<file>.partial`` and resume with an HTTP
  ``Range`` request after an interruption, within one run (retries) or in the next run;
* each archive is checked against its published checksum (torchvision's MD5s, the SHA-256 prefix
  in torchvision's weight file names); a source without a published checksum gets the SHA-256
  of its first download recorded in the manifest, and later downloads must match it;
* archives unpack into a temporary folder beside the target which is then renamed into place,
  so ``<data_dir>/<name>`` is either complete or absent, never half-written;
* a staged dataset is never downloaded again;
* ``mirror`` replaces each source's origin (``https://host``) with a base URL, so a mirror
  that copies the original paths (common for Chinese mirrors) serves every dataset.

Nothing here reads the settings: callers pass the data folder and the mirror explicitly.
"""

from __future__ import annotations

import contextlib
import fcntl
import gzip
import hashlib
import http.client
import json
import os
import re
import shutil
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import Any, Literal
from urllib.parse import urlsplit

import requests
import urllib3

from coursehub import __version__

__all__ = [
    "DATASETS",
    "ChecksumError",
    "DataError",
    "Dataset",
    "DatasetStatus",
    "DownloadError",
    "FetchResult",
    "LayoutError",
    "Progress",
    "Source",
    "UnknownDatasetError",
    "Unpack",
    "dataset_status",
    "fetch",
    "get_dataset",
    "is_staged",
    "mirror_url",
]

WORK_FOLDER = ".coursehub"  # downloads, manifest and locks, hidden from learners' listings
MANIFEST = "manifest.json"
CHUNK = 1 << 20


class DataError(RuntimeError):
    """Staging a dataset failed; the message says what and what to do."""


class UnknownDatasetError(DataError):
    """A name that is not in the registry."""


class DownloadError(DataError):
    """The download failed or was interrupted; running the fetch again resumes it."""


class ChecksumError(DataError):
    """A downloaded file does not match its checksum; it was deleted and nothing was staged."""


class LayoutError(DataError):
    """The archives unpacked, but not into the layout the course expects; nothing was staged."""


class Unpack(StrEnum):
    FILE = "file"  # copy as is (weights, plain text)
    GUNZIP = "gunzip"  # one .gz file, decompressed next to its siblings
    TAR = "tar"  # a (compressed) tar archive
    ZIP = "zip"


@dataclass(frozen=True)
class Source:
    """One file to download and how it becomes part of the dataset folder."""

    url: str
    unpack: Unpack
    dest: str = ""  # folder inside the dataset folder it unpacks into
    md5: str | None = None
    sha256_prefix: str | None = None  # torchvision weight files carry one in their names
    rename: str | None = None  # FILE/GUNZIP: name of the result (default: from the URL)
    gutenberg: bool = False  # keep only the book between Project Gutenberg's start/end markers

    @property
    def filename(self) -> str:
        return PurePosixPath(urlsplit(self.url).path).name

    @property
    def checksum_kind(self) -> str | None:
        if self.md5:
            return "md5"
        if self.sha256_prefix:
            return "sha256-prefix"
        return None


@dataclass(frozen=True)
class Dataset:
    name: str
    description: str
    homepage: str
    sources: tuple[Source, ...]
    expect: tuple[str, ...]  # paths that exist in a complete staging (relative to the folder)
    license: str = ""


def _fashion(stem: str, md5: str) -> Source:
    return Source(
        f"http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/{stem}.gz",
        Unpack.GUNZIP,
        dest="FashionMNIST/raw",
        md5=md5,
    )


_PET = "https://www.robots.ox.ac.uk/~vgg/data/pets/data"
_MODELS = "https://download.pytorch.org/models"

# Checksums are the ones published with the data or in torchvision's source; the weight files'
# names end in the first 8 hex digits of their SHA-256 (torch.hub checks the same prefix).
DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in [
        Dataset(
            "fashion-mnist",
            "Fashion-MNIST: 70,000 28x28 greyscale clothing images in 10 classes (idx files).",
            "https://github.com/zalandoresearch/fashion-mnist",
            (
                _fashion("train-images-idx3-ubyte", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
                _fashion("train-labels-idx1-ubyte", "25c81989df183df01b3e8a0aad5dffbe"),
                _fashion("t10k-images-idx3-ubyte", "bef4ecab320f06d8554ea6380940ec79"),
                _fashion("t10k-labels-idx1-ubyte", "bb300cfdad3c16e7a12a480ee83cd310"),
            ),
            tuple(
                f"FashionMNIST/raw/{split}-{kind}-ubyte"
                for split in ("train", "t10k")
                for kind in ("images-idx3", "labels-idx1")
            ),
            license="MIT",
        ),
        Dataset(
            "cifar-10",
            "CIFAR-10: 60,000 32x32 colour images in 10 classes (python pickle batches).",
            "https://www.cs.toronto.edu/~kriz/cifar.html",
            (
                Source(
                    "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
                    Unpack.TAR,
                    md5="c58f30108f718f92721af3b95e74349a",
                ),
            ),
            tuple(
                f"cifar-10-batches-py/{f}"
                for f in [*(f"data_batch_{i}" for i in range(1, 6)), "test_batch", "batches.meta"]
            ),
        ),
        Dataset(
            "oxford-pet",
            "Oxford-IIIT Pet: 7,349 photos of 37 cat and dog breeds with trimap segmentations.",
            "https://www.robots.ox.ac.uk/~vgg/data/pets/",
            (
                Source(
                    f"{_PET}/images.tar.gz",
                    Unpack.TAR,
                    "oxford-iiit-pet",
                    md5="5c4f3ee8e5d25df40f4fd59a7f44e54c",
                ),
                Source(
                    f"{_PET}/annotations.tar.gz",
                    Unpack.TAR,
                    "oxford-iiit-pet",
                    md5="95a8c909bbe2e81eed6a22bccdf3f68f",
                ),
            ),
            (
                "oxford-iiit-pet/images",
                "oxford-iiit-pet/annotations/trimaps",
                "oxford-iiit-pet/annotations/trainval.txt",
                "oxford-iiit-pet/annotations/test.txt",
            ),
            license="CC BY-SA 4.0",
        ),
        Dataset(
            "penn-fudan",
            "Penn-Fudan pedestrians: 170 street photos with per-pedestrian instance masks.",
            "https://www.cis.upenn.edu/~jshi/ped_html/",
            (Source("https://www.cis.upenn.edu/~jshi/ped_html/PennFudanPed.zip", Unpack.ZIP),),
            ("PennFudanPed/PNGImages", "PennFudanPed/PedMasks"),
        ),
        Dataset(
            "imdb",
            "IMDB Large Movie Review Dataset: 50,000 labelled English reviews (aclImdb text files).",
            "https://ai.stanford.edu/~amaas/data/sentiment/",
            (
                Source(
                    "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz",
                    Unpack.TAR,
                    md5="7c2ac02c03563afcf9b574c7e56c153a",
                ),
            ),
            tuple(f"aclImdb/{split}/{label}" for split in ("train", "test") for label in ("pos", "neg")),
        ),
        Dataset(
            "text-corpus",
            "Journey to the West (西遊記), public domain, as UTF-8 plain text from Project Gutenberg.",
            "https://www.gutenberg.org/ebooks/23962",
            (
                Source(
                    "https://www.gutenberg.org/cache/epub/23962/pg23962.txt",
                    Unpack.FILE,
                    rename="corpus.txt",
                    gutenberg=True,
                ),
            ),
            ("corpus.txt",),
            license="public domain",
        ),
        Dataset(
            "resnet18-weights",
            "torchvision ResNet-18 ImageNet weights (IMAGENET1K_V1).",
            "https://pytorch.org/vision/stable/models.html",
            (Source(f"{_MODELS}/resnet18-f37072fd.pth", Unpack.FILE, sha256_prefix="f37072fd"),),
            ("resnet18-f37072fd.pth",),
            license="BSD-3-Clause (torchvision)",
        ),
        Dataset(
            "fasterrcnn-weights",
            "torchvision Faster R-CNN MobileNetV3-Large 320 FPN COCO weights.",
            "https://pytorch.org/vision/stable/models.html",
            (
                Source(
                    f"{_MODELS}/fasterrcnn_mobilenet_v3_large_320_fpn-907ea3f9.pth",
                    Unpack.FILE,
                    sha256_prefix="907ea3f9",
                ),
            ),
            ("fasterrcnn_mobilenet_v3_large_320_fpn-907ea3f9.pth",),
            license="BSD-3-Clause (torchvision)",
        ),
    ]
}


# ------------------------------------------------------------------------------------ lookups


def get_dataset(name: str, registry: dict[str, Dataset] | None = None) -> Dataset:
    registry = DATASETS if registry is None else registry
    try:
        return registry[name]
    except KeyError:
        raise UnknownDatasetError(
            f"unknown dataset {name!r}; known datasets: {', '.join(sorted(registry))}"
        ) from None


def mirror_url(url: str, mirror: str | None) -> str:
    """``url`` with its origin (scheme and host) replaced by the ``mirror`` base URL.

    The path and query stay, so ``https://mirror.example.cn/data`` turns
    ``https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz`` into
    ``https://mirror.example.cn/data/~kriz/cifar-10-python.tar.gz``.
    """
    if not mirror:
        return url
    base = urlsplit(mirror)
    if base.scheme not in {"http", "https"} or not base.netloc or base.query or base.fragment:
        raise DataError(
            f"mirror must be an http(s) base URL like https://mirror.example.cn/data, got {mirror!r}"
        )
    parts = urlsplit(url)
    return mirror.rstrip("/") + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def is_staged(dataset: Dataset, data_dir: Path) -> bool:
    folder = data_dir / dataset.name
    return folder.is_dir() and all((folder / p).exists() for p in dataset.expect)


# ---------------------------------------------------------------------------------- progress


@dataclass(frozen=True)
class Progress:
    """What the fetcher is doing, for progress bars; ``total`` is None when the size is unknown."""

    dataset: str
    stage: Literal["download", "verify", "unpack", "done", "skip"]
    file: str
    done: int = 0
    total: int | None = None


ProgressCallback = Callable[[Progress], None]


def _no_progress(_: Progress) -> None:
    pass


@dataclass(frozen=True)
class FetchResult:
    name: str
    path: Path
    skipped: bool  # it was already staged: nothing was downloaded
    downloaded_bytes: int = 0
    checksums: dict[str, str] = field(default_factory=dict)  # file -> how it was verified


# ---------------------------------------------------------------------------------- manifest


def _work(data_dir: Path) -> Path:
    return data_dir / WORK_FOLDER


def load_manifest(data_dir: Path) -> dict[str, Any]:
    path = _work(data_dir) / MANIFEST
    if not path.is_file():
        return {"version": 1, "datasets": {}}
    return json.loads(path.read_text(encoding="utf-8"))


def _save_manifest(data_dir: Path, manifest: dict[str, Any]) -> None:
    path = _work(data_dir) / MANIFEST
    # Written beside and renamed, so a crash leaves the previous manifest, not a truncated one.
    tmp = path.with_name(f".{MANIFEST}.{os.getpid()}")
    tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


@contextlib.contextmanager
def _locked(data_dir: Path, name: str) -> Iterator[None]:
    # Two fetches of one dataset at once would append to the same .partial file.
    with (_work(data_dir) / f"{name}.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --------------------------------------------------------------------------------- downloading

_NETWORK_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    urllib3.exceptions.HTTPError,
    http.client.HTTPException,
    ConnectionError,
)
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")


class _Interrupted(Exception):
    """The body ended before the announced length."""


def _session() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = f"coursehub/{__version__} (+dataset staging)"
    return session


def _download(
    session: requests.Session,
    url: str,
    dest: Path,
    report: Callable[[int, int | None], None],
    retries: int,
    timeout: float,
    backoff: float,
) -> int:
    """Download ``url`` to ``dest``, resuming ``dest.partial``; returns the bytes transferred."""
    partial = dest.with_name(dest.name + ".partial")
    validator_file = dest.with_name(dest.name + ".partial.validator")
    transferred = 0
    for attempt in range(retries + 1):
        offset = partial.stat().st_size if partial.exists() else 0
        headers = {"Accept-Encoding": "identity"}
        if offset:
            headers["Range"] = f"bytes={offset}-"
            # If-Range: when the file changed upstream the server sends all of it (200) instead
            # of a tail that would not fit the bytes we already have.
            if validator_file.is_file():
                headers["If-Range"] = validator_file.read_text().strip()
        try:
            with session.get(url, headers=headers, stream=True, timeout=(15, timeout)) as response:
                if response.status_code == 416 and offset:
                    # Nothing past our offset: the partial file is already complete (or junk;
                    # the checksum decides).
                    match = re.match(r"bytes \*/(\d+)", response.headers.get("Content-Range", ""))
                    if match and int(match.group(1)) == offset:
                        break
                    partial.unlink()
                    continue
                if response.status_code == 206:
                    match = _CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
                    if not match or int(match.group(1)) != offset:
                        partial.unlink(missing_ok=True)  # a range we did not ask for: start over
                        continue
                    total = None if match.group(3) == "*" else int(match.group(3))
                    mode = "ab"
                elif response.status_code == 200:
                    length = response.headers.get("Content-Length")
                    total, offset, mode = (int(length) if length else None), 0, "wb"
                else:
                    message = f"{url}: HTTP {response.status_code} {response.reason}"
                    if response.status_code >= 500 and attempt < retries:
                        time.sleep(min(backoff * 2**attempt, 30))
                        continue
                    raise DownloadError(message)
                validator = response.headers.get("ETag") or response.headers.get("Last-Modified")
                if validator and not validator.startswith("W/"):  # weak ETags are not allowed in If-Range
                    validator_file.write_text(validator)
                done = offset
                report(done, total)
                with partial.open(mode) as out:
                    # Raw bytes: a server that labels a .gz with Content-Encoding must not get it
                    # decompressed here, or sizes, offsets and checksums stop matching.
                    for chunk in response.raw.stream(CHUNK, decode_content=False):
                        out.write(chunk)
                        done += len(chunk)
                        transferred += len(chunk)
                        report(done, total)
                if total is not None and done != total:
                    raise _Interrupted(f"got {done} of {total} bytes")
            break
        except (*_NETWORK_ERRORS, _Interrupted) as error:
            if attempt >= retries:
                have = partial.stat().st_size if partial.exists() else 0
                raise DownloadError(
                    f"download of {url} interrupted after {have} bytes ({error}); "
                    "run the fetch again to resume where it stopped"
                ) from error
            time.sleep(min(backoff * 2**attempt, 30))
    else:
        # Every attempt ended in a restart (a server answering with ranges we did not ask for).
        raise DownloadError(f"download of {url} did not complete in {retries + 1} attempts; try again")
    os.replace(partial, dest)
    validator_file.unlink(missing_ok=True)
    return transferred


def _digests(path: Path, report: Callable[[int, int | None], None]) -> tuple[str, str]:
    md5, sha256 = hashlib.md5(usedforsecurity=False), hashlib.sha256()
    size, done = path.stat().st_size, 0
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            md5.update(chunk)
            sha256.update(chunk)
            done += len(chunk)
            report(done, size)
    return md5.hexdigest(), sha256.hexdigest()


def _verify(source: Source, md5: str, sha256: str, recorded: str | None) -> str:
    """How the file was verified; raises ChecksumError when it does not match."""
    if source.md5:
        expected, actual, how = source.md5.lower(), md5, "md5"
    elif source.sha256_prefix:
        expected, how = source.sha256_prefix.lower(), "sha256-prefix"
        actual = sha256[: len(expected)]
    elif recorded:
        expected, actual, how = recorded, sha256, "sha256 (recorded on first fetch)"
    else:
        return "sha256 recorded on first fetch"
    if actual != expected:
        raise ChecksumError(
            f"checksum mismatch for {source.filename}: expected {how} {expected}, got {actual}. "
            "The download was deleted and nothing was staged; if you use a mirror, it may serve a "
            "different file."
        )
    return how


# ---------------------------------------------------------------------------------- unpacking


def _safe_member(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts


def _unpack(source: Source, archive: Path, into: Path, report: Callable[[int, int | None], None]) -> None:
    into.mkdir(parents=True, exist_ok=True)
    if source.unpack is Unpack.TAR:
        size = archive.stat().st_size
        with archive.open("rb") as raw, tarfile.open(fileobj=raw, mode="r:*") as tar:
            # Member by member in archive order: only forward seeks, which a compressed stream
            # can do cheaply; progress is how much of the compressed file has been read.
            for i, member in enumerate(tar, 1):
                # The "data" filter refuses links out of the tree, device files and absolute
                # paths, and drops the archive's owners (we may be root).
                tar.extract(member, into, filter="data")
                if i % 200 == 0:
                    report(min(raw.tell(), size), size)
            report(size, size)
    elif source.unpack is Unpack.ZIP:
        with zipfile.ZipFile(archive) as zf:
            names = [n for n in zf.namelist() if not n.startswith("__MACOSX/")]
            bad = [n for n in names if not _safe_member(n)]
            if bad:
                raise LayoutError(f"{archive.name} has unsafe paths, e.g. {bad[0]!r}; nothing was staged")
            for i, name in enumerate(names, 1):
                zf.extract(name, into)
                if i % 500 == 0 or i == len(names):
                    report(i, len(names))
    elif source.unpack is Unpack.GUNZIP:
        target = into / (source.rename or source.filename.removesuffix(".gz"))
        with gzip.open(archive, "rb") as src, target.open("wb") as out:
            shutil.copyfileobj(src, out, CHUNK)
        report(1, 1)
    else:
        target = into / (source.rename or source.filename)
        if source.gutenberg:
            target.write_text(_gutenberg_body(archive.read_bytes()), encoding="utf-8")
        else:
            shutil.copyfile(archive, target)
        report(1, 1)


_GUTENBERG_START = re.compile(r"^\*\*\*\s*START OF (?:THE|THIS) PROJECT GUTENBERG EBOOK[^\n]*\n", re.I | re.M)
_GUTENBERG_END = re.compile(r"^\*\*\*\s*END OF (?:THE|THIS) PROJECT GUTENBERG EBOOK", re.I | re.M)


def _gutenberg_body(raw: bytes) -> str:
    # The book without Project Gutenberg's English header and licence footer: a text corpus
    # for language models should be the novel only. Markers missing: keep the whole text.
    text = raw.decode("utf-8-sig").replace("\r\n", "\n")
    start, end = _GUTENBERG_START.search(text), _GUTENBERG_END.search(text)
    if start and end and start.end() < end.start():
        text = text[start.end() : end.start()]
    return text.strip("\n") + "\n"


def _open_permissions(root: Path) -> tuple[int, int]:
    """Make the tree readable by learners (another uid) whatever the archive said; returns size, files."""
    size = files = 0
    root.chmod(0o755)
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            os.chmod(os.path.join(dirpath, d), 0o755)
        for f in filenames:
            path = os.path.join(dirpath, f)
            os.chmod(path, 0o644)
            size += os.path.getsize(path)
            files += 1
    return size, files


# ------------------------------------------------------------------------------------- fetch


def fetch(
    name: str,
    data_dir: Path,
    *,
    mirror: str | None = None,
    progress: ProgressCallback | None = None,
    registry: dict[str, Dataset] | None = None,
    session: requests.Session | None = None,
    retries: int = 3,
    timeout: float = 60.0,
    backoff: float = 1.0,
) -> FetchResult:
    """Stage dataset ``name`` under ``data_dir/name`` (see the module docstring for the guarantees).

    ``retries`` interrupted or failed (5xx) requests are resumed within this call, waiting
    ``backoff`` seconds, doubling each time; ``timeout`` is the longest silence of a transfer.
    """
    dataset = get_dataset(name, registry)
    emit = progress or _no_progress
    data_dir = Path(data_dir)
    target = data_dir / name
    downloads = _work(data_dir) / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)

    with _locked(data_dir, name):
        if is_staged(dataset, data_dir):
            emit(Progress(name, "skip", name))
            return FetchResult(name, target, skipped=True)
        if target.exists():
            if target.is_dir() and not any(target.iterdir()):
                target.rmdir()  # an empty mount point or leftover folder is fine to replace
            else:
                raise DataError(
                    f"{target} exists but is not a complete '{name}' staging (it misses one of "
                    f"{', '.join(dataset.expect)}); move it away and fetch again"
                )

        manifest = load_manifest(data_dir)
        recorded: dict[str, Any] = manifest["datasets"].get(name, {}).get("sources", {})
        own_session = session is None
        session = session or _session()
        files: list[tuple[Source, Path]] = []
        record: dict[str, dict[str, Any]] = {}
        transferred = 0
        try:
            for source in dataset.sources:
                url = mirror_url(source.url, mirror)
                path = downloads / source.filename
                if not path.is_file():  # a verified-size earlier download is reused, then re-checked

                    def report(done: int, total: int | None, file: str = source.filename) -> None:
                        emit(Progress(name, "download", file, done, total))

                    transferred += _download(session, url, path, report, retries, timeout, backoff)

                def report_verify(done: int, total: int | None, file: str = source.filename) -> None:
                    emit(Progress(name, "verify", file, done, total))

                md5, sha256 = _digests(path, report_verify)
                try:
                    how = _verify(source, md5, sha256, recorded.get(source.filename, {}).get("sha256"))
                except ChecksumError:
                    path.unlink(missing_ok=True)  # never resume from or reuse bad bytes
                    raise
                files.append((source, path))
                record[source.filename] = {
                    "url": source.url,
                    "fetched_from": url,
                    "bytes": path.stat().st_size,
                    "md5": md5,
                    "sha256": sha256,
                    "checksum": how,
                }
        finally:
            if own_session:
                session.close()

        # Unpack beside the target (same file system) so the final rename is atomic.
        staging = Path(tempfile.mkdtemp(prefix=f".staging-{name}-", dir=data_dir))
        try:
            for source, path in files:

                def report_unpack(done: int, total: int | None, file: str = source.filename) -> None:
                    emit(Progress(name, "unpack", file, done, total))

                _unpack(source, path, staging / source.dest, report_unpack)
            missing = [p for p in dataset.expect if not (staging / p).exists()]
            if missing:
                raise LayoutError(
                    f"the archives of '{name}' did not unpack into the expected layout "
                    f"(missing {', '.join(missing)}); nothing was staged"
                )
            size, count = _open_permissions(staging)
            staging.rename(target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise

        manifest["datasets"][name] = {
            "staged_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "bytes": size,
            "files": count,
            "sources": record,
        }
        _save_manifest(data_dir, manifest)
        for _, path in files:
            path.unlink(missing_ok=True)  # the unpacked copy is what counts; archives take space
        emit(Progress(name, "done", name, size, size))
        checksums = {f: r["checksum"] for f, r in record.items()}
        return FetchResult(name, target, skipped=False, downloaded_bytes=transferred, checksums=checksums)


# -------------------------------------------------------------------------------------- status


@dataclass(frozen=True)
class DatasetStatus:
    name: str
    description: str
    staged: bool
    bytes: int | None  # on disk when staged (from the manifest, else measured)
    checksum: str  # how the files are, or will be, verified

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _tree_size(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def dataset_status(
    data_dir: Path, names: Iterable[str] | None = None, registry: dict[str, Dataset] | None = None
) -> list[DatasetStatus]:
    registry = DATASETS if registry is None else registry
    manifest = load_manifest(Path(data_dir))["datasets"] if Path(data_dir).is_dir() else {}
    result = []
    for name in names or registry:
        dataset = get_dataset(name, registry)
        staged = is_staged(dataset, Path(data_dir))
        entry = manifest.get(name, {})
        size = None
        if staged:
            size = entry.get("bytes") or _tree_size(Path(data_dir) / name)
        kinds = {s.checksum_kind for s in dataset.sources}
        if None not in kinds:
            checksum = "published " + "/".join(sorted(k for k in kinds if k))
            if staged and entry:
                checksum += ", verified"
        elif entry.get("sources"):
            checksum = "sha256 recorded on first fetch"
        else:
            checksum = "none published; sha256 recorded on first fetch"
        result.append(DatasetStatus(name, dataset.description, staged, size, checksum))
    return result
