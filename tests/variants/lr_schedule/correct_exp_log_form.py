# decay_rate ** (k / decay_steps) written as exp(k / decay_steps * log(decay_rate)); an int64 step advanced after the update (control dependencies), both grouped into one op.
import math


def scheduled_training_op(loss, initial_learning_rate=0.1, decay_steps=10000, decay_rate=0.1, momentum=0.9):
    k = tf.Variable(0, trainable=False, dtype=tf.int64, name="k")
    exponent = tf.cast(k, tf.float32) / tf.cast(decay_steps, tf.float32)
    learning_rate = tf.constant(initial_learning_rate, tf.float32) * tf.exp(exponent * math.log(decay_rate))
    minimize = tf.train.MomentumOptimizer(learning_rate, momentum=momentum).minimize(loss)
    with tf.control_dependencies([minimize]):
        advance = k.assign_add(1)
    return tf.group(minimize, advance), learning_rate
