"""Long fits run as jobs in Go: Python threads keep running (the GIL is
released) and Ctrl-C cancels the fit in the engine promptly.

These are the slow tests of the suite: each runs a fit of a few seconds.
"""

from __future__ import annotations

import _thread
import bisect
import threading
import time

import numpy as np
import pyarrow as pa
import pytest

import quiver

N_ROWS = 1_500_000
N_FEATURES = 20
FEATURES = [f"f{j}" for j in range(N_FEATURES)]


@pytest.fixture(scope="module")
def long_fit_table() -> pa.Table:
    """A logistic-regression problem big enough that a fit takes seconds."""
    rng = np.random.default_rng(12)
    # Column-major, so that every column is contiguous and crosses without a copy.
    x = np.asfortranarray(rng.standard_normal(size=(N_ROWS, N_FEATURES)))
    x += 0.8 * rng.standard_normal(size=(N_ROWS, 1))  # correlated features
    x *= np.arange(1.0, N_FEATURES + 1.0)
    beta = 0.3 / np.arange(1.0, N_FEATURES + 1.0) * (-1.0) ** np.arange(N_FEATURES)
    logit = x @ beta
    columns = {f"f{j}": x[:, j] for j in range(N_FEATURES)}
    columns["label"] = (rng.random(N_ROWS) < 1.0 / (1.0 + np.exp(-logit))).astype(np.int64)
    # Five classes: a multinomial fit costs ~25 times a binary one per pass
    # (its Hessian is (5p)x(5p)), over ten seconds here, so a fit that does not
    # stop on Ctrl-C cannot pass for one that does.
    columns["label5"] = np.digitize(logit + rng.standard_normal(N_ROWS), [-1.5, -0.5, 0.5, 1.5])
    return pa.table(columns)


def _long_fit_params() -> dict:
    sp = quiver.space("logistic_regression")
    return {"l2": 1e-6, "standardize": False, "tol": sp["tol"].low,
            "max_iter": int(min(sp["max_iter"].high, 2000)), "n_threads": 1}


class Counter(threading.Thread):
    """Counts loop iterations until stopped, a stand-in for Python work, and
    notes the time every 256 iterations (a fraction of a millisecond)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.count = 0
        self.stamps: list[float] = []
        self._stop_event = threading.Event()

    def run(self) -> None:
        clock, stamps, stopped = time.perf_counter, self.stamps, self._stop_event.is_set
        while not stopped():
            self.count += 1
            if not self.count & 255:
                stamps.append(clock())

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


class WaitRecorder:
    """Stands in for the engine module in quiver._learners and records when
    each JobWait call (the main thread's wait for the fit) starts and ends."""

    def __init__(self, real) -> None:
        self._real = real
        self.calls: list[tuple[float, float]] = []

    def __getattr__(self, name):
        return getattr(self._real, name)

    def JobWait(self, job, timeout_ms):  # noqa: N802 - the engine's name
        started = time.perf_counter()
        done = self._real.JobWait(job, timeout_ms)
        self.calls.append((started, time.perf_counter()))
        return done


def test_python_threads_run_while_go_fits(long_fit_table, monkeypatch):
    import quiver._learners

    counter = Counter()
    recorder = WaitRecorder(quiver._learners.engine)
    monkeypatch.setattr(quiver._learners, "engine", recorder)
    counter.start()
    start, before = time.perf_counter(), counter.count
    try:
        # Two iterations of the five-class fit: seconds of work in Go,
        # however fast a binary fit becomes.
        params = {**_long_fit_params(), "max_iter": 2}
        predict, _, log = quiver.logistic_regression(long_fit_table, target="label5", features=FEATURES,
                                                     progress=False, **params)
    finally:
        seconds = time.perf_counter() - start
        during = counter.count - before
        counter.stop()

    assert seconds > 1.0, f"the fit took only {seconds:.2f}s; make the problem bigger so the test means something"
    assert log["logistic_regression"]["iterations"] > 0
    assert during > 100_000, f"the counter advanced only {during} times in {seconds:.2f}s"

    # The counter runs only while it holds the GIL. Were the GIL kept during
    # a JobWait call, the counter could run only at the call's edges (when
    # the main thread is between calls, and for at most one 5 ms switch
    # interval after), never in its middle. So look at the middle of every
    # wait that lasted (not the last one, which returns as the fit ends).
    margin = 0.012
    waits = [(s + margin, e - margin) for s, e in recorder.calls if e - s > 0.04]
    assert len(waits) >= 10, f"only {len(waits)} full waits in a {seconds:.2f}s fit"
    stamps = counter.stamps
    ran = sum(1 for lo, hi in waits if bisect.bisect_right(stamps, lo) < bisect.bisect_left(stamps, hi))
    # A busy machine may starve the thread through a few of them.
    assert ran >= 0.5 * len(waits), f"the counter ran in the middle of only {ran} of {len(waits)} waits"


def test_ctrl_c_cancels_the_fit_within_a_second(long_fit_table, capsys):
    fired: dict[str, float] = {}

    def interrupt() -> None:
        fired["at"] = time.perf_counter()
        _thread.interrupt_main()

    timer = threading.Timer(0.5, interrupt)
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            quiver.logistic_regression(long_fit_table, target="label5", features=FEATURES, progress=True,
                                       **_long_fit_params())
        caught = time.perf_counter()
    finally:
        timer.cancel()
        timer.join()
    assert "at" in fired, "the fit finished before the interrupt: make the problem bigger"
    assert caught - fired["at"] < 1.0, f"the fit stopped {caught - fired['at']:.2f}s after Ctrl-C"

    # The engine really stopped: the process no longer burns CPU.
    cpu = time.process_time()
    time.sleep(0.5)
    assert time.process_time() - cpu < 0.2

    # A progress bar was shown for the fit.
    assert "logistic_regression" in capsys.readouterr().err


def test_engine_works_after_a_cancelled_fit(synthetic_binary):
    # Runs after the cancellation test: the engine is still healthy.
    predict, scored, log = quiver.logistic_regression(synthetic_binary, target="y")
    assert log["logistic_regression"]["converged"] is True
    assert len(scored["prediction"]) == len(synthetic_binary["y"])


def test_fits_in_parallel_python_threads(synthetic_regression, synthetic_binary):
    # Several fits at once from Python threads give the same models as one at a time.
    expected_reg = quiver.linear_regression(synthetic_regression, target="y", l2=1.0)[0].to_bytes()
    expected_clf = quiver.logistic_regression(synthetic_binary, target="y", l2=1.0)[0].to_bytes()
    results: list = [None] * 8
    errors: list = []

    def work(i: int) -> None:
        try:
            if i % 2:
                results[i] = quiver.linear_regression(synthetic_regression, target="y", l2=1.0)[0].to_bytes()
            else:
                results[i] = quiver.logistic_regression(synthetic_binary, target="y", l2=1.0)[0].to_bytes()
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for i, r in enumerate(results):
        assert r == (expected_reg if i % 2 else expected_clf)
