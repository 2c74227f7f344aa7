"""Registration of the user's parts: what it accepts, and every check that refuses one."""

from __future__ import annotations

import numpy as np
import pytest

import nncore
from nncore import (
    ACTIVATIONS,
    INITIALIZERS,
    LOSSES,
    OPTIMIZERS,
    OUTPUT_ACTIVATIONS,
    ConfigError,
    Network,
    Population,
    get_task,
)
from nncore.extend import origin, registering, unregister
from nncore.optimizers import Optimizer
from nncore.rules import RULES, check_choice, hyper_names
from nncore.tasks import REGISTERED, parse_task

PLUGIN = "tests/my_parts.py"


@pytest.fixture
def plugin():
    """Register inside a plugin context; every part it registered is removed after."""
    before = {k: dict(v) for k, v in [("rules", RULES), ("acts", ACTIVATIONS)]}
    with registering(PLUGIN):
        yield
    unregister(PLUGIN)
    assert dict(RULES) == before["rules"] and dict(ACTIVATIONS) == before["acts"]


def hardtanh(z):
    return np.clip(z, -1.0, 1.0)


def hardtanh_d(z):
    return (np.abs(z) < 1.0).astype(np.float64)


def _one_line(excinfo) -> str:
    text = str(excinfo.value)
    assert "\n" not in text
    return text


def test_a_registered_activation_is_known_everywhere(plugin):
    part = nncore.register_activation("hardtanh", hardtanh, hardtanh_d, low=-1.0, high=1.0)
    assert ACTIVATIONS["hardtanh"] is part and OUTPUT_ACTIVATIONS["hardtanh"] is part
    assert nncore.get_activation("hardtanh") is part and part.max_derivative == 1.0
    assert origin("activation", "hardtanh").plugin == PLUGIN
    with pytest.raises(ConfigError, match="did you mean 'hardtanh'"):
        check_choice("activation", "hardtanx", ACTIVATIONS)
    data = get_task("xor")
    records = Population([2, 4, 1], activation="hardtanh", seeds=range(4)).fit(
        data.X, data.Y, max_epochs=2000, stop={"max_error_below": 0.1}
    )
    assert any(r.status == "converged" for r in records)


def _gradient_error(net: Network, X, Y, h: float = 1e-6) -> float:
    """Relative 2-norm error of the backward pass against central differences."""
    _, dws, dbs = net.loss_and_gradients(X, Y)
    dws, dbs = [d.copy() for d in dws], [d.copy() for d in dbs]  # its buffers are reused
    params = [x.copy() for x in [*net.weights, *net.biases]]
    numeric = []
    for k, p in enumerate(params):
        g = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            values = []
            for sign in (1.0, -1.0):
                q = [x.copy() for x in params]
                q[k][i] += sign * h
                net.weights, net.biases = q[: len(dws)], q[len(dws) :]
                values.append(net.loss_and_gradients(X, Y)[0])
            g[i] = (values[0] - values[1]) / (2 * h)
        numeric.append(g)
    net.weights, net.biases = params[: len(dws)], params[len(dws) :]
    a = np.concatenate([x.ravel() for x in [*dws, *dbs]])
    b = np.concatenate([x.ravel() for x in numeric])
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


def test_gradients_through_plugin_parts_match_finite_differences(plugin, rng):
    nncore.register_activation(
        "softclip", lambda z: np.tanh(z) * 0.5 + 0.5 * z / (1 + np.abs(z)),
        lambda z: 0.5 * (1 - np.tanh(z) ** 2) + 0.5 / (1 + np.abs(z)) ** 2,
    )  # fmt: skip
    nncore.register_loss(
        "logcosh", lambda a, y: np.log(np.cosh(a - y)), lambda a, y: np.tanh(a - y)
    )
    net = Network([3, 4, 2], "softclip", "sigmoid", "logcosh", init_scale=1.5, seed=1)
    net.biases = [rng.normal(0.0, 0.5, b.shape) for b in net.biases]
    X, Y = rng.normal(0.0, 1.0, (5, 3)), rng.uniform(0.0, 1.0, (5, 2))
    assert _gradient_error(net, X, Y) < 1e-6


def test_a_derivative_off_by_a_factor_two_is_refused_in_one_line(plugin):
    with pytest.raises(ConfigError) as e:
        nncore.register_activation("hardtanh", hardtanh, lambda z: 2.0 * hardtanh_d(z))
    text = _one_line(e)
    assert text.startswith(f"plugin {PLUGIN!r}: register_activation('hardtanh'): the derivative")
    assert "worst at z=" in text and "derivative 2, finite difference 1" in text
    assert "relative error 1" in text and "hardtanh" not in ACTIVATIONS


def test_the_seed_questions_sigmoid_derivative_bug_is_refused(plugin):
    # sigmoid'(z) written as sigmoid(z)(1 - sigmoid(z)) applied to the output again.
    def s(z):
        return 1.0 / (1.0 + np.exp(-z))

    with pytest.raises(ConfigError, match="relative error"):
        nncore.register_activation("sig", s, lambda z: s(s(z)) * (1 - s(s(z))), low=0, high=1)


@pytest.mark.parametrize(
    "forward, derivative, message",
    [
        (np.exp, np.exp, "forward is inf at 1000: it must be finite"),
        (lambda z: z - z.mean(), lambda z: np.ones_like(z), "element by element"),
        (lambda z: z[:1], lambda z: z, "returned shape"),
        (lambda z: np.add(z, 1, out=z), np.ones_like, "changed its input"),
        (lambda z: 1 / 0, np.ones_like, "forward failed: ZeroDivisionError"),
        (lambda z: np.clip(z, -2, 2), lambda z: (abs(z) < 2) * 1.0, "outside its declared"),
    ],
)
def test_bad_forward_functions_are_refused(plugin, forward, derivative, message):
    with pytest.raises(ConfigError, match=message) as e:
        nncore.register_activation("bad", forward, derivative, low=-1.0, high=1.0)
    _one_line(e)
    assert "bad" not in ACTIVATIONS


@pytest.mark.parametrize(
    "call",
    [
        lambda: nncore.register_activation("tanh", hardtanh, hardtanh_d),
        lambda: nncore.register_activation("softmax", hardtanh, hardtanh_d),
        lambda: nncore.register_loss("mse", lambda a, y: a, lambda a, y: a),
        lambda: nncore.register_initializer("he_normal", lambda i, o: 1.0),
        lambda: nncore.register_optimizer("adam", Optimizer, lr=0.1),
        lambda: nncore.register_task("xor", [[0.0]], [[1.0]]),
        lambda: nncore.register_task("parity3", [[0.0]], [[1.0]]),
    ],
)
def test_built_in_names_are_refused(plugin, call):
    with pytest.raises(ConfigError, match="is a built-in"):
        call()


def test_a_name_is_owned_by_the_plugin_that_registered_it(plugin):
    nncore.register_activation("hardtanh", hardtanh, hardtanh_d)
    nncore.register_activation("hardtanh", hardtanh, hardtanh_d)  # the same plugin, again
    with registering("other.py"), pytest.raises(ConfigError, match="already registered by"):
        nncore.register_activation("hardtanh", hardtanh, hardtanh_d)
    with pytest.raises(ConfigError, match="the name must match"):
        nncore.register_activation("has space", hardtanh, hardtanh_d)


def test_a_loss_is_checked_on_its_outputs_range(plugin):
    def ce(a, y):
        return -(y * np.log(a) + (1 - y) * np.log(1 - a))

    part = nncore.register_loss(
        "ce01", ce, lambda a, y: (a - y) / (a * (1 - a)), outputs=("sigmoid",)
    )
    assert LOSSES["ce01"] is part
    with pytest.raises(ConfigError, match="cannot be used with"):
        part.check_output("tanh")
    with pytest.raises(ConfigError, match="derivative does not match.*worst at a=") as e:
        nncore.register_loss("half", lambda a, y: (a - y) ** 2, lambda a, y: a - y)
    _one_line(e)


def test_a_loss_must_broadcast_the_shared_targets(plugin):
    def value(a, y):  # right for one network's outputs, wrong for a population's
        return (a - y) ** 2 if a.shape == y.shape else (a - y.mean()) ** 2

    with pytest.raises(ConfigError, match="share the targets") as e:
        nncore.register_loss("shapes", value, lambda a, y: 2 * (a - y))
    _one_line(e)


def test_an_initializer_draws_the_same_directions_as_normal(plugin):
    nncore.register_initializer("tiny", lambda fan_in, fan_out: 0.01)
    assert INITIALIZERS["tiny"].draw == "normal"
    a = Population([2, 3, 1], init="tiny", seeds=[7])
    b = Population([2, 3, 1], init="normal", init_scale=0.01, seeds=[7])
    np.testing.assert_array_equal(a.forward(np.eye(2)), b.forward(np.eye(2)))
    for bad in (lambda i, o: -1.0, lambda i, o: float("nan"), lambda i, o: "1"):
        with pytest.raises(ConfigError, match=r"scale\(1, 1\)"):
            nncore.register_initializer("bad", bad)


def test_a_task_is_registered_from_arrays(plugin):
    x = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    nncore.register_task("my_and", x, [0, 0, 0, 1])
    assert parse_task("my_and") == ("my_and", 2) and get_task("my_and").Y.shape == (4, 1)
    assert not get_task("my_and").X.flags.writeable
    with pytest.raises(ConfigError, match="did you mean 'my_and'"):
        parse_task("my_andd")
    with pytest.raises(ConfigError, match="X has 4 rows and Y 3"):
        nncore.register_task("t2", x, [0, 0, 1])
    with pytest.raises(ConfigError, match="not finite"):
        nncore.register_task("t2", x, [0, 0, np.nan, 1])
    unregister(PLUGIN)
    assert "my_and" not in REGISTERED
    with pytest.raises(ConfigError, match="not in"):
        get_task("my_and")


class SignGD(Optimizer):
    """Sign gradient descent: each member moves by its own lr times sign(g)."""

    def _update(self, i, p, g):
        p -= self.h("lr", p.ndim) * np.sign(g)


class MixesMembers(Optimizer):
    def _update(self, i, p, g):
        p -= self.h("lr", p.ndim) * g.mean(axis=0)


def test_an_optimizer_joins_the_rulebook(plugin):
    nncore.register_optimizer("signgd", SignGD, lr=0.05, uses=("momentum",))
    assert OPTIMIZERS["signgd"] is SignGD and hyper_names("signgd") == ("lr", "momentum")
    assert RULES["lr"].default_for("signgd") == 0.05
    data = get_task("or")
    records = Population([2, 3, 1], seeds=range(3)).fit(
        data.X, data.Y, optimizer="signgd", max_epochs=500, stop={"max_error_below": 0.1}
    )
    assert all(r.status == "converged" for r in records)


@pytest.mark.parametrize(
    "cls, kwargs, message",
    [
        (MixesMembers, {"lr": 0.1}, "depend on the other members"),
        (SignGD, {"lr": -1.0}, "lr=-1.0 must be > 0"),
        (SignGD, {"lr": 0.1, "uses": ("gamma",)}, "uses names 'gamma'"),
        (int, {"lr": 0.1}, "not a subclass"),
    ],
)
def test_bad_optimizers_are_refused(plugin, cls, kwargs, message):
    with pytest.raises(ConfigError, match=message):
        nncore.register_optimizer("opt", cls, **kwargs)
    assert "opt" not in OPTIMIZERS
