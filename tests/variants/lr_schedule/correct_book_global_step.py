# The book's code: a global_step variable, tf.train.exponential_decay, MomentumOptimizer, minimize(global_step=...).
def scheduled_training_op(loss, initial_learning_rate=0.1, decay_steps=10000, decay_rate=0.1, momentum=0.9):
    global_step = tf.Variable(0, trainable=False, name="global_step")
    learning_rate = tf.train.exponential_decay(initial_learning_rate, global_step,
                                               decay_steps, decay_rate)
    optimizer = tf.train.MomentumOptimizer(learning_rate, momentum=momentum)
    training_op = optimizer.minimize(loss, global_step=global_step)
    return training_op, learning_rate
