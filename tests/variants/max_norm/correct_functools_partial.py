# A module-level helper bound with functools.partial; the op added with tf.add_to_collections.
import functools


def _clip_into(weights, threshold, axes, name, collection):
    clip_op = tf.assign(weights, tf.clip_by_norm(weights, threshold, axes=[axes]), name=name)
    tf.add_to_collections([collection], clip_op.op)


def max_norm_regularizer(threshold, axes=1, name="max_norm", collection="max_norm"):
    return functools.partial(_clip_into, threshold=threshold, axes=axes, name=name, collection=collection)
