"""Tests for snippets.finetune: copied layers, new output, augmentation."""

import inspect
import os

import matplotlib.pyplot as plt
import numpy as np
import pytest
from mxnet import autograd, gluon, nd

from snippets import finetune
from snippets.fashion_mnist import read_fashion_mnist
from snippets.images import first_per_class


@pytest.fixture(scope="module")
def source_path(tmp_path_factory):
    """LeNet trained briefly on 2,000 images, saved with save_parameters."""
    path = str(tmp_path_factory.mktemp("source") / "lenet.params")
    acc = finetune.train_source(path, num_examples=2000, num_epochs=2)
    assert acc > 0.5  # it learned something: chance is 0.1
    return path


def test_source_data_skips_the_folders_images():
    """The source network never sees an image of the folder."""
    train_iter, test_iter = finetune.source_data(100, batch_size=50)
    _, y = read_fashion_mnist(train=True)
    folder = first_per_class(y, finetune.TRAIN_PER_CLASS).asnumpy()
    X_all, _ = read_fashion_mnist(train=True)
    start = int(folder.max()) + 1
    assert (X_all[start : start + 100] == train_iter.X).min().asscalar()
    assert len(train_iter.X) == 100
    assert len(test_iter.X) == 10000


def test_fine_tune_net_copies_all_but_the_output_layer(source_path):
    """Copied layers compute what the saved LeNet's do; a new output."""
    net = finetune.fine_tune_net(source_path, 5, lr_mult=0.1)
    source = finetune.lenet_bn()
    source.load_parameters(source_path)
    X = nd.random.uniform(shape=(4, 1, 28, 28))
    features = X
    for layer in list(source)[:-1]:
        features = layer(features)
    np.testing.assert_array_equal(net[0](X).asnumpy(), features.asnumpy())
    assert net(X).shape == (4, 5)
    assert net[1].weight.shape == (5, 84)
    assert net[1].weight.data().asnumpy().std() > 0  # Xavier, not zeros


def test_copied_layers_learn_at_a_tenth(source_path):
    """lr_mult 0.1 on every copied parameter, 1 on the new layer's."""
    net = finetune.fine_tune_net(source_path, 10, lr_mult=0.1)
    copied = net[0].collect_params().values()
    assert {param.lr_mult for param in copied} == {0.1}
    assert {p.lr_mult for p in net[1].collect_params().values()} == {1.0}
    assert finetune.show_lr_mult() == {"lr_mult": 0.1}


def test_lr_mult_scales_the_step_of_the_trainer():
    """Trainer's step moves a parameter with lr_mult 0.1 a tenth as far."""
    layers = [gluon.nn.Dense(1, in_units=1) for _ in range(2)]
    layers[0].weight.lr_mult = 0.1
    steps = []
    for layer in layers:
        layer.initialize()
        layer.weight.set_data(nd.ones((1, 1)))
        trainer = gluon.Trainer(
            layer.collect_params(), "sgd", {"learning_rate": 1}
        )
        with autograd.record():
            y = layer(nd.ones((1, 1)))
        y.backward()
        trainer.step(1)
        steps.append(1 - layer.weight.data().asscalar())
    assert steps[0] == pytest.approx(steps[1] / 10)


def test_random_flip_mirrors_about_half_the_images():
    """Each image is itself or its mirror; about half are mirrored."""
    X = nd.random.uniform(shape=(1000, 1, 4, 4))
    Y = finetune.random_flip(X)
    same = (Y == X).reshape((1000, -1)).min(axis=1)
    mirrored = (X.flip(axis=3) == Y).reshape((1000, -1)).min(axis=1)
    assert ((same + mirrored) == 1).min().asscalar() == 1
    assert 400 < mirrored.sum().asscalar() < 600
    assert finetune.show_flips()["flipped"] > 0


def test_folder_labels_are_renumbered():
    """Six classes get another number in the folder than in Fashion-MNIST."""
    assert finetune.show_label_numbers() == {"moved": 6}


def test_model_zoo_demo_downloads_nothing(monkeypatch):
    """Building a zoo model without pretrained=True never fetches a file."""

    def no_download(*args, **kwargs):
        raise AssertionError("the demo tried to fetch weights")

    store = gluon.model_zoo.model_store
    monkeypatch.setattr(store, "get_model_file", no_download)
    assert finetune.show_model_zoo_api() == {"blocks": 13}


def test_zoo_fine_tune_net_keeps_the_features_and_adds_an_output(
    monkeypatch,
):
    """The shown model zoo code: pretrained features, new 5-class output."""
    vision = gluon.model_zoo.vision
    build = vision.resnet18_v2
    made = []

    def offline(pretrained=False, **kwargs):
        net = build(**kwargs)
        if pretrained:  # stands in for the downloaded weights
            net.initialize()
        made.append(net)
        return net

    monkeypatch.setattr(vision, "resnet18_v2", offline)
    net = finetune.zoo_fine_tune_net(5)
    assert net.features is made[0].features
    assert net(nd.zeros((1, 3, 64, 64))).shape == (1, 5)
    lr_mults = {p.lr_mult for p in net.features.collect_params().values()}
    assert lr_mults == {0.1}


@pytest.fixture
def tiny_run(monkeypatch):
    """show_fine_tuning on 5 images a class and a 1,000-image source."""
    monkeypatch.setattr(finetune, "SOURCE_EXAMPLES", 1000)
    monkeypatch.setattr(finetune, "SOURCE_EPOCHS", 1)
    monkeypatch.setattr(finetune, "TRAIN_PER_CLASS", 5)
    monkeypatch.setattr(finetune, "TEST_PER_CLASS", 2)


def test_fine_tuning_demo_compares_both_curves(tiny_run):
    """show_fine_tuning: two curves, its words follow its accuracies."""
    result = finetune.show_fine_tuning()
    assert (result["num_train"], result["num_test"]) == (50, 20)
    labels = [line.get_label() for line in plt.gcf().axes[0].lines]
    assert labels == ["fine-tuned", "from scratch"]
    higher = result["tuned_acc"] > result["scratch_acc"]
    assert (result["tuned_vs_scratch_en"] == "higher than") == higher
    assert result["copied_lr"] == pytest.approx(0.01)


def test_fine_tuning_beats_training_from_scratch_on_few_images(source_path):
    """20 images a class: the copied layers give a head start."""
    with finetune.fashion_mnist_folder(20, 20) as root:
        data = finetune.folder_arrays(root)
    args = (data, 10, 0.1, 25)
    tuned = finetune.train_on_folder(
        finetune.fine_tune_net(source_path, 10, 0.1), *args
    )
    scratch = finetune.train_on_folder(finetune.scratch_net(), *args)
    assert tuned[0] > scratch[0] + 0.1, (tuned, scratch)  # after 1 epoch


def test_two_trainers_step_as_lr_mult_does():
    """Exercise: two Trainers give the parameters lr_mult gives, exactly."""
    result = finetune.show_two_trainers()
    assert result["diff"] == 0
    assert result["same_en"].startswith("agree exactly")


def test_zoo_weights_would_go_to_the_mxnet_home():
    """pretrained=True reads MXNET_HOME/models, ~/.mxnet/models by default."""
    from mxnet import base
    from mxnet.gluon.model_zoo.vision import resnet

    root = inspect.signature(resnet.get_resnet).parameters["root"].default
    assert root == os.path.join(base.data_dir(), "models")
    assert base.data_dir_default().endswith(".mxnet")


@pytest.mark.parametrize(
    "name", ["alexnet", "vgg11", "resnet18_v1", "densenet121", "mobilenet1.0"]
)
def test_zoo_networks_have_features_and_an_output(name):
    """finetune: the zoo networks the page names split features/output."""
    net = gluon.model_zoo.vision.get_model(name, classes=5)
    assert isinstance(net.features, gluon.nn.HybridSequential)
    assert isinstance(net.output, gluon.HybridBlock)
