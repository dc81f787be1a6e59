# The formula by hand with tf.pow on a float step variable, incremented by tf.assign_add after the update (control dependencies).
def scheduled_training_op(loss, initial_learning_rate=0.1, decay_steps=10000, decay_rate=0.1, momentum=0.9):
    step = tf.Variable(0.0, trainable=False, dtype=tf.float32, name="step")
    learning_rate = initial_learning_rate * tf.pow(tf.constant(decay_rate, tf.float32), step / float(decay_steps))
    update = tf.train.MomentumOptimizer(learning_rate, momentum=momentum).minimize(loss)
    with tf.control_dependencies([update]):
        training_op = tf.assign_add(step, 1.0)
    return training_op, learning_rate
