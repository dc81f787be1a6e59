# tf.train.get_or_create_global_step() (int64, in the GLOBAL_STEP collection) instead of a hand-made variable.
def scheduled_training_op(loss, initial_learning_rate=0.1, decay_steps=10000, decay_rate=0.1, momentum=0.9):
    step = tf.train.get_or_create_global_step()
    lr = tf.train.exponential_decay(learning_rate=initial_learning_rate, global_step=step,
                                    decay_steps=decay_steps, decay_rate=decay_rate, name="lr")
    return tf.train.MomentumOptimizer(lr, momentum).minimize(loss, global_step=step), lr
