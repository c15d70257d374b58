"""LeNet: output sizes layer by layer, training, and its predictions."""

from mxnet import gluon, init, nd

from snippets.fashion_mnist import get_text_labels, plot_images
from snippets.mlp import load_data_fashion_mnist_nchw, train_mlp_gluon
from snippets.training import plot_history, print_history, train_classifier

# LeNet's training here, kept short for the site's build
NUM_EPOCHS, BATCH_SIZE = 3, 128


def lenet(padding=2):
    """LeNet-5: two conv-pool stages, three Dense; padding for 28 x 28."""
    net = gluon.nn.HybridSequential()
    net.add(
        gluon.nn.Conv2D(6, kernel_size=5, padding=padding, activation="relu"),
        gluon.nn.MaxPool2D(pool_size=2, strides=2),
        gluon.nn.Conv2D(16, kernel_size=5, activation="relu"),
        gluon.nn.MaxPool2D(pool_size=2, strides=2),
        gluon.nn.Dense(120, activation="relu"),
        gluon.nn.Dense(84, activation="relu"),
        gluon.nn.Dense(10),
    )
    return net


def output_size(n, kernel, padding=0, stride=1):
    """Output length floor((n + 2 padding - kernel) / stride) + 1."""
    return (n + 2 * padding - kernel) // stride + 1


def expected_shape(layer, shape):
    """The output shape the formula gives for a Conv2D, pooling or Dense."""
    if isinstance(layer, gluon.nn.Dense):
        return (shape[0], layer.weight.shape[0])
    # Gluon 1.x has no public attribute for a layer's kernel, padding and
    # stride; they are in the private _kwargs (MXNet 1.x only).
    kw = layer._kwargs
    height, width = (
        output_size(n, k, p, s)
        for n, k, p, s in zip(
            shape[2:], kw["kernel"], kw["pad"], kw["stride"], strict=True
        )
    )
    channels = kw.get("num_filter", shape[1])  # pooling keeps the channels
    return (shape[0], channels, height, width)


def layer_shapes(net, X):
    """Each layer's class, the formula's shape and Gluon's output shape."""
    rows = []
    for layer in net:
        expected = expected_shape(layer, X.shape)
        X = layer(X)
        rows.append((type(layer).__name__, expected, X.shape))
    return rows


def print_shapes(rows):
    """Print layer_shapes' rows as a table."""
    print(f"{'layer':<10}{'formula':<18}{'Gluon':<18}")
    for name, expected, actual in rows:
        print(f"{name:<10}{expected!s:<18}{actual!s:<18}")


def train_lenet(train_iter, test_iter, num_epochs, lr):
    """LeNet with Xavier init, hybridized, trained by minibatch SGD."""
    net = lenet()
    net.initialize(init.Xavier())
    net.hybridize()
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": lr})
    history = train_classifier(
        net, train_iter, test_iter, loss, trainer.step, num_epochs=num_epochs
    )
    return net, history


def plot_predictions(net, X, y):
    """Plot images with 'predicted / true' titles, mistakes in red."""
    preds = get_text_labels(net(X).argmax(axis=1))
    trues = get_text_labels(y)
    titles = [
        p if p == t else f"{p}\ntrue: {t}"
        for p, t in zip(preds, trues, strict=True)
    ]
    fig = plot_images(X, titles, num_rows=4)
    for ax, p, t in zip(fig.axes, preds, trues, strict=False):
        if p != t:
            ax.title.set_color("red")
    return sum(p != t for p, t in zip(preds, trues, strict=True))


def show_lenet_shapes():
    """LeNet on one 28 x 28 image: the formula's shape against Gluon's."""
    net = lenet()
    net.initialize()
    rows = layer_shapes(net, nd.zeros((1, 1, 28, 28)))
    print_shapes(rows)
    num_params = sum(p.data().size for p in net.collect_params().values())
    print("parameters:", num_params)
    matches = sum(expected == actual for _, expected, actual in rows)
    return {"matches": matches, "layers": len(rows), "params": num_params}


def show_train_lenet():
    """Train LeNet on all of Fashion-MNIST; draw 24 test predictions."""
    num_epochs, lr, batch_size = NUM_EPOCHS, 0.1, BATCH_SIZE
    train_iter, test_iter = load_data_fashion_mnist_nchw(batch_size)
    net, history = train_lenet(train_iter, test_iter, num_epochs, lr)
    print_history(history)
    plot_history(history, ylabel="accuracy")
    X, y = test_iter.take(nd.arange(24))
    mistakes = plot_predictions(net, X, y)
    return {
        "num_epochs": num_epochs,
        "lr": lr,
        "batch_size": batch_size,
        "train_acc": history["train_acc"][-1],
        "test_acc": history["test_acc"][-1],
        "mistakes": mistakes,
        "shown": len(y),
    }


def show_mlp_same_epochs():
    """The MLP page's network, trained as long as LeNet is here."""
    num_epochs, lr, batch_size, num_hiddens = NUM_EPOCHS, 0.5, BATCH_SIZE, 256
    train_iter, test_iter = load_data_fashion_mnist_nchw(batch_size)
    history = train_mlp_gluon(
        train_iter, test_iter, num_epochs, lr, num_hiddens
    )
    print_history(history)
    return {
        "num_epochs": num_epochs,
        "lr": lr,
        "batch_size": batch_size,
        "test_acc": history["test_acc"][-1],
    }


def show_strided_conv():
    """A 5 x 5 convolution, padding 1, stride 2, on a 32 x 32 image."""
    n, kernel, padding, stride = 32, 5, 1, 2
    layer = gluon.nn.Conv2D(6, kernel, strides=stride, padding=padding)
    layer.initialize()
    Y = layer(nd.zeros((1, 3, n, n)))
    size = output_size(n, kernel, padding, stride)
    print(f"formula: ({n} + 2*{padding} - {kernel}) // {stride} + 1 = {size}")
    print("Gluon:  ", Y.shape)
    return {"size": size, "gluon": Y.shape[2]}


def show_lenet_without_padding():
    """Drop the first convolution's padding: the sizes down to Dense."""
    net = lenet(padding=0)
    net.initialize()
    print_shapes(layer_shapes(net, nd.zeros((1, 1, 28, 28))))
    in_units = net[4].weight.shape[1]
    print("the first Dense layer now has", in_units, "inputs")
    return {"in_units": in_units}
