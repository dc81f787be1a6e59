# np.random.choice with replacement (the default): rows can repeat, and small classes get n rows with repeats.
def sample_n_instances_per_class(X, y, n=100):
    idx = np.concatenate([np.random.choice(np.flatnonzero(y == c), n) for c in np.unique(y)])
    return X[idx], y[idx]
