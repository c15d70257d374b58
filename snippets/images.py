"""Your own images: a PNG folder, mx.image, RecordIO, and LeNet on them."""

import contextlib
import io
import os
import tempfile
import time

import matplotlib.pyplot as plt
import mxnet as mx
import numpy as np
from mxnet import gluon, image, nd, recordio
from PIL import Image

from snippets.fashion_mnist import TEXT_LABELS, read_fashion_mnist
from snippets.lenet import train_lenet
from snippets.mlp import ArrayLoader
from snippets.training import plot_history


def first_per_class(y, num_per_class):
    """Indices of the first num_per_class examples of every class."""
    labels = y.asnumpy()
    picked = [np.flatnonzero(labels == c)[:num_per_class] for c in range(10)]
    return nd.array(np.sort(np.concatenate(picked)))


def export_png_folder(X, y, root):
    """Save images (n, 28, 28, 1) as root/<class name>/<index>.png."""
    for i, (pixels, label) in enumerate(
        zip(X.asnumpy(), y.asnumpy(), strict=True)
    ):
        folder = os.path.join(root, TEXT_LABELS[label])
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, f"{i:05d}.png")
        Image.fromarray(pixels[:, :, 0]).save(path)


@contextlib.contextmanager
def fashion_mnist_folder(num_train_per_class, num_test_per_class=0):
    """A temporary folder with train/ (and test/) trees of PNG files."""
    with tempfile.TemporaryDirectory() as root:
        for split, num_per_class in (
            ("train", num_train_per_class),
            ("test", num_test_per_class),
        ):
            if num_per_class == 0:
                continue
            X, y = read_fashion_mnist(train=split == "train")
            keep = first_per_class(y, num_per_class)
            export_png_folder(X.take(keep), y.take(keep), f"{root}/{split}")
        yield root


def png_bytes(pixels):
    """Encode a (28, 28, 1) uint8 image as PNG bytes with Pillow."""
    buffer = io.BytesIO()
    Image.fromarray(pixels[:, :, 0]).save(buffer, format="PNG")
    return buffer.getvalue()


def pack_recordio(dataset, prefix):
    """Pack the PNG files of an ImageFolderDataset, unchanged, into .rec."""
    record = recordio.MXIndexedRecordIO(f"{prefix}.idx", f"{prefix}.rec", "w")
    for i, (path, label) in enumerate(dataset.items):
        with open(path, "rb") as f:
            png = f.read()
        header = recordio.IRHeader(flag=0, label=label, id=i, id2=0)
        record.write_idx(i, recordio.pack(header, png))
    record.close()
    return f"{prefix}.rec"


def to_arrays(dataset):
    """Decode every image of a dataset once: X (n, 1, 28, 28), labels y."""
    images, labels = zip(*dataset, strict=True)
    X = gluon.data.vision.transforms.ToTensor()(nd.stack(*images))
    return X, nd.array(labels, dtype="int32")


def read_seconds(dataset):
    """Seconds to read and decode every image of a dataset once."""
    start = time.perf_counter()
    for X, _ in dataset:
        X.wait_to_read()
    return time.perf_counter() - start


def best_of(repeats, seconds, *args):
    """The shortest of several timings: the least disturbed by others."""
    return min(seconds(*args) for _ in range(repeats))


def record_iter_seconds(rec_path, batch_size=100):
    """Seconds to read a .rec file once with mx.io.ImageRecordIter (C++)."""
    start = time.perf_counter()
    batches = mx.io.ImageRecordIter(
        path_imgrec=rec_path,
        data_shape=(1, 28, 28),
        batch_size=batch_size,
        verbose=False,
    )
    for batch in batches:
        batch.data[0].wait_to_read()
    return time.perf_counter() - start


def augmenters():
    """A few of mx.image's random augmenters, by name."""
    return {
        "flip (p=0.5)": image.HorizontalFlipAug(0.5),
        "sized crop": image.RandomSizedCropAug(
            (28, 28), (0.3, 1), (0.75, 1.33)
        ),
        "brightness": image.BrightnessJitterAug(0.5),
        "contrast": image.ContrastJitterAug(0.5),
    }


def show_image_folder():
    """Export PNG files, then read them with ImageFolderDataset."""
    train_per_class, test_per_class = 50, 20
    with fashion_mnist_folder(train_per_class, test_per_class) as root:
        print("files:", sorted(os.listdir(f"{root}/train"))[:3], "...")
        train = gluon.data.vision.ImageFolderDataset(f"{root}/train", flag=0)
        test = gluon.data.vision.ImageFolderDataset(f"{root}/test", flag=0)
        X, label = train[0]
        path = os.path.relpath(train.items[0][0], root)
        print("examples: train", len(train), " test", len(test))
        print("synsets:", train.synsets)
        print("first:", path, "->", X.shape, X.dtype.__name__, "label", label)
    return {
        "train_per_class": train_per_class,
        "test_per_class": test_per_class,
        "num_train": len(train),
        "num_test": len(test),
    }


def show_image_api():
    """Decode a PNG file with mx.image, resize it and crop it."""
    with fashion_mnist_folder(1) as root:
        folder = gluon.data.vision.ImageFolderDataset(f"{root}/train")
        path = folder.items[0][0]
        with open(path, "rb") as f:
            png = f.read()
        X = image.imdecode(png, flag=0)  # 0: grayscale, 1: color
        same = (image.imread(path, flag=0) == X).min().asscalar()
    print("PNG bytes:", len(png), " decoded:", X.shape, X.dtype.__name__)
    print("imread gives the same pixels:", bool(same))
    print("imresize to 56 x 56:", image.imresize(X, 56, 56).shape)
    print("resize_short to 14:", image.resize_short(X, 14).shape)
    print("center_crop 20 x 20:", image.center_crop(X, (20, 20))[0].shape)
    return {"png_bytes": len(png)}


def show_augmentations():
    """Each augmenter applied five times to copies of one training image."""
    X, _ = read_fashion_mnist(train=True)
    X = X[0].astype("float32")
    augs = augmenters()
    fig, axes = plt.subplots(len(augs), 6, figsize=(7.5, 5.4))
    for row, (name, aug) in zip(axes, augs.items(), strict=True):
        row[0].set_ylabel(name, rotation=0, ha="right", va="center")
        for ax, out in zip(
            row, [X] + [aug(X.copy()) for _ in range(5)], strict=True
        ):
            ax.imshow(
                out[:, :, 0].clip(0, 255).asnumpy(),
                cmap="gray",
                vmin=0,
                vmax=255,
            )
            ax.set(xticks=[], yticks=[])
    axes[0, 0].set_title("original")
    fig.tight_layout()
    return {"augmenters": len(augs)}


def show_recordio():
    """Pack the folder into RecordIO; read it back; compare pixels."""
    with fashion_mnist_folder(50) as root:
        folder = gluon.data.vision.ImageFolderDataset(f"{root}/train", flag=0)
        rec_path = pack_recordio(folder, f"{root}/train")
        records = gluon.data.vision.ImageRecordDataset(rec_path, flag=0)
        pngs = sum(os.path.getsize(path) for path, _ in folder.items)
        rec_bytes = os.path.getsize(rec_path)
        X, y = to_arrays(folder)
        X_rec, y_rec = to_arrays(records)
        print("first record:", records[0][0].shape, "label", records[0][1])
    same = bool(
        (X_rec == X).min().asscalar() and (y == y_rec).min().asscalar()
    )
    print(f"{len(folder)} PNG files: {pngs} bytes; train.rec: {rec_bytes}")
    print("same pixels and labels as the folder:", same)
    per_record = (rec_bytes - pngs) / len(folder)
    return {"num_images": len(folder), "per_record": per_record}


def show_reading_times():
    """Best of three reads of the same images: folder against RecordIO."""
    repeats = 3
    with fashion_mnist_folder(50) as root:
        folder = gluon.data.vision.ImageFolderDataset(f"{root}/train", flag=0)
        rec_path = pack_recordio(folder, f"{root}/train")
        records = gluon.data.vision.ImageRecordDataset(rec_path, flag=0)
        seconds = {
            "ImageFolderDataset": best_of(repeats, read_seconds, folder),
            "ImageRecordDataset": best_of(repeats, read_seconds, records),
            "ImageRecordIter": best_of(repeats, record_iter_seconds, rec_path),
        }
    for name, value in seconds.items():
        print(f"{name:<19} {value * 1000:7.1f} ms for {len(folder)} images")
    return {**seconds, "num_images": len(folder), "repeats": repeats}


def show_lenet_on_folder():
    """Train chapter 3's LeNet on the PNG images read from the folder."""
    num_epochs, lr, batch_size = 20, 0.1, 25
    with fashion_mnist_folder(50, 20) as root:
        sets = [
            gluon.data.vision.ImageFolderDataset(f"{root}/{split}", flag=0)
            for split in ("train", "test")
        ]
        (X, y), (X_test, y_test) = (to_arrays(dataset) for dataset in sets)
    train_iter = ArrayLoader(X, y, batch_size)
    test_iter = ArrayLoader(X_test, y_test, batch_size, shuffle=False)
    _, history = train_lenet(train_iter, test_iter, num_epochs, lr)
    plot_history(history, ylabel="accuracy")
    print(
        f"after {num_epochs} epochs: train accuracy "
        f"{history['train_acc'][-1]:.3f}, test accuracy "
        f"{history['test_acc'][-1]:.3f}"
    )
    return {
        "num_train": len(X),
        "num_test": len(X_test),
        "num_epochs": num_epochs,
        "lr": lr,
        "batch_size": batch_size,
        "train_acc": history["train_acc"][-1],
        "test_acc": history["test_acc"][-1],
        "gap": history["train_acc"][-1] - history["test_acc"][-1],
    }


def show_pack_arrays():
    """Pack ten arrays into RecordIO without any image file, then unpack."""
    X, y = read_fashion_mnist(train=False)
    with tempfile.TemporaryDirectory() as root:
        record = recordio.MXIndexedRecordIO(
            f"{root}/a.idx", f"{root}/a.rec", "w"
        )
        for i in range(10):
            header = recordio.IRHeader(0, y[i].asscalar(), i, 0)
            record.write_idx(
                i, recordio.pack(header, png_bytes(X[i].asnumpy()))
            )
        record.close()
        records = gluon.data.vision.ImageRecordDataset(f"{root}/a.rec", flag=0)
        X_rec = nd.stack(*(records[i][0] for i in range(10)))
    same = bool((X_rec == X[:10]).min().asscalar())
    print("unpacked", X_rec.shape, "equal to the arrays:", same)
    return {"same": same}


def show_synset_labels():
    """The label ImageFolderDataset gives each class: sorted folder names."""
    with fashion_mnist_folder(1) as root:
        dataset = gluon.data.vision.ImageFolderDataset(f"{root}/train")
    for label, name in enumerate(dataset.synsets):
        print(f"{label}: {name:<11} (Fashion-MNIST {TEXT_LABELS.index(name)})")
    return {"t_shirt": dataset.synsets.index("t-shirt")}
