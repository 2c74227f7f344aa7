"""The toy data generators: deterministic points, even classes, one-line errors."""

from __future__ import annotations

import numpy as np
import pytest

from nncore import ConfigError
from nncore.generators import GENERATORS, generate


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_the_same_arguments_give_the_same_points(name):
    x, labels = generate(name, 101, 0.2, seed=7)
    x2, labels2 = generate(name, 101, 0.2, seed=7)
    assert x.shape == (101, 2) and x.dtype == np.float64 and labels.shape == (101,)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(labels, labels2)
    assert not np.array_equal(x, generate(name, 101, 0.2, seed=8)[0])
    assert np.bincount(labels).tolist() == [51, 50]  # as even as an odd n allows
    assert np.isfinite(x).all()


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_noise_zero_is_the_clean_shape(name):
    x, labels = generate(name, 200, 0.0, seed=0)
    if name == "circles":
        radius = np.hypot(*x.T)
        np.testing.assert_allclose(radius, np.where(labels == 0, 1.0, 0.5))
    if name == "xor_noisy":
        assert ((x[:, 0] * x[:, 1] > 0) == (labels == 1)).all()


def test_blobs_make_as_many_clusters_as_classes():
    x, labels = generate("blobs", 90, 0.1, seed=1, classes=3)
    assert np.bincount(labels).tolist() == [30, 30, 30]
    centres = np.array([x[labels == k].mean(axis=0) for k in range(3)])
    np.testing.assert_allclose(np.hypot(*centres.T), 2.0, atol=0.1)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"name": "moon"}, r"generator='moon' not in .*did you mean 'moons'"),
        ({"n": 3}, r"n=3 must be >= 4"),
        ({"n": 2.5}, r"n=2.5 must be an integer"),
        ({"noise": -0.1}, r"noise=-0.1 must be >= 0"),
        ({"noise": 11}, r"noise=11 must be <= 10"),
        ({"seed": -1}, r"seed=-1 must be >= 0"),
        ({"classes": 3}, r"classes=3 applies to generator 'blobs' only"),
        ({"name": "blobs", "classes": 11}, r"classes=11 must be <= 10"),
    ],
)
def test_a_bad_argument_is_one_line(kwargs, match):
    args = {"name": "moons", **kwargs}
    with pytest.raises(ConfigError, match=match) as info:
        generate(args.pop("name"), **args, prefix="tasks.t.")
    assert "\n" not in str(info.value) and str(info.value).startswith("tasks.t.")
