# Shuffles X_small and y_small with two different permutations: the rows lose their labels.
def sample_n_instances_per_class(X, y, n=100):
    idx = np.concatenate([np.flatnonzero(y == c)[:n] for c in np.unique(y)])
    X_small, y_small = X[idx], y[idx]
    return X_small[np.random.permutation(len(idx))], y_small[np.random.permutation(len(idx))]
