# Trains on the whole digits 5-9 training set (X_train2_full, 3,436 images in the sample) instead of 100 per digit; only the output layer learns, so the gain is small (measured 88.2% vs the reference's 84.4% on the sample's test split): not expected to be refused as 'far above'
# replaces: transfer_mnist.train
# expect: full
learning_rate = 0.01
output_layer_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="logits")
training_op = tf.train.AdamOptimizer(learning_rate, name="Adam2").minimize(loss, var_list=output_layer_vars)
init = tf.global_variables_initializer()
saver = tf.train.Saver()

with tf.Session() as sess:
    init.run()
    restore_saver.restore(sess, "exercise_8_model/model")
    h_train = hidden5.eval(feed_dict={X: X_train2_full})
    h_valid = hidden5.eval(feed_dict={X: X_valid2})
    best_loss, epochs_without_progress = np.inf, 0
    for epoch in range(n_epochs):
        for h_batch, y_batch in shuffle_batch(h_train, y_train2_full, 20):
            sess.run(training_op, feed_dict={hidden5: h_batch, y: y_batch})
        loss_val = sess.run(loss, feed_dict={hidden5: h_valid, y: y_valid2})
        if loss_val < best_loss:
            best_loss, epochs_without_progress = loss_val, 0
            saver.save(sess, "./exercise_9_model/model")
        else:
            epochs_without_progress += 1
            if epochs_without_progress >= max_epochs_without_progress:
                break
    saver.restore(sess, "./exercise_9_model/model")
    print("validation accuracy:", accuracy.eval(feed_dict={X: X_valid2, y: y_valid2}))
    grader.save_for_grading("transfer", sess, X, logits)
