# The last n rows of each class (a free choice), taken from a random permutation of the data (X and y permuted together).
def sample_n_instances_per_class(X, y, n=100):
    perm = np.random.permutation(len(y))
    X, y = X[perm], y[perm]
    pieces = [np.flatnonzero(y == c)[-n:] for c in np.unique(y)]
    idx = np.concatenate(pieces)
    return X[idx], y[idx]
