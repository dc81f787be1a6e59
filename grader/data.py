"""MNIST in the IDX format: the bundled 10,000-image sample, or full MNIST where a user has it.

Both give the same shape of data (a `Mnist` with train / valid / test splits of
flattened float32 images in [0, 1] and int64 labels), so notebooks and the
grader's training harness never care which one they got.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SAMPLE_DIR = Path(__file__).parent / "mnist"
SAMPLE_MD5 = {
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
# The sample's split: a fixed permutation of the 10,000 test images.
SAMPLE_SPLIT_SEED = 20171
SAMPLE_SIZES = {"train": 7000, "valid": 1000, "test": 2000}
# What student processes and the student bundle get instead of the sample's IDX files: its train and
# validation splits only, never the grading split (there, `test` is the validation split).
PUBLIC_SAMPLE = "public-sample.npz"
# Full MNIST is split as the book's `input_data.read_data_sets` splits it.
FULL_VALID = 5000
MNIST_DIR_ENV = "MNIST_DIR"
_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


class DataError(Exception):
    """The data asked for is absent or damaged; the message says where and why."""


@dataclass(frozen=True)
class Split:
    X: np.ndarray  # (n, 784) float32 in [0, 1]
    y: np.ndarray  # (n,) int64

    def __iter__(self):  # so that `X_train, y_train = mnist.train` works
        return iter((self.X, self.y))

    def __len__(self) -> int:
        return len(self.y)


@dataclass(frozen=True)
class Mnist:
    train: Split
    valid: Split
    test: Split
    source: str  # "sample" or where full MNIST was read from


def read_idx(path: Path) -> np.ndarray:
    """Read one IDX file (gzipped or not) into an array of its own shape and type."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as error:  # gzip.BadGzipFile is an OSError; a cut-off .gz an EOFError
        raise DataError(f"{path} cannot be read: {error}") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_TYPES:
        raise DataError(f"{path} is not an IDX file (bad magic number)")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{path}: the header is cut off ({ndim} dimensions promised)")
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    dtype = np.dtype(_IDX_TYPES[raw[2]])
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(raw) - header != expected:
        raise DataError(f"{path}: header promises {expected} bytes of data, file has {len(raw) - header}")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def _as_split(images: np.ndarray, labels: np.ndarray) -> Split:
    X = images.reshape(len(images), -1).astype(np.float32) / 255.0
    return Split(X, labels.astype(np.int64))


def _sample_order(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    order = np.random.RandomState(SAMPLE_SPLIT_SEED).permutation(len(labels))
    a = SAMPLE_SIZES["train"]
    b = a + SAMPLE_SIZES["valid"]
    c = b + SAMPLE_SIZES["test"]
    return order[:a], order[a:b], order[b:c]


def _public_sample(path: Path) -> Mnist:
    with np.load(path, allow_pickle=False) as f:
        train, valid = _as_split(f["train_x"], f["train_y"]), _as_split(f["valid_x"], f["valid_y"])
    return Mnist(train, valid, valid, source="sample")


def write_public_sample(path: Path) -> Path:
    """The sample's train and validation splits (raw bytes), for places the grading split must not reach."""
    full = [SAMPLE_DIR / name for name in SAMPLE_MD5]
    images, labels = read_idx(full[0]), read_idx(full[1])
    train, valid, _ = _sample_order(labels)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, train_x=images[train], train_y=labels[train], valid_x=images[valid],
                        valid_y=labels[valid])
    return path


def load_sample() -> Mnist:
    """The bundled official MNIST test set, md5-checked, split 7000 / 1000 / 2000. Where only the public
    part is installed (student processes, the student bundle), the train and validation splits, with the
    validation split standing in for the test split."""
    if not any((SAMPLE_DIR / name).exists() for name in SAMPLE_MD5) and (SAMPLE_DIR / PUBLIC_SAMPLE).exists():
        return _public_sample(SAMPLE_DIR / PUBLIC_SAMPLE)
    for name, md5 in SAMPLE_MD5.items():
        path = SAMPLE_DIR / name
        if not path.exists():
            raise DataError(f"the bundled MNIST sample is missing: {path}")
        if _md5(path) != md5:
            raise DataError(f"the bundled MNIST sample is damaged: md5 of {path} is not {md5}")
    images = read_idx(SAMPLE_DIR / "t10k-images-idx3-ubyte.gz")
    labels = read_idx(SAMPLE_DIR / "t10k-labels-idx1-ubyte.gz")
    pick = lambda idx: _as_split(images[idx], labels[idx])  # noqa: E731
    return Mnist(*(pick(idx) for idx in _sample_order(labels)), source="sample")


def _find_idx(folder: Path, stem: str) -> Path | None:
    for name in (f"{stem}.gz", stem, stem.replace("-idx", ".idx")):
        if (folder / name).exists():
            return folder / name
    return None


def _full_from_idx(folder: Path) -> Mnist | None:
    stems = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte",
             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
    paths = [_find_idx(folder, s) for s in stems]
    if not all(paths):
        return None
    train_x, train_y, test_x, test_y = (read_idx(p) for p in paths)
    return _full_split(train_x, train_y, test_x, test_y, str(folder))


def _full_from_npz(path: Path) -> Mnist | None:
    if not path.exists():
        return None
    with np.load(path, allow_pickle=False) as f:
        return _full_split(f["x_train"], f["y_train"], f["x_test"], f["y_test"], str(path))


def _full_split(train_x, train_y, test_x, test_y, source: str) -> Mnist:
    if len(train_y) != 60000 or len(test_y) != 10000:
        raise DataError(f"{source}: expected 60,000 + 10,000 images, found {len(train_y)} + {len(test_y)}")
    cut = len(train_y) - FULL_VALID
    return Mnist(_as_split(train_x[:cut], train_y[:cut]), _as_split(train_x[cut:], train_y[cut:]),
                 _as_split(test_x, test_y), source=source)


def full_mnist_locations(mnist_dir: str | os.PathLike | None = None) -> list[Path]:
    """Where full MNIST is looked for, in order."""
    places = []
    if mnist_dir:
        places.append(Path(mnist_dir))
    if os.environ.get(MNIST_DIR_ENV):
        places.append(Path(os.environ[MNIST_DIR_ENV]))
    places.append(Path("mldata"))  # the book's folder
    places.append(Path.home() / ".keras" / "datasets" / "mnist.npz")
    return places


def load_full(mnist_dir: str | os.PathLike | None = None) -> Mnist:
    """Full MNIST (55,000 / 5,000 / 10,000) from the first place that has it."""
    places = full_mnist_locations(mnist_dir)
    for place in places:
        found = _full_from_npz(place) if place.suffix == ".npz" else _full_from_idx(place)
        if found is not None:
            return found
    looked = ", ".join(str(p) for p in places)
    raise DataError(f"full MNIST not found; looked in: {looked} "
                    f"(put the four IDX files in a folder and pass --mnist-dir or set {MNIST_DIR_ENV})")


def load_mnist(data: str = "sample", mnist_dir: str | os.PathLike | None = None) -> Mnist:
    """`data` is "sample" (bundled, offline) or "full" (found on this machine)."""
    if data == "sample":
        return load_sample()
    if data == "full":
        return load_full(mnist_dir)
    raise DataError(f'unknown data set {data!r}: use "sample" or "full"')
