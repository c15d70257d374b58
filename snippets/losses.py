"""Loss functions from scratch: squared loss and cross-entropy."""

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
    """Log of the softmax of each row of X: X - logsumexp(X)."""
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


def show_cross_entropy():
    """Cross-entropy four ways, on moderate and on very large logits."""
    y = nd.array([0, 2])
    cases = {"moderate": [2.0, 1.0, 0.1], "large": [1000.0, 999.0, 0.0]}
    results = {}
    for case, row in cases.items():
        print(f"{case} logits {row}, labels 0 and 2")
        results[case] = cross_entropy_four_ways(nd.array([row, row]), y)
        for name, values in results[case].items():
            print(f"  {name:<15}", "  ".join(f"{v:9.4f}" for v in values))
    return {
        "moderate": results["moderate"]["gluon"][0],
        "large_right": results["large"]["log_sum_exp"][0],
        "large_wrong": results["large"]["log_sum_exp"][1],
    }
