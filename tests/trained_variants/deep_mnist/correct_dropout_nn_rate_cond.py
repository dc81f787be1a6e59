# Dropout with tf.nn.dropout whose rate is tf.cond(training, dropout_rate, 0.0): rate 0 keeps everything at test time; dnn() builds the layers, no early-stopping helper
# replaces: deep_mnist.dropout
# expect: full
batch_size = 20
learning_rate = 0.001
dropout_rate = 0.5
reset_graph()
X = tf.placeholder(tf.float32, shape=(None, n_inputs), name="X")
y = tf.placeholder(tf.int64, shape=(None,), name="y")
training = tf.placeholder_with_default(False, shape=(), name="training")
rate = tf.cond(training, lambda: tf.constant(dropout_rate), lambda: tf.constant(0.0))


def dropout_elu(z):
    return tf.nn.dropout(tf.nn.elu(z), rate=rate)


hidden5 = dnn(X, name="dnn", activation=dropout_elu)     # dropout on the output of every hidden layer
logits = tf.layers.dense(hidden5, n_outputs, kernel_initializer=he_init, name="logits")
loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits), name="loss")
training_op = tf.train.AdamOptimizer(learning_rate).minimize(loss)
accuracy = tf.reduce_mean(tf.cast(tf.nn.in_top_k(logits, y, 1), tf.float32), name="accuracy")
saver = tf.train.Saver()

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    best_loss, wait = np.inf, 0
    for epoch in range(n_epochs):
        for X_batch, y_batch in shuffle_batch(X_train1, y_train1, batch_size):
            sess.run(training_op, feed_dict={X: X_batch, y: y_batch, training: True})
        loss_val, acc_val = sess.run([loss, accuracy], feed_dict={X: X_valid1, y: y_valid1})
        print(epoch, loss_val, acc_val)
        if loss_val < best_loss:
            best_loss, wait = loss_val, 0
            saver.save(sess, "./exercise_8_dropout_nn/model")
        elif (wait := wait + 1) >= max_epochs_without_progress:
            break
    saver.restore(sess, "./exercise_8_dropout_nn/model")
    grader.save_for_grading("dropout", sess, X, logits, training)
