"""ShardedHammingIndex: exact radius lookup of PDQ hashes, across shards and threads."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from probandi.adapters.forensics.near_index import HASH_BYTES, ShardedHammingIndex, numpy_search

ZERO = bytes(HASH_BYTES)


def flipped(code: bytes, bits: range | list[int]) -> bytes:
    """`code` with the given bit positions inverted (bit 0 is the top bit of byte 0)."""
    out = bytearray(code)
    for bit in bits:
        out[bit // 8] ^= 0x80 >> (bit % 8)
    return bytes(out)


def random_codes(count: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    return [rng.randbytes(HASH_BYTES) for _ in range(count)]


def test_radius_is_inclusive_at_the_boundary() -> None:
    index = ShardedHammingIndex()
    index.add([(1, flipped(ZERO, range(31))), (2, flipped(ZERO, range(32))), (3, ZERO)])

    assert index.search(ZERO, 31) == [(3, 0), (1, 31)]
    assert index.search(ZERO, 32) == [(3, 0), (1, 31), (2, 32)]
    assert index.search(ZERO, 30) == [(3, 0)]
    assert index.search(ZERO, 0) == [(3, 0)]


def test_the_complement_is_found_only_at_radius_256() -> None:
    index = ShardedHammingIndex()
    index.add([(9, b"\xff" * HASH_BYTES)])

    assert index.search(ZERO, 255) == []
    assert index.search(ZERO, 256) == [(9, 256)]


def test_results_are_ordered_by_distance_then_key() -> None:
    index = ShardedHammingIndex(shard_size=2)
    index.add([(50, flipped(ZERO, [3])), (7, flipped(ZERO, [9, 10])), (8, flipped(ZERO, [200]))])
    index.add([(6, flipped(ZERO, [0])), (1, flipped(ZERO, [1, 2]))])

    assert index.search(ZERO, 5) == [(6, 1), (8, 1), (50, 1), (1, 2), (7, 2)]


def test_each_entry_is_searchable_as_soon_as_add_returns_across_shards() -> None:
    index = ShardedHammingIndex(shard_size=4)
    codes = random_codes(11, seed=1)

    for key, code in enumerate(codes):
        index.add([(key, code)])
        assert index.search(code, 0) == [(key, 0)]
        assert len(index) == key + 1
    assert sorted(k for k, _ in index.search(ZERO, 256)) == list(range(11))


def test_one_batch_spanning_several_shards_keeps_every_key() -> None:
    index = ShardedHammingIndex(shard_size=4)
    codes = random_codes(14, seed=2)
    index.add([(100, codes[0]), (101, codes[1])])

    index.add([(100 + i, code) for i, code in enumerate(codes[2:], start=2)])

    assert len(index) == 14
    for key, code in enumerate(codes, start=100):
        assert index.search(code, 0) == [(key, 0)]


def test_empty_index_finds_nothing() -> None:
    index = ShardedHammingIndex()

    assert index.search(ZERO, 256) == []
    assert len(index) == 0


def test_empty_batch_changes_nothing() -> None:
    index = ShardedHammingIndex()
    index.add([])

    assert len(index) == 0
    assert index.search(ZERO, 256) == []


@pytest.mark.parametrize("size", [0, 31, 33, 64])
def test_a_hash_of_the_wrong_length_is_refused_and_nothing_is_added(size: int) -> None:
    index = ShardedHammingIndex()

    with pytest.raises(ValueError, match="key 2"):
        index.add([(1, ZERO), (2, bytes(size))])
    assert len(index) == 0
    assert index.search(ZERO, 256) == []


def test_a_query_of_the_wrong_length_or_a_negative_radius_is_refused() -> None:
    index = ShardedHammingIndex()
    index.add([(1, ZERO)])

    with pytest.raises(ValueError, match="32 bytes"):
        index.search(bytes(31), 10)
    with pytest.raises(ValueError, match="radius"):
        index.search(ZERO, -1)


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="shard_size"):
        ShardedHammingIndex(shard_size=0)
    with pytest.raises(ValueError, match="threads"):
        ShardedHammingIndex(threads=0)


@pytest.mark.parametrize("threads", [1, 2])
def test_matches_the_numpy_oracle_on_random_data(threads: int) -> None:
    rng = np.random.default_rng(20261130)
    hashes = rng.integers(0, 256, size=(3000, HASH_BYTES), dtype=np.uint8)
    queries = [hashes[i].tobytes() for i in rng.integers(0, len(hashes), 12)]
    for i, query in enumerate(queries):  # near-duplicates at 1..31 bits from each query
        hashes[100 + i] = np.frombuffer(flipped(query, range(1 + i * 2)), dtype=np.uint8)
    index = ShardedHammingIndex(shard_size=700, threads=threads)
    index.add([(5000 + row, code.tobytes()) for row, code in enumerate(hashes)])

    for query in queries:
        for radius in (0, 31, 100, 118):
            expected = [(5000 + row, d) for row, d in numpy_search(hashes, query, radius)]
            assert index.search(query, radius) == expected


@settings(max_examples=50, deadline=None)
@given(
    codes=st.lists(st.binary(min_size=HASH_BYTES, max_size=HASH_BYTES), max_size=20),
    query=st.binary(min_size=HASH_BYTES, max_size=HASH_BYTES),
    radius=st.integers(0, 256),
)
def test_search_equals_a_plain_bit_count(codes: list[bytes], query: bytes, radius: int) -> None:
    index = ShardedHammingIndex(shard_size=3)
    index.add(list(enumerate(codes)))
    q = int.from_bytes(query, "big")
    distances = [(int.from_bytes(c, "big") ^ q).bit_count() for c in codes]
    expected = sorted((d, k) for k, d in enumerate(distances) if d <= radius)

    assert index.search(query, radius) == [(k, d) for d, k in expected]


def test_numpy_oracle_refuses_a_badly_shaped_array() -> None:
    with pytest.raises(ValueError, match="uint8"):
        numpy_search(np.zeros((3, 16), dtype=np.uint8), ZERO, 3)


def test_concurrent_adds_and_searches_find_everything_added_before_the_search() -> None:
    index = ShardedHammingIndex(shard_size=64, threads=2)
    codes = random_codes(1200, seed=3)
    added: list[int] = []  # keys whose add() has returned, in order
    start = threading.Barrier(3)

    def writer() -> None:
        start.wait()
        for first in range(0, len(codes), 10):
            index.add([(key, codes[key]) for key in range(first, first + 10)])
            added.extend(range(first, first + 10))

    def searcher() -> int:
        start.wait()
        rounds = 0
        while len(added) < len(codes):
            before = set(added)
            found = {key for key, _ in index.search(ZERO, 256)}
            assert before <= found
            rounds += 1
        return rounds

    with ThreadPoolExecutor(3) as pool:
        searches = [pool.submit(searcher), pool.submit(searcher)]
        pool.submit(writer).result()
        assert all(s.result() >= 0 for s in searches)
    assert len(index) == len(codes)
    assert {key for key, _ in index.search(ZERO, 256)} == set(range(len(codes)))


def test_a_radius_beyond_256_bits_finds_everything() -> None:
    index = ShardedHammingIndex()
    index.add([(1, b"\xff" * HASH_BYTES), (2, ZERO)])

    assert index.search(ZERO, 10**12) == [(2, 0), (1, 256)]


@pytest.mark.parametrize("threads", [1, 2])
def test_many_queries_at_once_find_what_each_finds_alone(threads: int) -> None:
    codes = random_codes(5_000, seed=11)
    index = ShardedHammingIndex(shard_size=1_000, threads=threads)
    index.add(list(enumerate(codes)))
    rng = random.Random(12)
    queries = [
        flipped(codes[rng.randrange(len(codes))], rng.sample(range(256), 9)) for _ in range(6)
    ]
    queries.append(random_codes(1, seed=13)[0])  # near nothing
    queries.append(queries[0])  # the same query twice
    together = index.search_many(queries, 31)
    stored = np.frombuffer(b"".join(codes), dtype=np.uint8).reshape(len(codes), HASH_BYTES)
    assert together == [numpy_search(stored, q, 31) for q in queries]
    assert all(together[i] for i in range(6))
    assert together[6] == []
    assert index.search_many([], 31) == []
