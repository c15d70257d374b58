"""Loss functions from scratch: squared loss and cross-entropy."""

from mxnet import nd

from snippets.activations import softmax


def squared_loss(y_hat, y):
    """Squared error per example; y is reshaped to y_hat's shape first."""
    return (y_hat - y.reshape(y_hat.shape)) ** 2


def cross_entropy(y_hat, y):
    """Cross-entropy of predicted probabilities y_hat for labels y."""
    return -nd.pick(nd.log(y_hat), y)


def naive_cross_entropy(logits, y):
    """Cross-entropy from logits, via softmax then log (can overflow)."""
    return cross_entropy(softmax(logits), y)


def log_softmax(X):
    """Log of softmax of each row of X, via the log-sum-exp trick."""
    X_max = X.max(axis=1, keepdims=True)
    shifted = X - X_max
    return shifted - nd.log(nd.exp(shifted).sum(axis=1, keepdims=True))


def stable_cross_entropy(logits, y):
    """Cross-entropy from logits, computed with log_softmax."""
    return -nd.pick(log_softmax(logits), y)
