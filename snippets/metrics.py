"""Classification accuracy: the fraction of examples predicted correctly."""

import mxnet as mx
import numpy as np
from mxnet import gluon, init, nd

from snippets.fashion_mnist import load_fashion_mnist


def correct_count(y_hat, y):
    """How many rows of y_hat have their largest entry at the label y."""
    y = y.reshape((-1,)).astype("float32")  # argmax returns float32
    return int((y_hat.argmax(axis=1) == y).sum().asscalar())


def accuracy(y_hat, y):
    """Fraction of rows of y_hat whose argmax equals the label in y."""
    return correct_count(y_hat, y) / y.shape[0]


def evaluate_accuracy(data_iter, net):
    """Accuracy of net over all examples of data_iter, not a batch mean."""
    correct, n = 0, 0
    for X, y in data_iter:
        correct += correct_count(net(X), y)
        n += y.shape[0]
    return correct / n


def batch_mean_accuracy(data_iter, net):
    """The biased alternative: the mean of the accuracies of the batches."""
    return float(np.mean([accuracy(net(X), y) for X, y in data_iter]))


def last_line(error):
    """The last line of an exception's message (MXNet's own summary)."""
    return str(error).strip().splitlines()[-1]


def show_accuracy():
    """Accuracy of four hand-made predictions, and mx.metric.Accuracy's."""
    y_hat = nd.array(
        [[0.1, 0.3, 0.6], [0.3, 0.2, 0.5], [0.8, 0.1, 0.1], [0.2, 0.7, 0.1]]
    )
    y = nd.array([2, 1, 0, 1], dtype="int32")
    print("y_hat.argmax(axis=1):", y_hat.argmax(axis=1).asnumpy())
    print("y:                   ", y.asnumpy())
    metric = mx.metric.Accuracy()
    metric.update(labels=[y], preds=[y_hat])
    print("accuracy:          ", accuracy(y_hat, y))
    print("mx.metric.Accuracy:", metric.get())
    return {"accuracy": accuracy(y_hat, y), "metric": metric.get()[1]}


def show_evaluate_accuracy():
    """Ten examples in batches of 4, 4, 2: overall vs mean batch accuracy."""
    batch_size = 4
    y = nd.array([0, 0, 0, 0, 1, 1, 1, 1, 2, 2])
    y_hat = nd.one_hot(nd.array([0, 0, 0, 0, 0, 0, 0, 0, 2, 2]), 3)
    dataset = gluon.data.ArrayDataset(y_hat, y)
    data_iter = gluon.data.DataLoader(dataset, batch_size)
    batch_accs = [accuracy(scores, labels) for scores, labels in data_iter]
    print("batch sizes:             ", [len(y) for _, y in data_iter])
    print("batch accuracies:        ", batch_accs)
    batch_mean = batch_mean_accuracy(data_iter, net=lambda X: X)
    print("mean of batch accuracies:", batch_mean)
    overall = evaluate_accuracy(data_iter, net=lambda X: X)  # X: scores
    print("evaluate_accuracy:       ", overall)
    return {
        "num_examples": len(dataset),
        "batch_size": batch_size,
        "last": len(dataset) % batch_size,
        "overall": overall,
        "batch_mean": batch_mean,
    }


def show_untrained_accuracy():
    """Test accuracy of a freshly initialized Dense(10) on Fashion-MNIST."""
    batch_size = 256
    net = gluon.nn.Dense(10)
    net.initialize(init.Normal(sigma=0.01))
    test = load_fashion_mnist(train=False)
    test_iter = gluon.data.DataLoader(test, batch_size)
    test_acc = evaluate_accuracy(test_iter, net)
    print(f"untrained test accuracy: {test_acc:.4f} (10 classes)")
    return {
        "test_acc": test_acc,
        "batch_size": batch_size,
        "last": len(test) % batch_size,
    }


def show_batch_mean_bias():
    """Overall against batch-mean accuracy of an untrained net, test set."""
    net = gluon.nn.Dense(10)
    net.initialize(init.Normal(sigma=0.01))
    test_iter = gluon.data.DataLoader(load_fashion_mnist(train=False), 256)
    overall = evaluate_accuracy(test_iter, net)
    batch_mean = batch_mean_accuracy(test_iter, net)
    print(f"evaluate_accuracy:   {overall:.6f}")
    print(f"batch-mean accuracy: {batch_mean:.6f}")
    print(f"difference:          {batch_mean - overall:+.6f}")
    return {"overall": overall, "batch_mean": batch_mean}


def show_int_label_error():
    """What == says when the labels are int32 and argmax gives float32."""
    y_hat = nd.array([[0.1, 0.9], [0.8, 0.2]])
    y = nd.array([1, 0], dtype="int32")
    try:
        print((y_hat.argmax(axis=1) == y).asnumpy())
    except mx.MXNetError as error:
        print(last_line(error))
    correct = correct_count(y_hat, y)
    print("correct_count, which casts first:", correct)
    return {"correct": correct}
