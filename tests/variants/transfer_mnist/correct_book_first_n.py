# The book's idea: for each label of np.unique(y), the first n rows with that label (boolean mask, then [:n]).
def sample_n_instances_per_class(X, y, n=100):
    Xs, ys = [], []
    for label in np.unique(y):
        idx = (y == label)
        Xs.append(X[idx][:n])
        ys.append(y[idx][:n])
    return np.concatenate(Xs), np.concatenate(ys)
