"""Many replications' random streams computed together (``streams``) are the streams of
``stream``, draw for draw, whatever the roots (one or several 32-bit words, zero), the
process name and its sub-keys."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from teachsim.model.streams import stream, streams

ROOT = st.one_of(st.integers(0, 2**32 + 5), st.integers(0, 2**64 - 1),
                 st.sampled_from([0, 1, 2**32 - 1, 2**32, 2**63 - 1]))


@settings(max_examples=200, deadline=None)
@given(roots=st.lists(ROOT, min_size=1, max_size=8),
       name=st.sampled_from(["absence", "hiring", "coverage", "leaders.select", ""]),
       extra=st.lists(st.integers(0, 2**40), max_size=3))
def test_batched_streams_equal_single_streams(roots: list[int], name: str,
                                              extra: list[int]) -> None:
    together = streams(roots, name, *extra)
    assert len(together) == len(roots)
    for rng, root in zip(together, roots, strict=True):
        alone = stream(root, name, *extra)
        assert rng.bit_generator.state == alone.bit_generator.state
        assert np.array_equal(rng.random(4), alone.random(4))


def test_streams_of_a_replication_are_independent_of_the_others() -> None:
    a = streams([5, 6, 7], "hiring", 2)[1].random(3)
    b = streams([6], "hiring", 2)[0].random(3)
    assert np.array_equal(a, b)
