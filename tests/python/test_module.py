"""The Python module against the CLI: same bits, same files, same messages (issue 22)."""
import json
import os
import pathlib
import signal
import subprocess
import threading

import h5py
import numpy as np
import pytest

import snnsim

K, N, SEED, TEST = 60, 30, 7, 40


def run(cli, *args):
    p = subprocess.run([cli, *map(str, args)], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return p


@pytest.fixture(scope="module")
def cli_run(cli, data_dir, tmp_path_factory):
    """`snnsim train` + `eval` (clean and Gaussian) on a small case, as a user runs them."""
    out = tmp_path_factory.mktemp("cli") / "run.h5"
    run(cli, "train", "--data", data_dir, "--neurons", N, "--train-images", K, "--epochs", 2, "--seed", SEED,
        "--exc_theta_plus_mV", 0.06, "--out", out, "--threads", 2, "--quiet")
    run(cli, "eval", "--run", out, "--data", data_dir, "--test-images", TEST, "--quiet")
    run(cli, "eval", "--run", out, "--data", data_dir, "--test-images", TEST, "--noise", "gaussian", "--levels", "0.05",
        "--quiet")
    return out


@pytest.fixture(scope="module")
def py_net(mnist):
    X, y, _, _ = mnist
    net = snnsim.Network(neurons=N, seed=SEED, exc_theta_plus_mV=0.06)
    net.train(X[:K], y[:K], epochs=2, threads=1)
    net.label(X[:K], y[:K], threads=1)
    return net


def test_bits_equal_cli(cli_run, py_net, mnist):
    _, _, Xt, yt = mnist
    with h5py.File(cli_run) as f:
        g = f["network/trained"]
        assert np.array_equal(g["edges/input_to_exc/weight"][()], py_net.weights)
        assert np.array_equal(g["nodes/exc/theta_mV"][()], py_net.theta_mV)
        assert np.array_equal(g["nodes/exc/label"][()], py_net.labels)
        acc = f["eval/results/accuracy"][()]
        log = f["train/log"]
        assert np.array_equal(log["exc_spikes"][()], py_net.train_log["exc_spikes"])
    clean = py_net.evaluate(Xt[:TEST], yt[:TEST], threads=2)
    noisy = py_net.evaluate(Xt[:TEST], yt[:TEST], noise="gaussian", level=0.05)
    assert clean["accuracy"] == acc[0] and noisy["accuracy"] == acc[1]


def test_cli_reads_python_file_and_back(cli, data_dir, cli_run, py_net, mnist, tmp_path):
    X, y, Xt, yt = mnist
    path = tmp_path / "py.h5"
    py_net.save(str(path))
    with pytest.raises(snnsim.OutputError, match="exists"):
        py_net.save(str(path))
    # The CLI evaluates the Python file exactly as its own.
    p = run(cli, "eval", "--run", path, "--data", data_dir, "--test-images", TEST, "--json", "--quiet")
    with h5py.File(cli_run) as f:
        assert json.loads(p.stdout)["accuracy"] == f["eval/results/accuracy"][0]
    # Sleep: CLI on its run file == Python on the run file opened (relabel from the K images).
    run(cli, "sleep", "--run", cli_run, "--data", data_dir, "--duration-s", 1, "--quiet")
    back = snnsim.open_run(str(cli_run), state="trained")
    assert np.array_equal(back.weights, py_net.weights) and np.array_equal(back.labels, py_net.labels)
    back.label(X[:K], y[:K])
    stats = back.sleep(duration_s=1, images=X[:K])
    slept = snnsim.open_run(str(cli_run), state="slept")
    assert np.array_equal(slept.weights, back.weights)
    assert np.array_equal(slept.theta_mV, back.theta_mV)
    assert np.array_equal(slept.labels, back.labels)
    with h5py.File(cli_run) as f:
        assert np.array_equal(f["sleep/slept/exc_rate_Hz"][()], stats["exc_rate_Hz"])


def test_cli_sleep_on_python_file_asks_for_data(cli, data_dir, py_net, tmp_path):
    """A network trained from arrays records no data directory: CLI sleep refuses its default
    data/mnist (maybe not the images it was trained on) and asks for --data; save(data_dir=) records one."""
    root = pathlib.Path(__file__).resolve().parents[2]
    path = tmp_path / "nodata.h5"
    py_net.save(str(path))
    assert py_net.data_dir == ""
    p = subprocess.run([cli, "sleep", "--run", str(path), "--duration-s", "0.1", "--quiet"], cwd=root,
                       capture_output=True, text=True)
    assert p.returncode == 2, p.stderr
    assert p.stderr.strip() == (f"snnsim sleep: error: {path} records no data directory (saved from Python without "
                                "data_dir=): pass --data DIR with the images it was trained on")
    run(cli, "sleep", "--run", path, "--data", data_dir, "--duration-s", 0.1, "--quiet")
    # save(data_dir=) records it, made absolute as snnsim train records --data.
    net = snnsim.open_run(str(path))
    net.save(str(tmp_path / "withdata.h5"), data_dir=data_dir)
    assert net.data_dir == os.path.abspath(data_dir)
    assert snnsim.open_run(str(tmp_path / "withdata.h5")).data_dir == os.path.abspath(data_dir)
    if (root / "data" / "mnist").is_dir():  # the CLI's default --data, relative to where it runs
        p = subprocess.run([cli, "sleep", "--run", str(tmp_path / "withdata.h5"), "--duration-s", "0.1", "--quiet"],
                           cwd=root, capture_output=True, text=True)
        assert p.returncode == 0, p.stderr


def test_round_trip_and_continued_training(py_net, mnist, tmp_path):
    X, y, Xt, yt = mnist
    path = str(tmp_path / "r.h5")
    py_net.save(path)
    a = snnsim.open_run(path)
    assert a.params == py_net.params and a.seed == SEED and a.samples_seen == 2 * K
    assert np.array_equal(a.receptive_fields()[3], py_net.weights[:, 3].reshape(28, 28))
    assert a.evaluate(Xt, yt)["accuracy"] == py_net.evaluate(Xt, yt)["accuracy"]
    init = snnsim.open_run(path, state="init")
    assert init.labels is None and init.samples_seen == 0


def test_custom_input_not_mnist():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(40, 8, 8), dtype=np.uint8)
    y = rng.integers(0, 10, size=40)
    net = snnsim.Network(neurons=12, seed=2, n_input=64, weight_norm_total=6.4)
    r = net.train(X, y)
    assert r["images"] == 40
    net.label(X, y)
    e = net.evaluate(X, y, noise="blur", level=1.0)
    assert e["spike_counts"].shape == (40, 12) and e["predictions"].shape == (40,)
    assert 0.0 <= e["accuracy"] <= 1.0
    assert net.receptive_fields().shape == (12, 8, 8)
    with pytest.raises(ValueError, match="images have 784 pixels; n_input is 64"):
        net.train(np.zeros((3, 784), np.uint8))
    with pytest.raises(ValueError, match="0..255"):
        net.train(np.full((3, 64), 300.0))


def test_error_messages(cli, tmp_path):
    # Same one-line messages as the CLI (ValueError for options, OSError subclasses for files).
    p = subprocess.run([cli, "train", "--out", str(tmp_path / "x.h5"), "--exc_tau_m_ms", "-1"], capture_output=True,
                       text=True)
    cli_msg = p.stderr.strip().split("error: ", 1)[1]
    with pytest.raises(ValueError) as e:
        snnsim.Network(exc_tau_m_ms=-1)
    assert str(e.value) == cli_msg
    with pytest.raises(ValueError, match=r"unrecognised option '--no_such_param'"):
        snnsim.Network(no_such_param=1)
    with pytest.raises(ValueError, match="--exc_integrator"):
        snnsim.Network(exc_integrator="rk4")
    with pytest.raises(ValueError, match="--max_tries"):
        snnsim.Network(max_tries=-1)
    with pytest.raises(ValueError, match="--input must be mean-image or window"):
        snnsim.Network(neurons=5).sleep(input="nope", images=np.zeros((1, 784), np.uint8))
    with pytest.raises(ValueError, match="--noise"):
        n = snnsim.Network(neurons=5)
        n.label(np.zeros((2, 784), np.uint8), [0, 1])
        n.evaluate(np.zeros((2, 784), np.uint8), [0, 1], noise="pink")
    with pytest.raises(snnsim.RunFileError, match="no labels"):
        snnsim.Network(neurons=5).evaluate(np.zeros((2, 784), np.uint8), [0, 1])
    with pytest.raises(snnsim.RunFileError) as e:
        snnsim.open_run(str(tmp_path / "missing.h5"))
    assert isinstance(e.value, OSError) and "missing.h5" in str(e.value)
    with pytest.raises(snnsim.DataError):
        snnsim.load_idx(str(tmp_path))


def test_ctrl_c_interrupts_train(mnist):
    X, y, _, _ = mnist
    net = snnsim.Network(neurons=100, seed=1)
    seen = []
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        net.train(X, y, epochs=50, progress=lambda done, total: seen.append(done))
    timer.join()
    # Stopped at a sample boundary well before the end; the network stays usable.
    assert 0 < net.samples_seen < 50 * len(X)
    assert net.labels is None
    net.train(X[:5], y[:5])
    assert net.samples_seen >= 5 and seen


def test_progress_error_propagates(mnist):
    X, y, _, _ = mnist

    def boom(done, total):
        raise RuntimeError("from progress")

    with pytest.raises(RuntimeError, match="from progress"):
        snnsim.Network(neurons=10).train(X[:20], y[:20], progress=boom)


def test_parameters_table():
    p = snnsim.parameters()
    assert p["exc_tau_m_ms"] == 100.0 and p["n_exc"] == 400 and p["exc_integrator"] == "exponential_euler"
    net = snnsim.Network(neurons=10, exc_integrator="forward_euler", stdp_flipped_depression=True)
    assert net.params["exc_integrator"] == "forward_euler" and net.params["stdp_flipped_depression"] is True


def test_ctrl_c_interrupts_sleep_and_leaves_network(mnist):
    X, y, _, _ = mnist
    net = snnsim.Network(neurons=20, seed=1)
    net.train(X[:20], y[:20])
    w, theta = net.weights, net.theta_mV
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        net.sleep(duration_s=5000)
    timer.join()
    assert np.array_equal(net.weights, w) and np.array_equal(net.theta_mV, theta)
