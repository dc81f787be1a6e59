# Returns the clipped tensor instead of adding an assign op to the collection.
def max_norm_regularizer(threshold, axes=1, name="max_norm", collection="max_norm"):
    def max_norm(weights):
        return tf.clip_by_norm(weights, clip_norm=threshold, axes=axes)
    return max_norm
