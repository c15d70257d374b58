"""Tests for snippets.fashion_mnist: offline search, no writes, real files."""

import gzip
import math
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
import requests
from mxnet import gluon, nd

from snippets import fashion_mnist as fm

NUM_FAKE = {True: 3, False: 2}


def write_idx(path, array):
    """Write array as a gzipped IDX file of unsigned bytes."""
    header = bytes([0, 0, 8, array.ndim])
    header += np.array(array.shape, ">u4").tobytes()
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def make_fake_root(folder, label=0):
    """Create folder with tiny Fashion-MNIST files whose labels are label."""
    folder.mkdir(parents=True)
    for train, n in NUM_FAKE.items():
        images, labels = fm.file_names(train)
        write_idx(folder / images, np.full((n, 28, 28), 255))
        write_idx(folder / labels, np.full(n, label))
    return folder


def files_under(folder):
    """Every file below folder, as sorted relative paths."""
    return sorted(
        os.path.relpath(os.path.join(d, f), folder)
        for d, _, names in os.walk(folder)
        for f in names
    )


def refuse_download():
    """Stand-in for the Gluon download that fails the test if called."""
    pytest.fail("find_root downloaded although a folder had the files")


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """Point the env var, Gluon's cache and Debian's folder into tmp_path."""
    monkeypatch.delenv(fm.ROOT_ENV, raising=False)
    monkeypatch.setenv("MXNET_HOME", str(tmp_path / "mxnet"))
    monkeypatch.setattr(fm, "DEBIAN_ROOT", str(tmp_path / "debian"))
    return tmp_path


@pytest.fixture
def no_download(monkeypatch):
    """Make any call of the Gluon download fail the test."""
    monkeypatch.setattr(fm, "download_to_gluon_cache", refuse_download)


@pytest.fixture(scope="module")
def debian_test_split():
    """The real Fashion-MNIST test split, read from Debian's folder."""
    return fm.read_fashion_mnist(train=False, root=fm.DEBIAN_ROOT)


def test_gluon_cache_root_follows_mxnet_home(isolated):
    """Gluon's cache is $MXNET_HOME/datasets/fashion-mnist, as Gluon uses."""
    expected = isolated / "mxnet" / "datasets" / "fashion-mnist"
    assert fm.gluon_cache_root() == str(expected)


def test_search_order_is_root_env_gluon_debian(isolated, monkeypatch):
    """root= wins over the env var, which wins over Gluon's, then Debian."""
    monkeypatch.setenv(fm.ROOT_ENV, str(isolated / "env"))
    assert fm.candidate_roots(str(isolated / "arg")) == [
        str(isolated / "arg"),
        fm.gluon_cache_root(),
        fm.DEBIAN_ROOT,
    ]
    assert fm.candidate_roots()[0] == str(isolated / "env")
    monkeypatch.delenv(fm.ROOT_ENV)
    assert fm.candidate_roots() == [fm.gluon_cache_root(), fm.DEBIAN_ROOT]


@pytest.mark.usefixtures("no_download")
def test_find_root_takes_the_first_complete_folder(isolated, monkeypatch):
    """Each folder is used when all folders before it lack the files."""
    make_fake_root(isolated / "debian")
    assert fm.find_root() == fm.DEBIAN_ROOT
    make_fake_root(isolated / "mxnet" / "datasets" / "fashion-mnist")
    assert fm.find_root() == fm.gluon_cache_root()
    make_fake_root(isolated / "env")
    monkeypatch.setenv(fm.ROOT_ENV, str(isolated / "env"))
    assert fm.find_root() == str(isolated / "env")
    make_fake_root(isolated / "arg")
    assert fm.find_root(str(isolated / "arg")) == str(isolated / "arg")


@pytest.mark.usefixtures("no_download")
def test_incomplete_folder_is_skipped(isolated):
    """A folder missing one of the four files does not count."""
    partial = make_fake_root(isolated / "partial")
    (partial / fm.file_names(train=False)[1]).unlink()
    make_fake_root(isolated / "debian")
    assert fm.find_root(str(partial)) == fm.DEBIAN_ROOT


@pytest.mark.usefixtures("no_download")
def test_reads_the_folder_it_finds(isolated):
    """Data comes from the chosen folder, with the documented layout."""
    make_fake_root(isolated / "debian", label=7)
    X, y = fm.read_fashion_mnist(train=True)
    assert X.shape == (NUM_FAKE[True], 28, 28, 1)
    assert (X.dtype, y.dtype) == (np.uint8, np.int32)
    assert y.asnumpy().tolist() == [7] * NUM_FAKE[True]


def test_download_goes_into_gluon_cache_only(isolated, monkeypatch):
    """With no files anywhere, Gluon's FashionMNIST gets Gluon's cache."""
    roots = []

    def fake_fashion_mnist(root, train):
        roots.append(root)
        if not os.path.isdir(root):
            make_fake_root(Path(root))

    monkeypatch.setattr(gluon.data.vision, "FashionMNIST", fake_fashion_mnist)
    assert fm.find_root(str(isolated / "empty")) == fm.gluon_cache_root()
    assert roots == [fm.gluon_cache_root()] * 2


def test_offline_raises_one_error_and_writes_no_file(isolated, monkeypatch):
    """Offline and without files: one clear error naming all three fixes."""
    for name in ("arg", "env", "debian"):
        (isolated / name).mkdir()
    monkeypatch.setenv(fm.ROOT_ENV, str(isolated / "env"))

    def offline(*args, **kwargs):
        raise requests.ConnectionError("no network in this test")

    monkeypatch.setattr(requests, "get", offline)
    with pytest.raises(fm.FashionMNISTNotFoundError) as excinfo:
        fm.load_data_fashion_mnist(256, root=str(isolated / "arg"))
    message = str(excinfo.value)
    assert "apt-get install dataset-fashion-mnist" in message
    assert fm.ROOT_ENV in message
    assert "root=" in message
    assert "internet" in message
    assert str(isolated / "arg") in message
    assert isinstance(excinfo.value.__cause__, requests.ConnectionError)
    assert files_under(isolated) == []


def test_debian_files_are_left_untouched():
    """Loading from Debian's folder never rewrites its files."""
    names = sorted(os.listdir(fm.DEBIAN_ROOT))
    paths = [os.path.join(fm.DEBIAN_ROOT, name) for name in names]
    before = [os.stat(path).st_mtime_ns for path in paths]
    fm.load_fashion_mnist(train=False, root=fm.DEBIAN_ROOT)
    assert sorted(os.listdir(fm.DEBIAN_ROOT)) == names
    assert [os.stat(path).st_mtime_ns for path in paths] == before


def test_read_idx_rejects_other_files(tmp_path):
    """A gzip file without the IDX uint8 magic number is refused."""
    path = tmp_path / "not-idx.gz"
    with gzip.open(path, "wb") as f:
        f.write(b"\x00\x00\x0d\x01\x00\x00\x00\x01abcd")
    with pytest.raises(ValueError, match="not an IDX file"):
        fm.read_idx(path)


@pytest.mark.parametrize(("train", "n"), [(True, 60000), (False, 10000)])
def test_real_debian_files(train, n):
    """Debian's files hold n images of 28x28 and n labels 0..9, balanced."""
    X, y = fm.read_fashion_mnist(train=train, root=fm.DEBIAN_ROOT)
    assert X.shape == (n, 28, 28, 1)
    assert y.shape == (n,)
    counts = np.bincount(y.asnumpy(), minlength=10)
    assert counts.tolist() == [n // 10] * 10


def test_transform_scales_pixels_and_keeps_labels(debian_test_split):
    """Pixels become float32 in [0, 1] with 255 -> 1; labels stay int32."""
    X, y = fm.transform(*debian_test_split)
    assert (X.dtype, y.dtype) == (np.float32, np.int32)
    assert X.min().asscalar() == 0
    assert X.max().asscalar() == 1
    np.testing.assert_allclose(
        X[:5].asnumpy() * 255, debian_test_split[0][:5].asnumpy(), atol=1e-4
    )


def test_transform_per_example_equals_whole_array(debian_test_split):
    """transform works per example (as Gluon calls it) and on whole arrays."""
    X, y = debian_test_split
    lazy = gluon.data.ArrayDataset(X[:4], y[:4]).transform(fm.transform)
    X_all, y_all = fm.transform(X[:4], y[:4])
    for i in range(4):
        image, label = lazy[i]
        np.testing.assert_array_equal(image.asnumpy(), X_all[i].asnumpy())
        assert label == y_all[i].asscalar()


@pytest.mark.parametrize(
    "labels", [[0, 9, 5], np.array([0, 9, 5]), nd.array([0, 9, 5])]
)
def test_get_text_labels(labels):
    """Labels of any container map to the Fashion-MNIST class names."""
    assert fm.get_text_labels(labels) == ["t-shirt", "ankle boot", "sandal"]


def test_load_data_fashion_mnist_batches():
    """DataLoaders give float images, int labels, ceil(n / 256) batches."""
    train_iter, test_iter = fm.load_data_fashion_mnist(256)
    assert len(train_iter) == math.ceil(60000 / 256)
    assert len(test_iter) == math.ceil(10000 / 256)
    X, y = next(iter(train_iter))
    assert X.shape == (256, 28, 28, 1)
    assert (X.dtype, y.dtype) == (np.float32, np.int32)
    assert y.shape == (256,)
    assert 0 <= X.min().asscalar() < X.max().asscalar() <= 1


def test_load_data_keeps_uint8_and_transforms_each_batch():
    """The datasets hold the uint8 images; a batch is their transform."""
    train_iter, test_iter = fm.load_data_fashion_mnist(256)
    images, labels = fm.read_fashion_mnist(train=False)
    assert all(
        np.dtype(loader._dataset._data[0].dtype) == np.uint8
        for loader in (train_iter, test_iter)
    )
    X, y = next(iter(test_iter))  # not shuffled: the first 256 examples
    expected, _ = fm.transform(images[:256], labels[:256])
    np.testing.assert_array_equal(X.asnumpy(), expected.asnumpy())
    np.testing.assert_array_equal(y.asnumpy(), labels[:256].asnumpy())


def test_transform_batch_stacks_then_transforms(debian_test_split):
    """transform_batch gives what transform gives on the stacked batch."""
    X, y = debian_test_split
    dataset = gluon.data.ArrayDataset(X, y)  # as DataLoader reads it
    examples = [dataset[i] for i in range(5)]
    batch, labels = fm.transform_batch(examples)
    expected, _ = fm.transform(X[:5], y[:5])
    assert batch.shape == (5, 28, 28, 1)
    np.testing.assert_array_equal(batch.asnumpy(), expected.asnumpy())
    assert labels.asnumpy().tolist() == y[:5].asnumpy().tolist()


def test_show_fashion_mnist_draws_one_image_per_class():
    """The demo reports the sizes and draws the ten classes, in order."""
    plt.close("all")
    assert fm.show_fashion_mnist() == {
        "num_train": 60000,
        "num_test": 10000,
        "train_per_class": 6000,
        "test_per_class": 1000,
    }
    titles = [ax.get_title() for ax in plt.gcf().axes if ax.images]
    assert titles == list(fm.TEXT_LABELS)
    plt.close("all")


def test_first_of_each_class(debian_test_split):
    """Each index is the first example carrying its class."""
    labels = debian_test_split[1].asnumpy()
    first = fm.first_of_each_class(debian_test_split[1])
    assert [labels[i] for i in first] == list(range(10))
    assert all((labels[:i] != c).all() for c, i in enumerate(first))


def test_to_tensor_gives_chw_and_batches_nchw():
    """ToTensor turns (28, 28, 1) uint8 into (1, 28, 28) float32 in [0, 1]."""
    plt.close("all")
    result = fm.show_to_tensor()
    assert result == {
        "example_shape": "(1, 28, 28)",
        "batch_shape": "(256, 1, 28, 28)",
    }
    image, label = fm.to_tensor_dataset(train=False)[0]
    assert image.dtype == np.float32
    assert 0 <= image.min().asscalar() <= image.max().asscalar() <= 1
    assert label == fm.read_fashion_mnist(train=False)[1][0].asscalar()


def test_to_tensor_pixels_equal_transform():
    """ToTensor's pixels are transform's, moved from HWC to CHW."""
    assert fm.show_to_tensor_pixels() == {"num_examples": 100, "max_diff": 0}


def test_show_transform_timing_measures_three_paths():
    """The three paths run on 5,000 images; the ratios are of real times."""
    result = fm.show_transform_timing()
    assert (result["num_examples"], result["repeat"]) == (5000, 3)
    assert result["ratio"] > 0
    assert result["batch_ratio"] > 0


def test_transform_batches_covers_every_example_in_order(monkeypatch):
    """transform_batches hands each batch of 2, and the short last one."""
    calls = []
    monkeypatch.setattr(fm, "transform", lambda X, y: calls.append(y))
    fm.transform_batches(nd.zeros((5, 28, 28, 1)), nd.arange(5), 2)
    assert [y.asnumpy().tolist() for y in calls] == [[0, 1], [2, 3], [4]]


def test_transform_each_calls_transform_once_per_example(monkeypatch):
    """transform_each hands every example, and only it, to transform."""
    calls = []
    monkeypatch.setattr(fm, "transform", lambda X, y: calls.append(y))
    fm.transform_each(nd.zeros((3, 28, 28, 1)), nd.array([4, 5, 6]))
    assert [y.asscalar() for y in calls] == [4, 5, 6]


def test_show_memory():
    """60,000 images of 28 x 28 bytes are about 44.9 MiB, 4 times as float."""
    mib = fm.show_memory()
    assert mib["uint8"] == pytest.approx(60000 * 784 / 2**20)
    assert mib["float32"] == pytest.approx(4 * mib["uint8"])


def test_seconds_waits_for_the_work():
    """seconds() times a call and returns a positive float."""
    assert fm.seconds(fm.exhaust, iter(range(3))) > 0


def test_best_of_takes_the_shortest_run():
    """best_of() times the function repeat times and keeps the minimum."""
    times = iter([0.3, 0.1, 0.2])
    assert fm.best_of(3, lambda function: next(times), print) == 0.1


def test_cpu_seconds_reads_the_process_clock_after_mxnet_is_done(
    monkeypatch,
):
    """cpu_seconds() is the process clock (all threads, no sleeping) read
    around the call and MXNet's wait for its queued work."""
    readings = iter([10.0, 10.25])
    calls = []
    monkeypatch.setattr(fm.time, "process_time", lambda: next(readings))
    monkeypatch.setattr(fm.nd, "waitall", lambda: calls.append("waitall"))
    assert fm.cpu_seconds(calls.append, "work") == 0.25
    assert calls == ["work", "waitall"]


def test_plot_images_fills_a_grid_row_by_row(debian_test_split):
    """Five images in two rows: a 2x3 grid, the last cell left empty."""
    X, y = debian_test_split
    fig = fm.plot_images(X[:5], fm.get_text_labels(y[:5]))
    assert len(fig.axes) == 6
    assert [len(ax.images) for ax in fig.axes] == [1] * 5 + [0]
    assert fig.axes[0].get_title() == fm.get_text_labels(y[:1])[0]
    plt.close(fig)
