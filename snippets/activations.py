"""Activation functions from scratch: softmax, ReLU and sigmoid."""

from mxnet import nd


def softmax(X):
    """Softmax of each row of X, straight from the definition."""
    exp = nd.exp(X)
    partition = exp.sum(axis=1, keepdims=True)
    return exp / partition


def stable_softmax(X):
    """Softmax of each row of X, after subtracting the row maximum."""
    exp = nd.exp(X - X.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


def relu(X):
    """ReLU: the elementwise maximum of X and 0."""
    return nd.maximum(X, 0)


def sigmoid(X):
    """Logistic sigmoid 1 / (1 + exp(-X)), elementwise."""
    return 1 / (1 + nd.exp(-X))
