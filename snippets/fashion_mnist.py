"""Fashion-MNIST: find the files offline, read them, batch and draw them."""

import gzip
import math
import os
import time

import matplotlib.pyplot as plt
import numpy as np
from mxnet import base, gluon, nd
from mxnet.gluon.data.dataloader import default_batchify_fn
from mxnet.gluon.data.vision import transforms

ROOT_ENV = "FASHION_MNIST_ROOT"
DEBIAN_ROOT = "/usr/share/datasets/fashion-mnist"
TEXT_LABELS = (
    "t-shirt", "trouser", "pullover", "dress", "coat",
    "sandal", "shirt", "sneaker", "bag", "ankle boot",
)  # fmt: skip


class FashionMNISTNotFoundError(FileNotFoundError):
    """No folder holds the Fashion-MNIST files and Gluon cannot download."""


def transform(data, label):
    """Scale pixels to float32 in [0, 1]; keep the integer class labels."""
    data = data.astype("float32")
    data /= 255  # in place: `/ 255` would make a second float32 copy
    return data, label


def split_validation(X, y, num_valid):
    """Hold out the last num_valid examples: (train, valid), each (X, y).

    Choices (epochs, learning rate, decay, dropout) are made on the
    validation part; the test set only reports the chosen model.
    """
    cut = len(X) - num_valid
    return (X[:cut], y[:cut]), (X[cut:], y[cut:])


def transform_batch(examples):
    """Stack (image, label) examples into a batch; transform it in one call."""
    return transform(*default_batchify_fn(examples))


def get_text_labels(labels):
    """Class names of numeric labels (a list, a numpy array or an NDArray)."""
    if isinstance(labels, nd.NDArray):
        labels = labels.asnumpy()
    return [TEXT_LABELS[int(i)] for i in labels]


def file_names(train):
    """Names of the images file and the labels file of one split."""
    split = "train" if train else "t10k"
    return f"{split}-images-idx3-ubyte.gz", f"{split}-labels-idx1-ubyte.gz"


def gluon_cache_root():
    """The folder where gluon.data.vision.FashionMNIST keeps its files."""
    return os.path.join(base.data_dir(), "datasets", "fashion-mnist")


def candidate_roots(root=None):
    """Folders to search: root or $FASHION_MNIST_ROOT, Gluon's, Debian's."""
    first = root or os.environ.get(ROOT_ENV)
    return [*([first] if first else []), gluon_cache_root(), DEBIAN_ROOT]


def has_fashion_mnist(folder):
    """Whether folder holds all four Fashion-MNIST .gz files."""
    names = file_names(train=True) + file_names(train=False)
    return all(os.path.isfile(os.path.join(folder, name)) for name in names)


def download_to_gluon_cache():
    """Let Gluon download both splits into its own cache folder."""
    folder = gluon_cache_root()
    for train in (True, False):
        gluon.data.vision.FashionMNIST(root=folder, train=train)
    return folder


def not_found_message(folders):
    """The error text: where we looked and the three ways to fix it."""
    searched = "".join(f"\n  - {folder}" for folder in folders)
    return (
        f"Fashion-MNIST not found. Searched:{searched}\n"
        "and Gluon could not download it. Fix it in one of three ways:\n"
        "  1. Debian: apt-get install dataset-fashion-mnist\n"
        f"  2. set {ROOT_ENV} to a folder with the four .gz files, "
        "or pass root=\n"
        "  3. connect to the internet so Gluon can download the files into "
        f"{gluon_cache_root()}"
    )


def find_root(root=None):
    """First folder holding Fashion-MNIST; a Gluon download is the last try."""
    folders = candidate_roots(root)
    for folder in folders:
        if has_fashion_mnist(folder):
            return folder
    try:
        return download_to_gluon_cache()
    except (OSError, RuntimeError, UserWarning) as error:
        message = not_found_message(folders)
        raise FashionMNISTNotFoundError(message) from error


def read_idx(path):
    """Read a gzipped IDX file (the MNIST format) into a uint8 numpy array."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    if raw[:3] != b"\x00\x00\x08":  # magic: 0, 0, type 8 (uint8), ndim
        raise ValueError(f"{path} is not an IDX file of unsigned bytes")
    ndim = raw[3]
    shape = np.frombuffer(raw, ">u4", count=ndim, offset=4)
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(shape)


def read_fashion_mnist(train=True, root=None):
    """Images (n, 28, 28, 1) uint8 and labels (n,) int32, as NDArrays."""
    folder = find_root(root)
    paths = [os.path.join(folder, name) for name in file_names(train)]
    images, labels = (read_idx(path) for path in paths)
    X = nd.array(images[..., np.newaxis], dtype="uint8")
    return X, nd.array(labels, dtype="int32")


def load_fashion_mnist(train=True, root=None):
    """One split of Fashion-MNIST, transformed, as a gluon ArrayDataset."""
    X, y = transform(*read_fashion_mnist(train, root))
    return gluon.data.ArrayDataset(X, y)


def to_tensor_dataset(train=True, root=None):
    """One split the usual Gluon way: ToTensor() on each image, lazily."""
    dataset = gluon.data.ArrayDataset(*read_fashion_mnist(train, root))
    return dataset.transform_first(transforms.ToTensor())


def load_data_fashion_mnist(batch_size, root=None):
    """DataLoaders over the training set (shuffled) and the test set. The
    images stay uint8; each batch is transformed as a whole."""
    loaders = []
    for train in (True, False):
        dataset = gluon.data.ArrayDataset(*read_fashion_mnist(train, root))
        loaders.append(
            gluon.data.DataLoader(
                dataset, batch_size, shuffle=train, batchify_fn=transform_batch
            )
        )
    return tuple(loaders)


def plot_images(images, titles, num_rows=2):
    """Draw images of shape (n, 28, 28, 1) in a grid, each with a title."""
    num_cols = math.ceil(len(images) / num_rows)
    fig, axes = plt.subplots(
        num_rows, num_cols, figsize=(1.5 * num_cols, 1.8 * num_rows)
    )
    for ax, image, title in zip(axes.flat, images, titles, strict=False):
        ax.imshow(image.reshape((28, 28)).asnumpy(), cmap="gray")
        ax.set_title(title, fontsize=9)
    for ax in axes.flat:
        ax.axis("off")
    fig.tight_layout()
    return fig


def first_of_each_class(y):
    """Index of the first example of each class 0..9, in class order."""
    labels = y.asnumpy()
    return [int(np.argmax(labels == c)) for c in range(len(TEXT_LABELS))]


def show_fashion_mnist():
    """Print sizes and types of both splits; draw one image of each class."""
    X, y = read_fashion_mnist(train=True)
    _, y_test = read_fashion_mnist(train=False)
    counts = [np.bincount(labels.asnumpy()) for labels in (y, y_test)]
    print("found in:", find_root())
    print("examples: train", len(X), " test", len(y_test))
    print("per class: train", set(counts[0]), " test", set(counts[1]))
    print("stored:", X[0].shape, np.dtype(X.dtype).name, " label:", y.dtype)
    image, _ = transform(X[0], y[0])
    print("transformed:", image.shape, np.dtype(image.dtype).name)
    low, high = (transform(v, None)[0].asscalar() for v in (X.min(), X.max()))
    print("pixels in", [low, high])
    first = nd.array(first_of_each_class(y))
    plot_images(X.take(first), get_text_labels(y.take(first)))
    return {
        "num_train": len(X),
        "num_test": len(y_test),
        "train_per_class": int(counts[0].min()),
        "test_per_class": int(counts[1].min()),
    }


def exhaust(batches):
    """Take every batch once, as a training epoch would, and drop it."""
    for _ in batches:
        pass


def seconds(function, *args):
    """Wall time of function(*args), waiting for MXNet to finish."""
    start = time.perf_counter()
    function(*args)
    nd.waitall()
    return time.perf_counter() - start


def cpu_seconds(function, *args):
    """Processor time of function(*args) in all threads, waiting for MXNet."""
    start = time.process_time()
    function(*args)
    nd.waitall()
    return time.process_time() - start


def best_of(repeat, timer, function, *args):
    """The shortest of repeat timings of function(*args) by timer."""
    return min(timer(function, *args) for _ in range(repeat))


def transform_each(X, y):
    """Call transform on every example on its own, as a lazy dataset does."""
    for i in range(len(X)):
        transform(X[i], y[i])


def transform_batches(X, y, batch_size=256):
    """Call transform on each batch of batch_size examples, in order."""
    for i in range(0, len(X), batch_size):
        transform(X[i : i + batch_size], y[i : i + batch_size])


def show_transform_timing():
    """The transform per example, per batch of 256 and on the whole array."""
    num_examples, repeat = 5000, 3
    X, y = (a[:num_examples] for a in read_fashion_mnist(train=True))
    ways = {
        "per example": transform_each,
        "per batch": transform_batches,
        "once": transform,
    }
    times = {}
    for name, function in ways.items():
        wall = best_of(repeat, seconds, function, X, y)
        times[name] = best_of(repeat, cpu_seconds, function, X, y)
        print(f"transform {name:<12} {times[name]:.4f} s processor,", end="")
        print(f" {wall:.4f} s wall")
    ratio = times["per example"] / times["once"]
    batch_ratio = times["per batch"] / times["once"]
    print(f"{num_examples} images, best of {repeat} runs; ratio {ratio:.0f}")
    return {
        "num_examples": num_examples,
        "repeat": repeat,
        "ratio": ratio,
        "batch_ratio": batch_ratio,
    }


def show_to_tensor():
    """The layout ToTensor() gives: the stored images, one example, a batch."""
    X, _ = read_fashion_mnist(train=False)
    dataset = to_tensor_dataset(train=False)
    image, _ = dataset[0]
    batch, labels = next(iter(gluon.data.DataLoader(dataset, 256)))
    print("stored images: ", X.shape, np.dtype(X.dtype).name)
    print("one example:   ", image.shape, np.dtype(image.dtype).name)
    print("one batch:     ", batch.shape, " labels:", labels.shape)
    print("pixels in", [batch.min().asscalar(), batch.max().asscalar()])
    return {"example_shape": str(image.shape), "batch_shape": str(batch.shape)}


def show_to_tensor_pixels():
    """ToTensor() and transform give the same pixels, in another order."""
    num_examples = 100
    X, y = read_fashion_mnist(train=False)
    ours = transform(X[:num_examples], y[:num_examples])[0]
    ours = ours.transpose((0, 3, 1, 2))  # NHWC -> NCHW
    dataset = to_tensor_dataset(train=False)
    theirs = nd.stack(*[dataset[i][0] for i in range(num_examples)])
    diff = nd.abs(ours - theirs).max().asscalar().item()
    print("shapes:", ours.shape, theirs.shape, " max |difference|:", diff)
    return {"num_examples": num_examples, "max_diff": diff}


def show_memory():
    """Bytes of the training images as uint8 and after transform."""
    X, _ = read_fashion_mnist(train=True)
    mib = {"uint8": X.size / 2**20, "float32": X.size * 4 / 2**20}
    for dtype, size in mib.items():
        print(f"{X.shape} as {dtype:<7}: {size:6.1f} MiB")
    return mib
