# A brand-new softmax layer "new_logits" on hidden5 (the old logits layer unused), its own loss and Adam; cached hidden5; hands in new_logits
# replaces: transfer_mnist.train
# expect: full
learning_rate = 0.01
new_logits = tf.layers.dense(hidden5, n_outputs, kernel_initializer=tf.variance_scaling_initializer(scale=2.0),
                             name="new_logits")
new_loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=new_logits), name="new_loss")
new_accuracy = tf.reduce_mean(tf.cast(tf.nn.in_top_k(new_logits, y, 1), tf.float32), name="new_accuracy")
new_vars = tf.trainable_variables(scope="new_logits")
training_op = tf.train.AdamOptimizer(learning_rate, name="Adam_new").minimize(new_loss, var_list=new_vars)
init = tf.global_variables_initializer()
saver = tf.train.Saver()

with tf.Session() as sess:
    init.run()
    restore_saver.restore(sess, "exercise_8_model/model")   # after init: the reused layers get the exercise-8 values
    h_train = sess.run(hidden5, feed_dict={X: X_train2})
    h_valid = sess.run(hidden5, feed_dict={X: X_valid2})
    best, patience_left = np.inf, max_epochs_without_progress
    for epoch in range(n_epochs):
        for h_batch, y_batch in shuffle_batch(h_train, y_train2, 20):
            sess.run(training_op, feed_dict={hidden5: h_batch, y: y_batch})
        val_loss = sess.run(new_loss, feed_dict={hidden5: h_valid, y: y_valid2})
        if val_loss < best:
            best, patience_left = val_loss, max_epochs_without_progress
            saver.save(sess, "./exercise_9_new/model")
        else:
            patience_left -= 1
            if patience_left == 0:
                break
    saver.restore(sess, "./exercise_9_new/model")
    print("validation accuracy:", new_accuracy.eval(feed_dict={X: X_valid2, y: y_valid2}))
    grader.save_for_grading("transfer", sess, X, new_logits)
