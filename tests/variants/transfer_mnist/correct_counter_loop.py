# One pass over the rows with a per-label counter: keeps a row while its label has fewer than n; original row order.
from collections import defaultdict


def sample_n_instances_per_class(X, y, n=100):
    taken = defaultdict(int)
    keep = []
    for i, label in enumerate(y):
        if taken[label] < n:
            taken[label] += 1
            keep.append(i)
    keep = np.array(keep, dtype=int)
    return X[keep], y[keep]
