# Returns the class indices 0..k-1 (np.unique's return_inverse) instead of the labels from y.
def sample_n_instances_per_class(X, y, n=100):
    classes, codes = np.unique(y, return_inverse=True)
    idx = np.concatenate([np.flatnonzero(codes == k)[:n] for k in range(len(classes))])
    return X[idx], codes[idx]
