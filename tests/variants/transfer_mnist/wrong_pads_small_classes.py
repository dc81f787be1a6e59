# Pads a class with fewer than n rows up to n by repeating its rows (np.resize): the same row more than once.
def sample_n_instances_per_class(X, y, n=100):
    idx = np.concatenate([np.resize(np.flatnonzero(y == c), n) for c in np.unique(y)])
    return X[idx], y[idx]
