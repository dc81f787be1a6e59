# tf.train.exponential_decay with staircase=False spelled out, a non-trainable int64 step from tf.get_variable, the pair returned as a list.
def scheduled_training_op(loss, initial_learning_rate=0.1, decay_steps=10000, decay_rate=0.1, momentum=0.9):
    with tf.variable_scope("schedule"):
        step = tf.get_variable("step", shape=(), dtype=tf.int64, initializer=tf.zeros_initializer(),
                               trainable=False)
        rate = tf.train.exponential_decay(initial_learning_rate, step, decay_steps, decay_rate, staircase=False)
    opt = tf.train.MomentumOptimizer(learning_rate=rate, momentum=momentum, use_nesterov=False)
    return [opt.minimize(loss, global_step=step), rate]
