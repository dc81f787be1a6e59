"""grader/data.py: the bundled MNIST sample, IDX files, and finding full MNIST on a machine."""
import gzip
import hashlib
import shutil
import struct

import numpy as np
import pytest

from grader import data
from grader.data import DataError, load_full, load_mnist, load_sample, read_idx

N_TRAIN, N_TEST = 60000, 10000


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """No real ./mldata, ~/.keras or MNIST_DIR of this machine can answer for the tests."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv(data.MNIST_DIR_ENV, raising=False)
    return home


@pytest.fixture(scope="module")
def sample():
    return load_sample()


def idx_bytes(array: np.ndarray, type_code: int = 0x08) -> bytes:
    """An IDX file by hand: two zero bytes, the type code, the number of dims, the dims, the data."""
    header = struct.pack(">BBBB", 0, 0, type_code, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.tobytes()


# ---------------------------------------------------------------- the bundled sample

def test_the_bundled_files_have_the_recorded_md5():
    for name, md5 in data.SAMPLE_MD5.items():
        assert hashlib.md5((data.SAMPLE_DIR / name).read_bytes()).hexdigest() == md5, name


def test_sample_splits_are_7000_1000_2000(sample):
    sizes = {name: (len(split), split.X.shape, split.y.shape)
             for name, split in [("train", sample.train), ("valid", sample.valid), ("test", sample.test)]}
    assert sizes == {"train": (7000, (7000, 784), (7000,)),
                     "valid": (1000, (1000, 784), (1000,)),
                     "test": (2000, (2000, 784), (2000,))}
    assert sample.source == "sample"


def test_sample_images_are_float32_in_0_1_and_labels_int64_digits(sample):
    for split in (sample.train, sample.valid, sample.test):
        assert split.X.dtype == np.float32
        assert split.y.dtype == np.int64
        assert split.X.min() == 0.0 and split.X.max() == 1.0  # 0/255 and 255/255
        assert sorted(np.unique(split.y)) == list(range(10)), "every digit in every split"


def test_sample_split_unpacks_like_the_book(sample):
    X_train, y_train = sample.train
    assert X_train is sample.train.X and y_train is sample.train.y


def test_sample_splits_are_disjoint(sample):
    rows = {name: {row.tobytes() for row in split.X}
            for name, split in [("train", sample.train), ("valid", sample.valid), ("test", sample.test)]}
    assert [len(r) for r in rows.values()] == [7000, 1000, 2000], "no image twice within a split"
    assert not rows["train"] & rows["valid"]
    assert not rows["train"] & rows["test"]
    assert not rows["valid"] & rows["test"]


def test_sample_is_the_same_on_every_call(sample):
    again = load_sample()
    for name in ("train", "valid", "test"):
        np.testing.assert_array_equal(getattr(again, name).X, getattr(sample, name).X, err_msg=name)
        np.testing.assert_array_equal(getattr(again, name).y, getattr(sample, name).y, err_msg=name)


def test_damaged_sample_is_refused_with_md5_in_the_message(tmp_path, monkeypatch):
    copy = tmp_path / "mnist"
    copy.mkdir()
    for path in data.SAMPLE_DIR.glob("*.gz"):
        shutil.copy(path, copy / path.name)
    images = copy / "t10k-images-idx3-ubyte.gz"
    raw = bytearray(images.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    images.write_bytes(bytes(raw))
    monkeypatch.setattr(data, "SAMPLE_DIR", copy)
    with pytest.raises(DataError) as error:
        load_sample()
    assert "md5" in str(error.value)
    assert "t10k-images-idx3-ubyte.gz" in str(error.value)


def test_missing_sample_file_is_named(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "SAMPLE_DIR", tmp_path / "nowhere")
    with pytest.raises(DataError, match="missing.*t10k-images-idx3-ubyte.gz"):
        load_sample()


# ---------------------------------------------------------------- read_idx

def test_read_idx_uint8_three_dims(tmp_path):
    path = tmp_path / "images-idx3-ubyte"
    path.write_bytes(struct.pack(">I", 0x00000803) + struct.pack(">3I", 2, 3, 4) + bytes(range(24)))
    array = read_idx(path)
    assert array.shape == (2, 3, 4)
    assert array.dtype == np.uint8
    np.testing.assert_array_equal(array, np.arange(24).reshape(2, 3, 4))


def test_read_idx_labels_gzipped(tmp_path):
    path = tmp_path / "labels-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(struct.pack(">II", 0x00000801, 5) + bytes([7, 0, 9, 3, 3])))
    np.testing.assert_array_equal(read_idx(path), [7, 0, 9, 3, 3])


def test_read_idx_big_endian_int32(tmp_path):
    path = tmp_path / "ints-idx1"
    path.write_bytes(idx_bytes(np.array([1, -2, 70000], dtype=">i4"), type_code=0x0C))
    array = read_idx(path)
    assert array.tolist() == [1, -2, 70000]


@pytest.mark.parametrize("magic", [b"\x01\x00\x08\x01", b"\x00\x00\x07\x01", b"PK\x03\x04", b"\x00"])
def test_read_idx_refuses_a_bad_magic_number(tmp_path, magic):
    path = tmp_path / "bad"
    path.write_bytes(magic + struct.pack(">I", 3) + bytes(3))
    with pytest.raises(DataError, match="not an IDX file"):
        read_idx(path)


def test_read_idx_refuses_truncated_data(tmp_path):
    path = tmp_path / "short"
    path.write_bytes(idx_bytes(np.zeros((2, 3, 4), np.uint8))[:-4])
    with pytest.raises(DataError, match="promises 24 bytes of data, file has 20"):
        read_idx(path)


def test_read_idx_refuses_extra_data(tmp_path):
    path = tmp_path / "long"
    path.write_bytes(idx_bytes(np.zeros(3, np.uint8)) + b"\x00")
    with pytest.raises(DataError, match="promises 3 bytes of data, file has 4"):
        read_idx(path)


def test_read_idx_refuses_a_truncated_header(tmp_path):
    path = tmp_path / "header"
    path.write_bytes(struct.pack(">II", 0x00000803, 2))  # three dims promised, one given
    with pytest.raises(DataError):
        read_idx(path)


def test_read_idx_refuses_a_truncated_gzip(tmp_path):
    path = tmp_path / "cut-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.arange(100, dtype=np.uint8)))[:-12])
    with pytest.raises(DataError):
        read_idx(path)


# ---------------------------------------------------------------- full MNIST

def full_arrays():
    """Synthetic full MNIST: train image i has pixel 0 = i % 251, test images have pixel 1 = 255."""
    train_x = np.zeros((N_TRAIN, 28, 28), np.uint8)
    train_x[:, 0, 0] = np.arange(N_TRAIN) % 251
    test_x = np.zeros((N_TEST, 28, 28), np.uint8)
    test_x[:, 0, 1] = 255
    labels = lambda n: (np.arange(n) % 10).astype(np.uint8)  # noqa: E731
    return train_x, labels(N_TRAIN), test_x, labels(N_TEST)


@pytest.fixture(scope="module")
def idx_folder(tmp_path_factory):
    """The four files as LeCun's site names them; images gzipped, labels not (both are found)."""
    folder = tmp_path_factory.mktemp("full_mnist")
    train_x, train_y, test_x, test_y = full_arrays()
    (folder / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(idx_bytes(train_x), compresslevel=1))
    (folder / "train-labels-idx1-ubyte").write_bytes(idx_bytes(train_y))
    (folder / "t10k-images-idx3-ubyte.gz").write_bytes(gzip.compress(idx_bytes(test_x), compresslevel=1))
    (folder / "t10k-labels-idx1-ubyte").write_bytes(idx_bytes(test_y))
    return folder


def assert_book_split(mnist):
    """55,000 / 5,000 / 10,000: the validation set is the last 5,000 training images, in order."""
    assert (len(mnist.train), len(mnist.valid), len(mnist.test)) == (55000, 5000, 10000)
    assert mnist.train.X.shape == (55000, 784) and mnist.train.X.dtype == np.float32
    assert mnist.test.y.dtype == np.int64
    np.testing.assert_array_equal(np.rint(mnist.train.X[:, 0] * 255), np.arange(55000) % 251)
    np.testing.assert_array_equal(np.rint(mnist.valid.X[:, 0] * 255), np.arange(55000, 60000) % 251)
    np.testing.assert_array_equal(mnist.valid.y, np.arange(55000, 60000) % 10)
    assert (mnist.test.X[:, 1] == 1.0).all() and (mnist.train.X[:, 1] == 0.0).all()


def test_full_from_the_mnist_dir_argument(idx_folder):
    mnist = load_full(idx_folder)
    assert_book_split(mnist)
    assert mnist.source == str(idx_folder)


def test_full_from_the_mnist_dir_env_var(idx_folder, monkeypatch):
    monkeypatch.setenv("MNIST_DIR", str(idx_folder))
    mnist = load_mnist("full")
    assert_book_split(mnist)
    assert mnist.source == str(idx_folder)


def test_full_from_the_books_mldata_folder(idx_folder, tmp_path):
    shutil.copytree(idx_folder, tmp_path / "mldata")  # tmp_path is the working directory
    mnist = load_full()
    assert mnist.source == "mldata"
    assert len(mnist.train) == 55000


def test_full_from_keras_mnist_npz(isolated):
    datasets = isolated / ".keras" / "datasets"
    datasets.mkdir(parents=True)
    train_x, train_y, test_x, test_y = full_arrays()
    np.savez_compressed(datasets / "mnist.npz", x_train=train_x, y_train=train_y, x_test=test_x, y_test=test_y)
    mnist = load_full()
    assert_book_split(mnist)
    assert mnist.source == str(datasets / "mnist.npz")


def test_the_argument_comes_before_the_env_var(idx_folder, tmp_path, monkeypatch):
    monkeypatch.setenv("MNIST_DIR", str(tmp_path / "elsewhere"))
    assert load_full(idx_folder).source == str(idx_folder)


def test_wrong_number_of_images_is_a_data_error(tmp_path):
    folder = tmp_path / "small"
    folder.mkdir()
    for stem, n in [("train-images-idx3-ubyte", 100), ("train-labels-idx1-ubyte", 100),
                    ("t10k-images-idx3-ubyte", 10), ("t10k-labels-idx1-ubyte", 10)]:
        shape = (n, 28, 28) if "images" in stem else (n,)
        (folder / stem).write_bytes(idx_bytes(np.zeros(shape, np.uint8)))
    with pytest.raises(DataError, match="expected 60,000 \\+ 10,000 images, found 100 \\+ 10"):
        load_full(folder)


def test_nothing_found_names_every_place_in_one_line(tmp_path, isolated, monkeypatch):
    given = tmp_path / "my_mnist"
    given.mkdir()
    (given / "train-images-idx3-ubyte.gz").write_bytes(b"")  # one file of four is not full MNIST
    monkeypatch.setenv("MNIST_DIR", str(tmp_path / "from_env"))
    with pytest.raises(DataError) as error:
        load_full(given)
    message = str(error.value)
    assert "\n" not in message
    for place in (str(given), str(tmp_path / "from_env"), "mldata",
                  str(isolated / ".keras" / "datasets" / "mnist.npz")):
        assert place in message, f"{place!r} missing from: {message}"
    assert "--mnist-dir" in message and "MNIST_DIR" in message


def test_load_mnist_sample_and_unknown_name():
    assert load_mnist("sample").source == "sample"
    with pytest.raises(DataError, match="unknown data set 'bogus'"):
        load_mnist("bogus")
