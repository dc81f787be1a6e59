# The step is advanced before the update, so each update uses the next step's learning rate instead of the current one.
def scheduled_training_op(loss, initial_learning_rate=0.1, decay_steps=10000, decay_rate=0.1, momentum=0.9):
    step = tf.Variable(0, trainable=False, name="step")
    advance = tf.assign_add(step, 1)
    with tf.control_dependencies([advance]):
        current = tf.identity(step)
    learning_rate = tf.train.exponential_decay(initial_learning_rate, step, decay_steps, decay_rate)
    used_rate = tf.train.exponential_decay(initial_learning_rate, current, decay_steps, decay_rate)
    training_op = tf.train.MomentumOptimizer(used_rate, momentum=momentum).minimize(loss)
    return training_op, learning_rate
