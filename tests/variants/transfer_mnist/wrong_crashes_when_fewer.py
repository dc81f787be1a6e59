# np.random.choice(rows, n, replace=False): a ValueError when a class has fewer than n rows.
def sample_n_instances_per_class(X, y, n=100):
    idx = np.concatenate([np.random.choice(np.flatnonzero(y == c), n, replace=False) for c in np.unique(y)])
    return X[idx], y[idx]
