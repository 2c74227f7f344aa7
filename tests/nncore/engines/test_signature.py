"""The bits signature: what a numpy-engine run's last bits depend on."""

from __future__ import annotations

import json

from nncore.engines.signature import bits_signature, signature_differences


def test_the_numpy_signature_names_numpy_its_simd_targets_and_blas():
    sig = bits_signature("numpy")
    assert set(sig) == {"engine", "numpy", "simd", "blas"}
    assert sig["engine"] == "numpy" and sig["numpy"].count(".") >= 1
    assert json.loads(json.dumps(sig)) == sig  # it goes into a baseline's JSON
    assert bits_signature("numpy") == sig  # the same machine, the same signature


def test_the_compiled_signature_does_not_depend_on_the_machine():
    assert bits_signature("compiled") == {"engine": "compiled"}


def test_differences_name_each_fact_with_both_values():
    here = {"engine": "numpy", "simd": "X86_V3,X86_V4", "blas": "Haswell"}
    there = {"engine": "numpy", "simd": "X86_V3", "blas": "Haswell"}
    assert signature_differences(there, here) == ["simd: X86_V3,X86_V4 here, X86_V3 when recorded"]
    assert signature_differences(here, dict(here)) == []
    assert signature_differences({}, {"engine": "compiled"}) == [
        "engine: compiled here, - when recorded"
    ]
