"""Which tolerance a check uses: the baseline's numerics signature against this machine's."""

from __future__ import annotations

from sweeps.regress import numerics
from sweeps.regress.exact import ACROSS_MACHINES


def test_the_same_signature_compares_to_the_bit():
    assert numerics.tolerance({"numerics": numerics.here()}) == (0.0, "")


def test_another_signature_names_each_difference_and_takes_the_tolerance():
    other = dict(numerics.here(), simd="X86_V3,X86_V4", blas="SkylakeX")
    rtol, why = numerics.tolerance({"numerics": other})
    assert rtol == ACROSS_MACHINES
    assert "simd: " in why and "X86_V3,X86_V4 when recorded" in why
    assert f"blas: {numerics.here()['blas']} here, SkylakeX when recorded" in why
    assert "status and epochs exactly" in why


def test_a_baseline_without_a_signature_is_said_to_be_so():
    rtol, why = numerics.tolerance({})
    assert rtol == ACROSS_MACHINES and "recorded before signatures" in why
