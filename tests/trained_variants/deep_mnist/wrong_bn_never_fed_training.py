# Batch norm with the update ops, but `training` is never fed True: BN always uses its (never updated) moving statistics
# replaces: deep_mnist.batch_norm
# expect: fails batch_norm "update ops"
batch_size = 20
learning_rate = 0.001
reset_graph()
X = tf.placeholder(tf.float32, shape=(None, n_inputs), name="X")
y = tf.placeholder(tf.int64, shape=(None,), name="y")
training = tf.placeholder_with_default(False, shape=(), name="training")
with tf.variable_scope("dnn"):
    hidden = X
    for layer in range(5):
        hidden = tf.layers.dense(hidden, 100, kernel_initializer=he_init, name="hidden%d" % (layer + 1))
        hidden = tf.layers.batch_normalization(hidden, training=training, momentum=0.9)
        hidden = tf.nn.elu(hidden)
logits = tf.layers.dense(hidden, n_outputs, kernel_initializer=he_init, name="logits")
loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits), name="loss")
with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
    training_op = tf.train.AdamOptimizer(learning_rate).minimize(loss)
accuracy = tf.reduce_mean(tf.cast(tf.nn.in_top_k(logits, y, 1), tf.float32), name="accuracy")
init = tf.global_variables_initializer()
saver = tf.train.Saver()

with tf.Session() as sess:
    init.run()
    best_loss, epochs_without_progress = np.inf, 0
    for epoch in range(n_epochs):
        for X_batch, y_batch in shuffle_batch(X_train1, y_train1, batch_size):
            sess.run(training_op, feed_dict={X: X_batch, y: y_batch})        # training left False
        loss_val, acc_val = sess.run([loss, accuracy], feed_dict={X: X_valid1, y: y_valid1})
        print(epoch, "validation loss", loss_val, "accuracy", acc_val)
        if loss_val < best_loss:
            best_loss, epochs_without_progress = loss_val, 0
            saver.save(sess, "./exercise_8_bn/model")
        else:
            epochs_without_progress += 1
            if epochs_without_progress >= max_epochs_without_progress:
                break
    saver.restore(sess, "./exercise_8_bn/model")
    grader.save_for_grading("batch_norm", sess, X, logits, training)
