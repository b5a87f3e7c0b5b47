"""benchmarks/knn_balance.py: the balanced assignments it measures against
the library's (the timings themselves are the benchmark's business)."""
import numpy as np
from benchmark_scripts import load_benchmark


def candidates(n=600, nlist=12, width=4, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 8)).astype(np.float32)
    x[: n // 2] += 3  # half the units near one corner: unequal lists
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    centroids = rng.standard_normal((nlist, 8)).astype(np.float32)
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    sim = x @ centroids.T
    cand = np.argsort(-sim, 1, kind="stable")[:, :width]
    return cand, np.take_along_axis(sim, cand, 1), centroids


def test_capacity_assign_bounds_lists_and_keeps_units_that_would_lose_most():
    balance = load_benchmark("knn_balance")
    cand, score, _ = candidates(width=12)  # every list a candidate: room for every unit
    nearest = np.bincount(cand[:, 0], minlength=12)
    assign, unplaced = balance.capacity_assign(cand, score, 12, 1.25)
    cap = int(np.ceil(1.25 * 600 / 12))
    assert nearest.max() > cap  # the test needs an over-full list
    assert unplaced == 0 and np.bincount(assign, minlength=12).max() <= cap
    # an over-full list keeps the units that would lose the most by moving
    full = np.argmax(nearest)
    kept = (cand[:, 0] == full) & (assign == full)
    moved = (cand[:, 0] == full) & (assign != full)
    regret = score[:, 0] - score[:, 1]
    assert kept.sum() == cap and moved.any()
    assert regret[moved].max() <= regret[kept].min()
    # with fewer candidates, the units without room go back to their nearest list
    few, unplaced = balance.capacity_assign(cand[:, :2], score[:, :2], 12, 1.25)
    assert unplaced > 0 and (few[:, None] == cand[:, :2]).any(1).all()
    # a capacity no list reaches keeps every unit in its nearest list
    assert np.array_equal(balance.capacity_assign(cand, score, 12, 100.0)[0], cand[:, 0])


def test_power_cells_balance_and_rank_by_the_penalised_distance():
    balance = load_benchmark("knn_balance")
    cand, score, centroids = candidates()
    cells, cell_score = balance.power_cells(cand, score, centroids, 12, 0.05)
    # the same candidates with their own similarities, re-ranked
    assert np.array_equal(np.sort(cells, 1), np.sort(cand, 1))
    order = np.argsort(cand, 1)
    assert np.allclose(np.take_along_axis(score, order, 1),
                       np.take_along_axis(cell_score, np.argsort(cells, 1), 1))
    before = np.bincount(cand[:, 0], minlength=12)
    after = np.bincount(cells[:, 0], minlength=12)
    assert after.std() < before.std()
    # no penalty growth: the nearest ranking
    assert np.array_equal(balance.power_cells(cand, score, centroids, 12, 0.0)[0], cand)
