"""Tests for snippets.images: PNG folder, RecordIO round trip, mx.image."""

import os

import matplotlib.pyplot as plt
import mxnet as mx
import numpy as np
import pytest
from mxnet import gluon, image, nd, recordio

from snippets import images
from snippets.fashion_mnist import TEXT_LABELS, read_fashion_mnist


@pytest.fixture(scope="module")
def folder():
    """A temporary tree of 5 train and 2 test PNG images per class."""
    with images.fashion_mnist_folder(5, 2) as root:
        yield root


@pytest.fixture(scope="module")
def train_set(folder):
    """The training tree read by ImageFolderDataset, grayscale."""
    return gluon.data.vision.ImageFolderDataset(f"{folder}/train", flag=0)


def test_first_per_class_picks_in_order():
    """The first n indices of each class, sorted."""
    y = nd.array([3, 1, 3, 0, 1, 3, 0])
    picks = images.first_per_class(y, 2).asnumpy().tolist()
    assert picks == [0, 1, 2, 3, 4, 6]


def test_folder_has_one_subfolder_per_class(folder):
    """train/ has ten class folders of 5 PNG files; test/ has 2 each."""
    for split, count in (("train", 5), ("test", 2)):
        classes = sorted(os.listdir(f"{folder}/{split}"))
        assert classes == sorted(TEXT_LABELS)
        for name in classes:
            files = os.listdir(f"{folder}/{split}/{name}")
            assert len(files) == count
            assert all(file.endswith(".png") for file in files)


def test_image_folder_dataset_gives_the_original_pixels(train_set):
    """PNG is lossless: image NNNNN.png is the NNNNN-th exported array."""
    X, y = read_fashion_mnist(train=True)
    keep = images.first_per_class(y, 5)
    X, y = X.take(keep).asnumpy(), y.take(keep).asnumpy()
    assert train_set.synsets == sorted(TEXT_LABELS)
    assert len(train_set) == 50
    for index, (path, label) in enumerate(train_set.items):
        exported = int(os.path.basename(path)[:-4])
        assert train_set.synsets[label] == TEXT_LABELS[y[exported]]
        pixels, _ = train_set[index]
        assert pixels.dtype == np.uint8
        np.testing.assert_array_equal(pixels.asnumpy(), X[exported])


def test_recordio_round_trip_is_byte_exact(train_set, tmp_path):
    """Each record holds the PNG file's bytes and its label, unchanged."""
    rec_path = images.pack_recordio(train_set, str(tmp_path / "train"))
    assert rec_path.endswith("train.rec")
    reader = recordio.MXIndexedRecordIO(
        str(tmp_path / "train.idx"), rec_path, "r"
    )
    assert sorted(reader.keys) == list(range(len(train_set)))
    for i, (path, label) in enumerate(train_set.items):
        header, png = recordio.unpack(reader.read_idx(i))
        with open(path, "rb") as f:
            assert png == f.read()
        assert (header.label, header.id) == (label, i)
    reader.close()


def test_image_record_dataset_reads_the_same_images(train_set, tmp_path):
    """ImageRecordDataset and ImageRecordIter decode the folder's pixels."""
    rec_path = images.pack_recordio(train_set, str(tmp_path / "train"))
    records = gluon.data.vision.ImageRecordDataset(rec_path, flag=0)
    X, y = images.to_arrays(train_set)
    X_rec, y_rec = images.to_arrays(records)
    assert X.shape == (50, 1, 28, 28)
    assert (X_rec == X).min().asscalar() == 1
    assert y_rec.asnumpy().tolist() == y.asnumpy().tolist()
    batches = mx.io.ImageRecordIter(
        path_imgrec=rec_path,
        data_shape=(1, 28, 28),
        batch_size=50,
        verbose=False,
    )
    batch = next(iter(batches))
    np.testing.assert_array_equal(batch.data[0].asnumpy(), X.asnumpy() * 255)


def test_to_arrays_is_to_tensor(train_set):
    """Decoded once: (N, 1, 28, 28) float32 in [0, 1], int32 labels."""
    X, y = images.to_arrays(train_set)
    first, label = train_set[0]
    assert X.dtype == np.float32
    assert y.dtype == np.int32
    np.testing.assert_allclose(
        X[0, 0].asnumpy(), first[:, :, 0].asnumpy() / 255, rtol=1e-6
    )
    assert y[0].asscalar() == label


def test_augmenters_keep_the_shape_and_do_what_they_say():
    """Flip mirrors columns; crops keep 28 x 28; brightness scales."""
    X = nd.arange(28 * 28).reshape((28, 28, 1)).astype("float32")
    np.testing.assert_array_equal(
        image.HorizontalFlipAug(1)(X.copy()).asnumpy(), X.asnumpy()[:, ::-1]
    )
    for name, aug in images.augmenters().items():
        assert aug(X.copy()).shape == (28, 28, 1), name
    ratio = images.augmenters()["brightness"](X.copy()) / (X + 1e-9)
    ratios = ratio.asnumpy()[1:]  # pixel 0 is 0
    assert np.ptp(ratios) < 1e-4
    assert 0.5 <= ratios.mean() <= 1.5


def test_augmentation_figure_has_a_row_per_augmenter():
    """Four augmenters, six columns: the original and five draws."""
    result = images.show_augmentations()
    assert result == {"augmenters": 4}
    assert len(plt.gcf().axes) == 4 * 6


def test_image_api_demo_decodes_a_png():
    """The demo decodes and re-reads one PNG file of a few hundred bytes."""
    assert 100 < images.show_image_api()["png_bytes"] < 2000


def test_png_bytes_round_trip():
    """Pillow's PNG bytes decode, with mx.image, to the same pixels."""
    X, _ = read_fashion_mnist(train=False)
    png = images.png_bytes(X[0].asnumpy())
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    decoded = image.imdecode(png, flag=0)
    np.testing.assert_array_equal(decoded.asnumpy(), X[0].asnumpy())


def test_pack_arrays_exercise():
    """Arrays packed as PNG records come back identical."""
    assert images.show_pack_arrays() == {"same": True}


def test_synset_label_of_t_shirt():
    """Folders are sorted by name: t-shirt gets 8, not Fashion-MNIST's 0."""
    result = images.show_synset_labels()
    assert result == {"t_shirt": sorted(TEXT_LABELS).index("t-shirt")}
    assert result["t_shirt"] == 8


@pytest.mark.parametrize("name", ["brightness", "contrast"])
def test_color_jitter_changes_its_input_in_place(name):
    """Brightness and contrast augmenters write into their input: copy it."""
    X = nd.arange(28 * 28).reshape((28, 28, 1))
    before = X.copy()
    out = images.augmenters()[name](X)
    assert (out == X).min().asscalar() == 1
    assert (before != X).sum().asscalar() > 0


def test_pack_img_needs_cv2_which_is_not_installed():
    """recordio.pack_img asserts cv2; this environment has none."""
    assert recordio.cv2 is None
    header = recordio.IRHeader(0, 1.0, 0, 0)
    with pytest.raises(AssertionError):
        recordio.pack_img(header, np.zeros((28, 28), dtype=np.uint8))
