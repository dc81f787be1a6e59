# A stable argsort by label; the first n of each run of equal labels, found from np.unique's counts.
def sample_n_instances_per_class(X, y, n=100):
    y = np.asarray(y)
    order = np.argsort(y, kind="stable")
    _, counts = np.unique(y, return_counts=True)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    keep = np.concatenate([order[s:s + min(n, c)] for s, c in zip(starts, counts)])
    return np.asarray(X)[keep], y[keep]
