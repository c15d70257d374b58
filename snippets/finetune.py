"""Fine-tuning: a network trained on Fashion-MNIST, retrained on a folder."""

import os
import tempfile

import matplotlib.pyplot as plt
from mxnet import autograd, gluon, init, nd

from snippets.blocks import max_diff
from snippets.fashion_mnist import TEXT_LABELS, read_fashion_mnist
from snippets.images import fashion_mnist_folder, first_per_class, to_arrays
from snippets.metrics import evaluate_accuracy
from snippets.mlp import ArrayLoader
from snippets.phrases import agreement, comparison
from snippets.resnet import lenet_bn, train_net
from snippets.training import plot_history, train_epoch

# The folder of the images page: training and test images per class
TRAIN_PER_CLASS, TEST_PER_CLASS = 50, 20
# The source network's training, kept short for the site's build
SOURCE_EXAMPLES, SOURCE_EPOCHS = 50000, 1


def source_data(num_examples, batch_size):
    """Fashion-MNIST training images the folder does not hold, and test."""
    to_tensor = gluon.data.vision.transforms.ToTensor()
    X, y = read_fashion_mnist(train=True)
    # the folder takes the first images of each class: start after them
    start = int(first_per_class(y, TRAIN_PER_CLASS).max().asscalar()) + 1
    X, y = X[start : start + num_examples], y[start : start + num_examples]
    X_test, y_test = read_fashion_mnist(train=False)
    return (
        ArrayLoader(X, y, batch_size, transform=to_tensor),
        ArrayLoader(X_test, y_test, batch_size, False, to_tensor),
    )


def train_source(path, num_examples, num_epochs, lr=0.1, batch_size=128):
    """Train LeNet + BN on Fashion-MNIST, save its parameters to path."""
    train_iter, test_iter = source_data(num_examples, batch_size)
    net = lenet_bn()
    history = train_net(net, train_iter, test_iter, [lr] * num_epochs)
    net.save_parameters(path)
    return history["test_acc"][-1]


def fine_tune_net(path, num_classes, lr_mult):
    """LeNet + BN's saved layers (learning rate x lr_mult), a new output."""
    source = lenet_bn()
    source.load_parameters(path)
    features = gluon.nn.HybridSequential()
    features.add(*list(source)[:-1])  # every layer but the output layer
    features.collect_params().setattr("lr_mult", lr_mult)
    output = gluon.nn.Dense(num_classes)
    output.initialize(init.Xavier())
    net = gluon.nn.HybridSequential()
    net.add(features, output)
    return net


def scratch_net():
    """LeNet + BN with random (Xavier) parameters: from scratch."""
    net = lenet_bn()
    net.initialize(init.Xavier())
    return net


def random_flip(X):
    """Flip each image of an (N, C, H, W) batch left-right, p = 0.5."""
    flip = nd.random.uniform(shape=(X.shape[0], 1, 1, 1)) < 0.5
    return nd.where(flip.broadcast_like(X), X.flip(axis=3), X)


def folder_arrays(root):
    """The folder's train/ and test/ images as ((X, y), (X_test, y_test))."""
    return tuple(
        to_arrays(
            gluon.data.vision.ImageFolderDataset(f"{root}/{split}", flag=0)
        )
        for split in ("train", "test")
    )


def train_on_folder(net, data, num_epochs, lr, batch_size):
    """SGD on the folder's images, flipped anew in every minibatch."""
    (X, y), (X_test, y_test) = data
    train_iter = ArrayLoader(X, y, batch_size, transform=random_flip)
    test_iter = ArrayLoader(X_test, y_test, batch_size, shuffle=False)
    net.hybridize()
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": lr})
    history = []
    for _ in range(num_epochs):
        train_epoch(net, train_iter, loss, trainer.step)
        history.append(evaluate_accuracy(test_iter, net))
    return history


def two_trainers(net, lr, copied_lr):
    """An update step: one Trainer for net[0] (copied), one for net[1]."""
    copied = gluon.Trainer(
        net[0].collect_params(), "sgd", {"learning_rate": copied_lr}
    )
    new = gluon.Trainer(net[1].collect_params(), "sgd", {"learning_rate": lr})

    def step(batch_size):
        copied.step(batch_size)
        new.step(batch_size)

    return step


def saved_untrained(path):
    """Save a LeNet + BN that has run once (no training) to path."""
    net = scratch_net()
    net(nd.zeros((1, 1, 28, 28)))  # shapes known, then saved
    net.save_parameters(path)


def zoo_fine_tune_net(num_classes):
    """ResNet-18 with ImageNet weights (downloaded), a new output layer."""
    vision = gluon.model_zoo.vision
    pretrained = vision.resnet18_v2(pretrained=True)  # downloads weights
    net = vision.resnet18_v2(classes=num_classes)
    net.features = pretrained.features
    net.output.initialize(init.Xavier())
    net.features.collect_params().setattr("lr_mult", 0.1)
    return net


def show_fine_tuning():
    """Fine-tune a saved LeNet on the folder; train one from scratch."""
    num_epochs, lr, batch_size, lr_mult = 20, 0.1, 25, 0.1
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "lenet.params")
        source_acc = train_source(path, SOURCE_EXAMPLES, SOURCE_EPOCHS)
        print(f"source LeNet, Fashion-MNIST test accuracy {source_acc:.3f}")
        tuned = fine_tune_net(path, 10, lr_mult)
    with fashion_mnist_folder(TRAIN_PER_CLASS, TEST_PER_CLASS) as root:
        data = folder_arrays(root)
    histories = {
        "fine-tuned": train_on_folder(tuned, data, num_epochs, lr, batch_size),
        "from scratch": train_on_folder(
            scratch_net(), data, num_epochs, lr, batch_size
        ),
    }
    plot_history(histories, ylabel="test accuracy")
    tuned_acc, scratch_acc = (accs[-1] for accs in histories.values())
    print(f"after {num_epochs} epochs on {len(data[0][1])} images:")
    print(f"fine-tuned {tuned_acc:.3f}, from scratch {scratch_acc:.3f}")
    return {
        "source_examples": SOURCE_EXAMPLES,
        "source_epochs": SOURCE_EPOCHS,
        "source_acc": source_acc,
        "num_train": len(data[0][1]),
        "num_test": len(data[1][1]),
        "num_epochs": num_epochs,
        "lr": lr,
        "lr_mult": lr_mult,
        "copied_lr": lr * lr_mult,
        "batch_size": batch_size,
        "tuned_acc": tuned_acc,
        "scratch_acc": scratch_acc,
        "tuned_first": histories["fine-tuned"][0],
        "scratch_first": histories["from scratch"][0],
        **comparison("tuned_vs_scratch", tuned_acc, scratch_acc),
    }


def show_flips():
    """random_flip on a batch of 16 images: about half are flipped."""
    X, _ = read_fashion_mnist(train=False)
    X = gluon.data.vision.transforms.ToTensor()(X[:16])
    flipped = random_flip(X)
    same = (flipped == X).reshape((16, -1)).min(axis=1).asnumpy()
    fig, axes = plt.subplots(4, 8, figsize=(8, 4.6))
    for i in range(16):
        row = 2 * (i // 8)
        for ax, image in zip(
            axes[row : row + 2, i % 8], (X, flipped), strict=True
        ):
            ax.imshow(image[i, 0].asnumpy(), cmap="gray")
            ax.set(xticks=[], yticks=[])
        if not same[i]:
            axes[row + 1, i % 8].set_title("flipped", color="red")
    for row, name in enumerate(["batch", "after"] * 2):
        axes[row, 0].set_ylabel(name)
    fig.tight_layout()
    return {"flipped": int(16 - same.sum()), "images": 16}


def show_lr_mult():
    """Each parameter's lr_mult in a fine-tuning net (untrained source)."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "lenet.params")
        saved_untrained(path)
        net = fine_tune_net(path, 10, lr_mult=0.1)
    for part, block in (("copied", net[0]), ("new", net[1])):
        for layer in block if part == "copied" else [block]:
            params = layer.collect_params().values()
            if mults := sorted({param.lr_mult for param in params}):
                print(f"{part:<7} {type(layer).__name__:<10} lr_mult {mults}")
    return {"lr_mult": net[0][0].weight.lr_mult}


def show_two_trainers():
    """Exercise: lr_mult against two Trainers, one minibatch step each."""
    X = nd.random.uniform(shape=(8, 1, 28, 28))
    y = nd.arange(8)
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    nets = []
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "lenet.params")
        saved_untrained(path)
        for lr_mult in (0.1, 1.0):
            nets.append(fine_tune_net(path, 10, lr_mult))
            nets[-1](X)  # the new layer's shape is known after one pass
    nets[1][1].weight.set_data(nets[0][1].weight.data())  # same new layer
    steps = [
        gluon.Trainer(
            nets[0].collect_params(), "sgd", {"learning_rate": 0.1}
        ).step,
        two_trainers(nets[1], lr=0.1, copied_lr=0.01),
    ]
    for net, step in zip(nets, steps, strict=True):
        with autograd.record():
            batch_loss = loss(net(X), y)
        batch_loss.backward()
        step(len(y))
    diff = max(
        max_diff(a.data(), b.data())
        for a, b in zip(
            nets[0].collect_params().values(),
            nets[1].collect_params().values(),
            strict=True,
        )
    )
    print("max |difference| of the parameters after one step:", diff)
    return {"diff": diff, **agreement("same", diff)}


def show_label_numbers():
    """The folder's label of each class against Fashion-MNIST's."""
    with fashion_mnist_folder(1) as root:
        synsets = gluon.data.vision.ImageFolderDataset(f"{root}/train").synsets
    moved = 0
    for label, name in enumerate(synsets):
        original = TEXT_LABELS.index(name)
        moved += label != original
        print(f"{name:<11} folder {label}  Fashion-MNIST {original}")
    return {"moved": moved}


def show_model_zoo_api():
    """Model zoo ResNet-18 built without its weights: no download."""
    vision = gluon.model_zoo.vision
    net = vision.resnet18_v2(classes=10)  # pretrained=False: random
    net.initialize()
    print("features:", len(net.features), "blocks; output:", net.output)
    out = net(nd.zeros((1, 3, 224, 224)))
    print("one 224 x 224 colour image ->", out.shape)
    return {"blocks": len(net.features)}
