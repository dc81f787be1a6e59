# Early stopping that saves the best model but never restores it: the last epoch's model is handed in (not detectable: 97.36% vs the reference's 97.83% on the sample's test split, within the 1.5-point margin)
# replaces: deep_mnist.plain
# expect: full
batch_size = 20
learning_rate = 0.001
reset_graph()
X = tf.placeholder(tf.float32, shape=(None, n_inputs), name="X")
y = tf.placeholder(tf.int64, shape=(None,), name="y")
hidden5 = dnn(X, name="dnn")
logits = tf.layers.dense(hidden5, n_outputs, kernel_initializer=he_init, name="logits")
Y_proba = tf.nn.softmax(logits, name="Y_proba")
loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits), name="loss")
training_op = tf.train.AdamOptimizer(learning_rate).minimize(loss)
accuracy = tf.reduce_mean(tf.cast(tf.nn.in_top_k(logits, y, 1), tf.float32), name="accuracy")
init = tf.global_variables_initializer()
saver = tf.train.Saver()

with tf.Session() as sess:
    init.run()
    best_loss, epochs_without_progress = np.inf, 0
    for epoch in range(n_epochs):
        for X_batch, y_batch in shuffle_batch(X_train1, y_train1, batch_size):
            sess.run(training_op, feed_dict={X: X_batch, y: y_batch})
        loss_val, acc_val = sess.run([loss, accuracy], feed_dict={X: X_valid1, y: y_valid1})
        if loss_val < best_loss:
            best_loss, epochs_without_progress = loss_val, 0
            saver.save(sess, "./exercise_8_model/model")
        else:
            epochs_without_progress += 1
        print(f"{epoch}\tvalidation loss: {loss_val:.6f}\tbest: {best_loss:.6f}\taccuracy: {acc_val:.2%}")
        if epochs_without_progress >= max_epochs_without_progress:
            print("Early stopping!")
            break
    grader.save_for_grading("plain", sess, X, logits)   # the last model, not the best one
