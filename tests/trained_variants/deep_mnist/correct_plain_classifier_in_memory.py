# The book's DNNClassifier style: a class with fit/predict; the best parameters kept in memory and put back with tf.assign (no checkpoint restore)
# replaces: deep_mnist.plain
# expect: full
batch_size = 20
learning_rate = 0.001


class DNNClassifier:
    def __init__(self, n_hidden_layers=5, n_neurons=100, learning_rate=0.001, batch_size=20, random_state=42):
        self.n_hidden_layers, self.n_neurons = n_hidden_layers, n_neurons
        self.learning_rate, self.batch_size, self.random_state = learning_rate, batch_size, random_state
        self._session = None

    def _build_graph(self, n_inputs, n_outputs):
        tf.set_random_seed(self.random_state)
        np.random.seed(self.random_state)
        X = tf.placeholder(tf.float32, shape=(None, n_inputs), name="X")
        y = tf.placeholder(tf.int64, shape=(None,), name="y")
        hidden = dnn(X, self.n_hidden_layers, self.n_neurons, name="dnn")
        logits = tf.layers.dense(hidden, n_outputs, kernel_initializer=he_init, name="logits")
        Y_proba = tf.nn.softmax(logits, name="Y_proba")
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits), name="loss")
        training_op = tf.train.AdamOptimizer(self.learning_rate).minimize(loss)
        accuracy = tf.reduce_mean(tf.cast(tf.nn.in_top_k(logits, y, 1), tf.float32), name="accuracy")
        self._X, self._y, self._logits, self._Y_proba = X, y, logits, Y_proba
        self._loss, self._training_op, self._accuracy = loss, training_op, accuracy
        self._init = tf.global_variables_initializer()
        self._saver = tf.train.Saver()

    def _get_model_params(self):
        with self._graph.as_default():
            gvars = tf.global_variables()
        return {gvar.op.name: value for gvar, value in zip(gvars, self._session.run(gvars))}

    def _restore_model_params(self, model_params):
        gvar_names = list(model_params.keys())
        assign_ops = {name: self._graph.get_operation_by_name(name + "/Assign") for name in gvar_names}
        init_values = {name: op.inputs[1] for name, op in assign_ops.items()}
        feed_dict = {init_values[name]: model_params[name] for name in gvar_names}
        self._session.run(assign_ops, feed_dict=feed_dict)

    def fit(self, X, y, X_valid, y_valid, n_epochs=100, patience=10):
        self._graph = tf.Graph()
        with self._graph.as_default():
            self._build_graph(X.shape[1], len(np.unique(y)))
        self._session = tf.Session(graph=self._graph)
        best_loss, epochs_without_progress, best_params = np.inf, 0, None
        self._session.run(self._init)
        for epoch in range(n_epochs):
            for X_batch, y_batch in shuffle_batch(X, y, self.batch_size):
                self._session.run(self._training_op, feed_dict={self._X: X_batch, self._y: y_batch})
            loss_val, acc_val = self._session.run([self._loss, self._accuracy],
                                                  feed_dict={self._X: X_valid, self._y: y_valid})
            if loss_val < best_loss:
                best_loss, epochs_without_progress, best_params = loss_val, 0, self._get_model_params()
            else:
                epochs_without_progress += 1
            print(f"{epoch}\tvalidation loss {loss_val:.6f}\tbest {best_loss:.6f}\taccuracy {acc_val:.2%}")
            if epochs_without_progress >= patience:
                print("Early stopping!")
                break
        if best_params:
            self._restore_model_params(best_params)
        return self

    def predict_proba(self, X):
        return self._session.run(self._Y_proba, feed_dict={self._X: X})

    def predict(self, X):
        return np.argmax(self.predict_proba(X), axis=1)


clf = DNNClassifier(learning_rate=learning_rate, batch_size=batch_size)
clf.fit(X_train1, y_train1, X_valid1, y_valid1, n_epochs=n_epochs, patience=max_epochs_without_progress)
print("validation accuracy:", np.mean(clf.predict(X_valid1) == y_valid1))
with clf._graph.as_default():
    clf._saver.save(clf._session, "./exercise_8_model/model")  # the best model, for notebook 8
grader.save_for_grading("plain", clf._session, clf._X, clf._logits)
