# Wrong (corpus 2, written apart from the grader): computes with NumPy inside tf.py_func: values right, but no gradient (and unknown static shape) -> the MLP cannot train its hidden layers
def leaky_relu(z, alpha=0.01, name=None):
    return tf.py_func(lambda x: np.maximum(alpha * x, x).astype(x.dtype), [z], z.dtype, name=name)
