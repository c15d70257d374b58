"""Loss functions from scratch: squared loss and cross-entropy."""

import numpy as np
from mxnet import gluon, nd

from snippets.activations import softmax, stable_softmax


def squared_loss(y_hat, y):
    """Squared error per example; y is reshaped to y_hat's shape first."""
    return (y_hat - y.reshape(y_hat.shape)) ** 2


def cross_entropy(y_hat, y):
    """Cross-entropy of predicted probabilities y_hat for labels y."""
    return -nd.pick(nd.log(y_hat), y)


def logsumexp(X):
    """log(sum(exp(X))) of each row, shifted by the row max to stay finite."""
    X_max = X.max(axis=1, keepdims=True)
    return X_max + nd.log(nd.exp(X - X_max).sum(axis=1, keepdims=True))


def log_softmax(X):
    """Log-softmax of each row: (X - max) - log(sum(exp(X - max)))."""
    shifted = X - X.max(axis=1, keepdims=True)
    return shifted - nd.log(nd.exp(shifted).sum(axis=1, keepdims=True))


def log_softmax_via_lse(X):
    """Log-softmax as X - logsumexp(X): the max is added, then removed."""
    return X - logsumexp(X)


def stable_cross_entropy(logits, y):
    """Cross-entropy computed from logits (scores before softmax)."""
    return -nd.pick(log_softmax(logits), y)


def cross_entropy_four_ways(logits, y):
    """Cross-entropy per example of logits for labels y, by four methods."""
    gluon_loss = gluon.loss.SoftmaxCrossEntropyLoss()
    losses = {
        "naive": cross_entropy(softmax(logits), y),
        "stable_softmax": cross_entropy(stable_softmax(logits), y),
        "log_sum_exp": stable_cross_entropy(logits, y),
        "gluon": gluon_loss(logits, y),
    }
    return {name: loss.asnumpy().tolist() for name, loss in losses.items()}


def exact_log_softmax(X):
    """Log-softmax of each row in float64 NumPy, as a reference."""
    X = X.asnumpy().astype(np.float64)
    shifted = X - X.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def print_losses(results):
    """Print one row per method and one column per example."""
    for name, values in results.items():
        print(f"  {name:<20}", "  ".join(f"{v:9.4f}" for v in values))


def show_squared_loss():
    """Compare the scratch squared loss with gluon.loss.L2Loss."""
    y_hat = nd.array([[1.0], [2.0], [3.0]])
    y = nd.array([1.5, 2.0, 0.0])
    print("y_hat shape:", y_hat.shape, " y shape:", y.shape)
    print("without reshape, y_hat - y has shape", (y_hat - y).shape)
    scratch = squared_loss(y_hat, y).mean().asscalar().item()
    l2 = gluon.loss.L2Loss()(y_hat, y).mean().asscalar().item()
    print(f"squared_loss: {scratch:.4f}")
    print(f"L2Loss:       {l2:.4f}")
    print(f"ratio:        {scratch / l2:.4f}")
    return {"scratch": scratch, "l2loss": l2, "ratio": scratch / l2}


def show_l2loss_shapes():
    """L2Loss reshapes the label and averages over the non-batch axes."""
    loss = gluon.loss.L2Loss()
    y_hat, y = nd.array([[1.0], [2.0], [3.0]]), nd.array([1.5, 2.0, 0.0])
    print("y_hat (3, 1), y (3,):  ", loss(y_hat, y).asnumpy())
    Y_hat, Y = nd.array([[1.0, 3.0], [2.0, 0.0]]), nd.zeros((2, 2))
    per_example = loss(Y_hat, Y)
    print("Y_hat (2, 2), Y zeros:", per_example.asnumpy())
    print("halved mean of squares:", ((Y_hat**2).mean(axis=1) / 2).asnumpy())
    return {"first": per_example[0].asscalar().item()}


def show_cross_entropy():
    """Cross-entropy four ways, on moderate and on very large logits."""
    y = nd.array([0, 2])
    cases = {"moderate": [2.0, 1.0, 0.1], "large": [1000.0, 999.0, 0.0]}
    results = {}
    for case, row in cases.items():
        print(f"{case} logits {row}, labels 0 and 2")
        results[case] = cross_entropy_four_ways(nd.array([row, row]), y)
        print_losses(results[case])
    return {
        "moderate": results["moderate"]["gluon"][0],
        "large_right": results["large"]["log_sum_exp"][0],
        "large_wrong": results["large"]["log_sum_exp"][1],
    }


def show_log_softmax_orders():
    """-log_softmax(X)[0] of [1000, 999, 0] computed in two orders."""
    X = nd.array([[1000.0, 999.0, 0.0]])
    losses = {
        "added_back": -log_softmax_via_lse(X)[0, 0].asscalar().item(),
        "shifted_first": -log_softmax(X)[0, 0].asscalar().item(),
        "float64": -exact_log_softmax(X)[0, 0].item(),
    }
    labels = ["X - (max + log S)", "(X - max) - log S", "float64 reference"]
    for label, loss in zip(labels, losses.values(), strict=True):
        print(f"{label:<18} {loss:.7f}")
    print("float32 spacing near 1000:", np.spacing(np.float32(1000)))
    return losses


def show_gluon_ce_options():
    """SoftmaxCrossEntropyLoss with sparse_label, from_logits and axis."""
    loss = gluon.loss.SoftmaxCrossEntropyLoss
    logits, y = nd.array([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]]), nd.array([0, 1])
    results = {
        "default": loss()(logits, y),
        "one-hot labels": loss(sparse_label=False)(logits, nd.one_hot(y, 3)),
        "log-probabilities": loss(from_logits=True)(log_softmax(logits), y),
        "classes on axis 0": loss(axis=0, batch_axis=1)(logits.T, y),
        "logits, from_logits": loss(from_logits=True)(logits, y),
    }
    rows = {k: v.asnumpy().tolist() for k, v in results.items()}
    print_losses(rows)
    same = [bool(np.allclose(v, rows["default"])) for v in rows.values()]
    return {
        "wrong": rows["logits, from_logits"][0],
        "num_rows": len(rows),
        "num_same": sum(same),
        "wrong_row": same.index(False) + 1,
    }


def show_four_ways_extreme():
    """The four cross-entropies of logits [1000, -1000, 0], each label."""
    logits = nd.array([[1000.0, -1000.0, 0.0]] * 3)
    results = cross_entropy_four_ways(logits, nd.array([0, 1, 2]))
    print("logits [1000, -1000, 0], labels 0, 1, 2")
    print_losses(results)
    return {"log_sum_exp": results["log_sum_exp"]}


def show_double_softmax():
    """Probabilities handed to SoftmaxCrossEntropyLoss: softmax twice."""
    logits, y = nd.array([[4.0, 1.0, -2.0]]), nd.array([0])
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    right = loss(logits, y).asscalar().item()
    twice = loss(nd.softmax(logits), y).asscalar().item()
    print(f"logits:        {right:.4f}")
    print(f"probabilities: {twice:.4f}")
    return {"right": right, "twice": twice}
