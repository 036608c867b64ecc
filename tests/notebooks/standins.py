"""Generate tiny, deterministic, format-identical stand-ins of every course dataset and weight file.

Run inside the learner image (it needs numpy, Pillow, torch and torchvision)::

    python standins.py OUT_DIR

``OUT_DIR/<name>/`` then has exactly the layout ``coursehub data fetch <name>`` stages (see
``course/AUTHORING.md``), so the notebooks' real loading code runs against it in smoke mode.
The images carry class-dependent colours and shapes, so a few smoke-mode training steps have
something to learn instead of fitting pure noise. Nothing here is copied from the real
datasets: every byte is generated from fixed seeds, so two runs give the same content.
"""

from __future__ import annotations

import argparse
import pickle
import random
import struct
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

# ---------------------------------------------------------------- FashionMNIST (idx files)


def _idx_bytes(array: np.ndarray) -> bytes:
    # The idx header: two zero bytes, a type code (0x08 = unsigned byte), the number of
    # dimensions, then each dimension as a big-endian int32.
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def _fashion_templates() -> list[np.ndarray]:
    """Ten 28x28 silhouettes, one per class, distinct enough to be learnable."""
    yy, xx = np.mgrid[0:28, 0:28]
    r2 = (xx - 14) ** 2 + (yy - 14) ** 2
    t: list[np.ndarray] = []
    t.append((abs(xx - 14) < 9) & (yy > 6) & (yy < 24))  # 0 top: wide block
    t.append((abs(xx - 10) < 3) | (abs(xx - 18) < 3))  # 1 trouser: two legs
    t.append(((abs(xx - 14) < 11) & (abs(yy - 9) < 3)) | ((abs(xx - 14) < 6) & (yy > 8)))  # 2 pullover: T
    t.append((abs(xx - 14) < 5 + (yy // 4)) & (yy > 3))  # 3 dress: widening
    t.append((abs(xx - 14) < 12) & (yy > 4) & (yy < 26) & ~((abs(xx - 14) < 2) & (yy > 8)))  # 4 coat: split
    t.append((yy > 18) & (yy < 23) & (xx > 2) & (xx < 26))  # 5 sandal: thin strip
    t.append((r2 < 100) & (r2 > 36))  # 6 shirt: ring
    t.append((yy > 14) & (yy < 24) & (xx > yy - 14))  # 7 sneaker: wedge
    t.append((abs(xx - 14) < 10) & (abs(yy - 16) < 8) | ((abs(xx - 14) < 5) & (abs(yy - 6) < 2)))  # 8 bag
    t.append(((xx > 4) & (xx < 12) & (yy > 4) & (yy < 24)) | ((yy > 17) & (yy < 24) & (xx > 4) & (xx < 24)))
    return [m.astype(np.float32) for m in t]  # 9 ankle boot: L shape


def make_fashion_mnist(out: Path, n_train: int = 300, n_test: int = 100) -> None:
    rng = np.random.default_rng(1)
    templates = _fashion_templates()
    raw = out / "FashionMNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        labels = np.arange(n) % 10
        rng.shuffle(labels)
        images = np.zeros((n, 28, 28), dtype=np.float32)
        for i, label in enumerate(labels):
            shifted = np.roll(templates[label], tuple(rng.integers(-2, 3, size=2)), axis=(0, 1))
            images[i] = shifted * rng.uniform(140, 255) + rng.normal(0, 20, (28, 28))
        images = np.clip(images, 0, 255).astype(np.uint8)
        (raw / f"{prefix}-images-idx3-ubyte").write_bytes(_idx_bytes(images))
        (raw / f"{prefix}-labels-idx1-ubyte").write_bytes(_idx_bytes(labels.astype(np.uint8)))


# ------------------------------------------------------------------ CIFAR-10 (pickle batches)

CIFAR_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
# One foreground colour and one shape per class; backgrounds vary randomly.
_CIFAR_COLOURS = [
    (230, 60, 50), (50, 200, 60), (60, 80, 230), (230, 210, 40), (200, 60, 210),
    (40, 210, 210), (250, 140, 30), (140, 90, 40), (240, 240, 240), (20, 20, 20),
]  # fmt: skip


def _draw_shape(draw: ImageDraw.ImageDraw, kind: int, box: tuple[int, int, int, int], fill: tuple) -> None:
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
    match kind % 5:
        case 0:
            draw.ellipse(box, fill=fill)
        case 1:
            draw.rectangle(box, fill=fill)
        case 2:
            draw.polygon([(cx, y0), (x1, y1), (x0, y1)], fill=fill)
        case 3:
            w = max(2, (x1 - x0) // 4)
            draw.rectangle((x0, cy - w, x1, cy + w), fill=fill)
            draw.rectangle((cx - w, y0, cx + w, y1), fill=fill)
        case _:
            draw.polygon([(cx, y0), (x1, cy), (cx, y1), (x0, cy)], fill=fill)


def _cifar_image(rng: np.random.Generator, label: int) -> np.ndarray:
    background = tuple(int(c) for c in rng.integers(60, 200, size=3))
    image = Image.new("RGB", (32, 32), background)
    draw = ImageDraw.Draw(image)
    size = int(rng.integers(14, 24))
    x0, y0 = (int(v) for v in rng.integers(0, 32 - size, size=2))
    colour = tuple(int(np.clip(c + rng.normal(0, 15), 0, 255)) for c in _CIFAR_COLOURS[label])
    _draw_shape(draw, label, (x0, y0, x0 + size, y0 + size), colour)
    array = np.asarray(image, dtype=np.int16) + rng.normal(0, 8, (32, 32, 3)).astype(np.int16)
    return np.clip(array, 0, 255).astype(np.uint8)


def make_cifar10(out: Path, per_batch: int = 100) -> None:
    rng = np.random.default_rng(2)
    folder = out / "cifar-10-batches-py"
    folder.mkdir(parents=True, exist_ok=True)
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    for batch_no, name in enumerate(names, start=1):
        labels = [int(x) for x in rng.permutation(np.arange(per_batch) % 10)]
        images = np.stack([_cifar_image(rng, label) for label in labels])
        # Official rows: 3072 bytes, the 1024 red values first, then green, then blue.
        rows = images.transpose(0, 3, 1, 2).reshape(per_batch, 3072)
        batch_label = "testing batch 1 of 1" if name == "test_batch" else f"training batch {batch_no} of 5"
        entry = {
            "batch_label": batch_label,
            "labels": labels,
            "data": rows,
            "filenames": [f"standin_{CIFAR_CLASSES[y]}_{batch_no}_{i}.png" for i, y in enumerate(labels)],
        }
        with (folder / name).open("wb") as f:
            pickle.dump(entry, f, protocol=2)
    meta = {"num_cases_per_batch": per_batch, "label_names": CIFAR_CLASSES, "num_vis": 3072}
    with (folder / "batches.meta").open("wb") as f:
        pickle.dump(meta, f, protocol=2)
    (folder / "readme.html").write_text("<p>Generated CIFAR-10 stand-in for tests.</p>\n")


# ---------------------------------------------------------------- Oxford-IIIT Pet (jpg + trimaps)

# (file-name stem, class id, species 1=cat 2=dog, breed id within species): the first six
# classes of the official numbering, so the ids stay consecutive and every class appears in
# both splits, as in the real lists.
PET_BREEDS = [
    ("Abyssinian", 1, 1, 1),
    ("american_bulldog", 2, 2, 1),
    ("american_pit_bull_terrier", 3, 2, 2),
    ("basset_hound", 4, 2, 3),
    ("beagle", 5, 2, 4),
    ("Bengal", 6, 1, 2),
]


def make_oxford_pet(out: Path, per_breed: int = 4, test_per_breed: int = 1) -> None:
    rng = np.random.default_rng(3)
    base = out / "oxford-iiit-pet"
    images_dir, trimaps_dir = base / "images", base / "annotations" / "trimaps"
    images_dir.mkdir(parents=True, exist_ok=True)
    trimaps_dir.mkdir(parents=True, exist_ok=True)
    trainval: list[str] = []
    test: list[str] = []
    for stem, class_id, species, breed_id in PET_BREEDS:
        colour = _CIFAR_COLOURS[class_id - 1]
        for k in range(1, per_breed + 1):
            image_id = f"{stem}_{k}"
            w, h = int(rng.integers(72, 112)), int(rng.integers(64, 100))
            image = Image.new("RGB", (w, h), tuple(int(c) for c in rng.integers(40, 220, size=3)))
            trimap = Image.new("L", (w, h), 2)  # 1 pet, 2 background, 3 border (unclassified)
            bw, bh = int(w * rng.uniform(0.4, 0.7)), int(h * rng.uniform(0.4, 0.7))
            x0, y0 = int(rng.integers(2, w - bw - 2)), int(rng.integers(2, h - bh - 2))
            box = (x0, y0, x0 + bw, y0 + bh)
            inner = (x0 + 2, y0 + 2, x0 + bw - 2, y0 + bh - 2)
            # Cats are ellipses, dogs are rounded boxes: the species is visible in the shape.
            if species == 1:
                ImageDraw.Draw(image).ellipse(box, fill=colour)
                ImageDraw.Draw(trimap).ellipse(box, fill=3)
                ImageDraw.Draw(trimap).ellipse(inner, fill=1)
            else:
                ImageDraw.Draw(image).rounded_rectangle(box, radius=6, fill=colour)
                ImageDraw.Draw(trimap).rounded_rectangle(box, radius=6, fill=3)
                ImageDraw.Draw(trimap).rounded_rectangle(inner, radius=5, fill=1)
            image.save(images_dir / f"{image_id}.jpg", quality=90)
            trimap.save(trimaps_dir / f"{image_id}.png")
            line = f"{image_id} {class_id} {species} {breed_id}"
            (test if k > per_breed - test_per_breed else trainval).append(line)
    annotations = base / "annotations"
    (annotations / "trainval.txt").write_text("\n".join(trainval) + "\n")
    (annotations / "test.txt").write_text("\n".join(test) + "\n")
    header = [
        "#Image CLASS-ID SPECIES BREED ID",
        "#ID: 1:37 Class ids",
        "#SPECIES: 1:Cat 2:Dog",
        "#BREED ID: 1-25:Cat 1:12:Dog",
        "#Generated stand-in: names starting with a capital are cats, lower case dogs",
    ]
    (annotations / "list.txt").write_text("\n".join(header + sorted(trainval + test)) + "\n")


# ---------------------------------------------------------------- Penn-Fudan (png + instance masks)


def make_penn_fudan(out: Path, n_images: int = 6) -> None:
    rng = np.random.default_rng(4)
    base = out / "PennFudanPed"
    (base / "PNGImages").mkdir(parents=True, exist_ok=True)
    (base / "PedMasks").mkdir(parents=True, exist_ok=True)
    half = n_images // 2
    stems = [f"FudanPed{i:05d}" for i in range(1, half + 1)]
    stems += [f"PennPed{i:05d}" for i in range(1, n_images - half + 1)]
    for stem in stems:
        w, h = int(rng.integers(160, 220)), int(rng.integers(140, 180))
        image = Image.new("RGB", (w, h), tuple(int(c) for c in rng.integers(90, 200, size=3)))
        # Masks are 8-bit palette images: 0 background, 1..N one value per pedestrian, as in
        # the official files; a grey ramp palette keeps convert("L") meaning the same ids.
        mask = Image.new("P", (w, h), 0)
        mask.putpalette([v for i in range(256) for v in (i, i, i)])
        n_people = int(rng.integers(1, 4))
        slot = w // n_people
        for person in range(1, n_people + 1):
            pw, ph = int(rng.integers(22, 34)), int(rng.integers(80, h - 20))
            x0 = (person - 1) * slot + int(rng.integers(2, max(3, slot - pw - 2)))
            y0 = int(rng.integers(5, h - ph - 5))
            head = (x0 + pw // 4, y0, x0 + 3 * pw // 4, y0 + pw // 2)
            body = (x0, y0 + pw // 2, x0 + pw, y0 + ph)
            clothes = tuple(int(c) for c in rng.integers(0, 80, size=3))
            ImageDraw.Draw(image).ellipse(head, fill=(225, 180, 150))
            ImageDraw.Draw(image).rectangle(body, fill=clothes)
            ImageDraw.Draw(mask).ellipse(head, fill=person)
            ImageDraw.Draw(mask).rectangle(body, fill=person)
        image.save(base / "PNGImages" / f"{stem}.png")
        mask.save(base / "PedMasks" / f"{stem}_mask.png")


# ---------------------------------------------------------------- IMDB (aclImdb text files)

_GOOD = ["wonderful", "moving", "brilliant", "charming", "superb", "delightful", "gripping", "beautiful"]
_BAD = ["boring", "dull", "awful", "clumsy", "tedious", "predictable", "messy", "lifeless"]
_THINGS = ["the acting", "the script", "the music", "the ending", "the camera work", "the story", "the cast"]
_FILLER = [
    "I watched it on a rainy Sunday.",
    "My friend recommended it last year.",
    "It runs for almost two hours.",
    "The film is set in a small harbour town.",
    "I saw it at a late screening.",
]


def _review(rng: random.Random, positive: bool) -> str:
    words = _GOOD if positive else _BAD
    verdict = "I would happily watch it again." if positive else "I would not recommend it to anyone."
    sentences = [rng.choice(_FILLER)]
    for _ in range(rng.randint(2, 5)):
        sentences.append(f"{rng.choice(_THINGS).capitalize()} was {rng.choice(words)}.")
    word = rng.choice(words)
    sentences.append(f"Overall {'an' if word[0] in 'aeiou' else 'a'} {word} film. {verdict}")
    # Real reviews contain HTML line breaks, which the notebooks' cleaning code has to handle.
    return " ".join(sentences[:2]) + "<br /><br />" + " ".join(sentences[2:])


def make_imdb(out: Path, per_label: int = 20) -> None:
    rng = random.Random(5)
    for split in ("train", "test"):
        for label in ("pos", "neg"):
            folder = out / "aclImdb" / split / label
            folder.mkdir(parents=True, exist_ok=True)
            for review_id in range(per_label):
                # Ratings follow the official split: positive 7-10, negative 1-4.
                rating = rng.randint(7, 10) if label == "pos" else rng.randint(1, 4)
                text = _review(rng, label == "pos")
                (folder / f"{review_id}_{rating}.txt").write_text(text, encoding="utf-8")


# ---------------------------------------------------------------- text corpus (generated Chinese)

_SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡林郭何高罗"
_GIVEN = "云峰明华文山青玉秋月春雪海龙凤英平安"
_PLACES = ["山中", "城里", "河边", "庙前", "客栈", "渡口", "竹林", "集市", "江上", "院中", "桥头", "村口"]
_VERBS = ["走到", "来到", "回到", "经过", "住在", "守在"]
_ACTS = ["看见", "拿起", "放下", "想起", "收好", "寻找", "送来", "写下"]
_OBJECTS = ["一把长剑", "一封书信", "一壶热茶", "一盏油灯", "一匹白马", "一本旧书", "几两银子", "一张地图"]
_TIMES = ["这一日", "次日清晨", "当天夜里", "过了三天", "到了傍晚", "天刚亮时"]
_SAYINGS = [
    "此事不可再拖", "我们明日一早动身", "你且放心", "这路不好走", "天色已晚，先歇一歇",
    "那人说的未必是真", "只要大家同心，总有办法", "我早料到会这样",
]  # fmt: skip
_MOODS = ["点头称是", "叹了口气", "哈哈大笑", "沉默半晌", "连忙起身", "皱起眉头"]
_NUMERALS = "一二三四五六七八九十"


def _chapter_number(n: int) -> str:
    if n <= 10:
        return _NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _NUMERALS[tens - 1]) + "十" + (_NUMERALS[ones - 1] if ones else "")


def make_text_corpus(out: Path, target_bytes: int = 30_000) -> None:
    rng = random.Random(6)
    names = [rng.choice(_SURNAMES) + "".join(rng.sample(_GIVEN, rng.randint(1, 2))) for _ in range(8)]
    lines: list[str] = []
    size, chapter = 0, 0
    while size < target_bytes:
        chapter += 1
        a, b = rng.sample(names, 2)
        title = (
            f"第{_chapter_number(chapter)}回　{a}{rng.choice(_VERBS)}{rng.choice(_PLACES)}"
            f"　{b}{rng.choice(_ACTS)}{rng.choice(_OBJECTS)}"
        )
        paragraphs = [title]
        for _ in range(rng.randint(6, 10)):
            a, b = rng.sample(names, 2)
            parts = [
                f"{rng.choice(_TIMES)}，{a}{rng.choice(_VERBS)}{rng.choice(_PLACES)}，"
                f"{rng.choice(_ACTS)}{rng.choice(_OBJECTS)}。",
                f"{b}{rng.choice(_MOODS)}，说道：“{rng.choice(_SAYINGS)}。”",
                f"{a}听了，{rng.choice(_MOODS)}，便{rng.choice(_ACTS)}{rng.choice(_OBJECTS)}。",
            ]
            paragraphs.append("　　" + "".join(rng.sample(parts, len(parts))))
        text = "\n".join(paragraphs) + "\n\n"
        lines.append(text)
        size += len(text.encode("utf-8"))
    (out / "corpus.txt").write_text("".join(lines), encoding="utf-8")


# ---------------------------------------------------------------- weights (random initialisation)


def make_resnet18_weights(out: Path) -> None:
    import torch
    import torchvision

    torch.manual_seed(7)
    out.mkdir(parents=True, exist_ok=True)
    torch.save(torchvision.models.resnet18().state_dict(), out / "resnet18-f37072fd.pth")


def make_fasterrcnn_weights(out: Path) -> None:
    import torch
    from torchvision.models.detection import fasterrcnn_mobilenet_v3_large_320_fpn

    torch.manual_seed(8)
    out.mkdir(parents=True, exist_ok=True)
    model = fasterrcnn_mobilenet_v3_large_320_fpn(weights=None, weights_backbone=None)
    torch.save(model.state_dict(), out / "fasterrcnn_mobilenet_v3_large_320_fpn-907ea3f9.pth")


MAKERS: dict[str, Callable[[Path], None]] = {
    "fashion-mnist": make_fashion_mnist,
    "cifar-10": make_cifar10,
    "oxford-pet": make_oxford_pet,
    "penn-fudan": make_penn_fudan,
    "imdb": make_imdb,
    "text-corpus": make_text_corpus,
    "resnet18-weights": make_resnet18_weights,
    "fasterrcnn-weights": make_fasterrcnn_weights,
}


# ---------------------------------------------------------------- self-check with the real loaders


def verify(out: Path) -> None:
    """Load every stand-in the way the notebooks do, so a format slip fails here, not in a notebook."""
    import torch
    import torchvision
    from torchvision.models.detection import fasterrcnn_mobilenet_v3_large_320_fpn

    for train in (True, False):
        ds = torchvision.datasets.FashionMNIST(out / "fashion-mnist", train=train, download=False)
        image, label = ds[0]
        assert image.size == (28, 28) and 0 <= label < 10, "fashion-mnist sample"
    for split in ("trainval", "test"):
        pets = torchvision.datasets.OxfordIIITPet(
            out / "oxford-pet", split=split, target_types=["category", "segmentation"], download=False
        )
        image, (label, trimap) = pets[0]
        assert image.mode == "RGB" and set(np.unique(np.asarray(trimap))) <= {1, 2, 3}, "oxford-pet sample"
        assert len(pets.classes) == len(PET_BREEDS), "every pet class in every split"
    for name in ("data_batch_1", "test_batch"):
        with (out / "cifar-10" / "cifar-10-batches-py" / name).open("rb") as f:
            entry = pickle.load(f, encoding="latin1")
        assert entry["data"].shape[1] == 3072 and entry["data"].dtype == np.uint8, "cifar-10 batch"
    masks = sorted((out / "penn-fudan" / "PennFudanPed" / "PedMasks").glob("*_mask.png"))
    assert masks and all(np.asarray(Image.open(m)).max() >= 1 for m in masks), "penn-fudan masks"
    reviews = list((out / "imdb" / "aclImdb").glob("*/*/*_*.txt"))
    assert len(reviews) >= 4, "imdb reviews"
    assert len((out / "text-corpus" / "corpus.txt").read_text(encoding="utf-8")) > 5000, "corpus"
    resnet = torchvision.models.resnet18()
    resnet.load_state_dict(torch.load(out / "resnet18-weights" / "resnet18-f37072fd.pth", weights_only=True))
    detector = fasterrcnn_mobilenet_v3_large_320_fpn(weights=None, weights_backbone=None)
    state = torch.load(
        out / "fasterrcnn-weights" / "fasterrcnn_mobilenet_v3_large_320_fpn-907ea3f9.pth", weights_only=True
    )
    detector.load_state_dict(state)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("names", nargs="*", help=f"only these (default: all of {', '.join(MAKERS)})")
    parser.add_argument("--no-verify", action="store_true", help="skip loading them back")
    args = parser.parse_args(argv)
    names = args.names or list(MAKERS)
    unknown = sorted(set(names) - set(MAKERS))
    if unknown:
        parser.error(f"unknown stand-in(s) {unknown}; known: {', '.join(MAKERS)}")
    for name in names:
        start = time.perf_counter()
        target = args.out_dir / name
        target.mkdir(parents=True, exist_ok=True)
        MAKERS[name](target)
        size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
        print(f"{name:20s} {size / 1e6:8.2f} MB  {time.perf_counter() - start:5.1f} s", flush=True)
    if not args.no_verify and set(names) == set(MAKERS):
        verify(args.out_dir)
        print("verified: every stand-in loads with the course's loaders", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
