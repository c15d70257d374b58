"""Activation functions from scratch: softmax, ReLU, sigmoid and tanh."""

import matplotlib.pyplot as plt
import numpy as np
from mxnet import autograd, nd


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


def tanh(X):
    """Hyperbolic tangent, written as 2 * sigmoid(2X) - 1, elementwise."""
    return 2 * sigmoid(2 * X) - 1


def derivative(f, x):
    """Derivative of the elementwise function f at the points x (autograd)."""
    x = x.copy()
    x.attach_grad()
    with autograd.record():
        y = f(x)
    y.backward()
    return x.grad


def show_softmax():
    """Compare naive and stable softmax on small and on large inputs."""
    shift = 999
    X = nd.array([[1, 2, 3]])
    X = nd.concat(X, X + shift, dim=0)
    naive, stable = softmax(X), stable_softmax(X)
    print("X =\n", X.asnumpy())
    print("naive softmax =\n", naive.asnumpy())
    print("stable softmax =\n", stable.asnumpy())
    print("row sums of stable:", stable.sum(axis=1).asnumpy())
    return {
        "shift": shift,
        "p_max": float(stable[0, 2].asscalar()),
        "naive_nan": int(np.isnan(naive.asnumpy()).sum()),
        "exp_limit": float(np.log(np.finfo(np.float32).max)),
    }


def show_activations():
    """Plot ReLU, sigmoid and tanh, with their derivatives from autograd."""
    x = nd.arange(-6, 6, 0.05)
    fig, (ax, ax_grad) = plt.subplots(1, 2, figsize=(8, 3.5))
    for f in (relu, sigmoid, tanh):
        ax.plot(x.asnumpy(), f(x).asnumpy(), label=f.__name__)
        ax_grad.plot(x.asnumpy(), derivative(f, x).asnumpy(), label=f.__name__)
    ax.set(title="f(x)", xlabel="x")
    ax_grad.set(title="f'(x)", xlabel="x")
    ax.legend()
    ax_grad.legend()
    fig.tight_layout()
    return {
        "sigmoid_grad_max": float(derivative(sigmoid, x).max().asscalar()),
        "tanh_grad_max": float(derivative(tanh, x).max().asscalar()),
    }


def show_log_of_softmax():
    """The log of a stable softmax still gives -inf for tiny probabilities."""
    X = nd.array([[-1000.0, 0.0, 1000.0]])
    probabilities = stable_softmax(X)
    print("stable_softmax:", probabilities.asnumpy())
    print("its log:       ", nd.log(probabilities).asnumpy())
    return {"zeros": int((probabilities == 0).sum().asscalar())}


def show_softmax_scaling():
    """Softmax ignores adding a constant but not multiplying by one."""
    X = nd.array([[1.0, 2.0, 3.0]])
    for name, Z in (("X", X), ("X + 10", X + 10), ("2 * X", 2 * X)):
        print(f"softmax({name}):".ljust(16), stable_softmax(Z).asnumpy())
    return {
        "shifted": float(stable_softmax(X + 10)[0, 2].asscalar()),
        "scaled": float(stable_softmax(2 * X)[0, 2].asscalar()),
    }
