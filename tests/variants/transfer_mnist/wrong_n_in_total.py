# n in total instead of per class: n // (number of classes) rows of each class.
def sample_n_instances_per_class(X, y, n=100):
    classes = np.unique(y)
    per_class = n // len(classes)
    idx = np.concatenate([np.flatnonzero(y == c)[:per_class] for c in classes])
    return X[idx], y[idx]
