# A random choice without replacement of min(n, count) rows per class, then the rows shuffled together (one permutation).
def sample_n_instances_per_class(X, y, n=100):
    X, y = np.asarray(X), np.asarray(y)
    rng = np.random.default_rng()
    chosen = []
    for label in np.unique(y):
        rows = np.flatnonzero(y == label)
        chosen.append(rng.choice(rows, size=min(n, len(rows)), replace=False))
    chosen = rng.permutation(np.concatenate(chosen))
    return X[chosen], y[chosen]
