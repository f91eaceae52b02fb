"""--executor dask on a real LocalCluster (two worker processes): the same JSON as the
local pool, a worker killed mid-run changes nothing, an unreachable scheduler is one line
and exit code 2, Ctrl-C cancels the run and leaves no process behind."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from whorunsit import api
from whorunsit.app import app
from whorunsit.distribute import ClusterError, open_executor

dask = pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")
from whorunsit.distribute import dask_cluster  # noqa: E402

OPS = "scenarios/you-build-it-ops-run-it.yaml"  # the compiled kernel
YOU = "scenarios/you-build-it-you-run-it.yaml"
SWARMING = "scenarios/swarming.yaml"  # swarm tiers
TIERS3 = "benchmarks/tiers3.yaml"  # the fast path
AT_SCALE = "benchmarks/at-scale-30.yaml"
WHORUNSIT = [sys.executable, "-m", "whorunsit"]
cli = CliRunner()


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as c:
        yield c


@pytest.fixture(scope="module")
def client(cluster):
    with distributed.Client(cluster, set_as_default=False) as c:
        yield c


def invoke(*args):
    result = cli.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def same_results(a, b) -> None:
    assert a.samples.keys() == b.samples.keys()
    for name in a.samples:
        np.testing.assert_array_equal(a.samples[name], b.samples[name], err_msg=name)
    assert a.histograms.keys() == b.histograms.keys()
    for name in a.histograms:
        np.testing.assert_array_equal(a.histograms[name], b.histograms[name], err_msg=name)


# -- the same numbers -------------------------------------------------------------------
@pytest.mark.parametrize(("scenario", "n"), [(OPS, 40), (TIERS3, 60), (SWARMING, 6)])
def test_simulate_on_the_cluster_writes_the_local_json(cluster, scenario, n):
    flags = ["simulate", scenario, "-n", str(n), "--seed", "11", "-f", "json", "-q"]
    code, local, _ = invoke(*flags)
    assert code == 0
    code, one, _ = invoke(*flags, "--workers", "1")
    assert code == 0 and one == local
    code, remote, err = invoke(*flags, "--executor", "dask", "--scheduler",
                               cluster.scheduler_address)
    assert code == 0, err
    assert remote == local
    assert json.loads(remote)["replications"] == n


def test_compare_and_gate_on_the_cluster_give_the_local_reports(cluster):
    address = cluster.scheduler_address
    compare = ["compare", OPS, YOU, "-n", "20", "--seed", "3", "-f", "json", "-q"]
    gate = ["gate", YOU, "--baseline", OPS, "-n", "10", "--max-replications", "40",
            "--seed", "3", "-f", "json", "-q"]
    for flags in (compare, gate):
        local = invoke(*flags)
        remote = invoke(*flags, "--scheduler", address)  # --scheduler alone means dask
        assert remote[0] == local[0] and remote[0] in (0, 1), remote[2]
        assert remote[1] == local[1]


@pytest.mark.parametrize("command", [
    ["sweep", "--vary", "teams.app-ops.responders=2,3"],
    ["optimise", "--vary", "teams.app-ops.responders=2,3", "--minimise", "cost.total",
     "--budget", "40"],
    ["sensitivity", "--vary", "teams.app-ops.responders=2..3", "--no-sobol"],
], ids=lambda c: c[0])
def test_the_decision_commands_on_the_cluster_give_the_local_json(cluster, client, command):
    flags = [*command[:1], OPS, *command[1:], "-n", "4", "--seed", "3", "-f", "json", "-q"]
    code, local, _ = invoke(*flags)
    assert code in (0, 1)

    def transitions(dask_scheduler=None):
        return dask_scheduler.transition_counter

    before = client.run_on_scheduler(transitions)
    code_dask, remote, _ = invoke(*flags, "--scheduler", cluster.scheduler_address)
    assert (code_dask, remote) == (code, local)
    assert client.run_on_scheduler(transitions) > before  # the cluster did the work


def test_precision_batches_on_the_cluster_are_the_local_ones(cluster):
    scenario = api.load(OPS)
    local = api.simulate(scenario, replications=8, seed=2, precision=0.04,
                         max_replications=60)
    with open_executor("dask", cluster.scheduler_address) as executor:
        remote = api.simulate(scenario, replications=8, seed=2, precision=0.04,
                              max_replications=60, executor=executor)
    assert remote.replications == local.replications > 8
    same_results(local, remote)


def test_sweep_points_map_in_order_with_progress(cluster):
    seen = []
    with open_executor("dask", cluster.scheduler_address) as executor:
        assert executor.slots == 2
        out = executor.map(abs, [-3, 2, -7, 0], seen.append)
    assert out == [3, 2, 7, 0]
    assert seen[-1] == 4 and seen == sorted(seen)


# -- faults -----------------------------------------------------------------------------
def test_a_worker_killed_mid_run_changes_nothing():
    scenario = api.load(OPS)
    local = api.simulate(scenario, replications=60, seed=5, workers=1)
    killed = []
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster, \
            open_executor("dask", cluster.scheduler_address) as executor:
        client = executor.client
        pids = client.run(os.getpid)

        def kill_one(done: int, total: int) -> None:
            if killed or done >= total:
                return
            busy = [w for w, keys in client.processing().items() if keys]
            assert busy, "no worker was playing a chunk when one finished"
            os.kill(pids[busy[0]], signal.SIGKILL)
            killed.append(pids[busy[0]])

        remote = api.simulate(scenario, replications=60, seed=5, executor=executor,
                              progress=kill_one)
        assert killed
        # the nanny started a new worker process in place of the killed one
        assert killed[0] not in client.run(os.getpid).values()
    same_results(local, remote)


def test_an_unreachable_scheduler_is_one_line_and_exit_2():
    address = f"tcp://127.0.0.1:{closed_port()}"
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        code, out, err = invoke("simulate", OPS, "-n", "4", "--scheduler", address)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"error: cannot reach the Dask scheduler at {address} within 2 s")
    assert "dask scheduler" in lines[0]


def test_the_scheduler_address_comes_from_the_flag_then_the_environment(monkeypatch):
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", "tcp://from-env:8786")
    assert dask_cluster.scheduler_address("tcp://flag:8786") == "tcp://flag:8786"
    assert dask_cluster.scheduler_address(None) == "tcp://from-env:8786"
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS")
    with dask.config.set({"scheduler-address": "tcp://from-config:8786"}):
        assert dask_cluster.scheduler_address(None) == "tcp://from-config:8786"


def test_flags_that_contradict_each_other_are_one_line_each(cluster):
    code, _, err = invoke("simulate", OPS, "--executor", "local", "--scheduler", "tcp://x:1")
    assert code == 2 and err.strip() == (
        "error: --scheduler needs --executor dask (the local pool has no scheduler)")
    code, _, err = invoke("simulate", OPS, "--executor", "ray")
    assert code == 2 and err.strip() == "error: --executor must be one of local, dask; got 'ray'"
    code, _, err = invoke("gate", OPS, "--scheduler", cluster.scheduler_address, "-w", "3")
    assert code == 2 and err.strip().startswith("error: --workers sizes the local pool")


def test_without_the_extra_the_error_names_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    monkeypatch.delitem(sys.modules, "whorunsit.distribute.dask_cluster")
    with pytest.raises(ClusterError) as caught, open_executor("dask"):
        pass
    assert str(caught.value) == ("--executor dask needs the dask extra (distributed is not "
                                 "installed): pip install 'whorunsit[dask]'")


def test_a_worker_with_another_engine_refuses_the_chunk():
    job = dask_cluster._Job(lambda *a: None, None, 1, fingerprint="0" * 16)
    with pytest.raises(ClusterError, match="install the same whorunsit"):
        dask_cluster._play(job, 0, 1)


# -- Ctrl-C -----------------------------------------------------------------------------
def start_cli(*args) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(Path("cli").resolve()))
    return subprocess.Popen([*WHORUNSIT, "simulate", AT_SCALE, "-n", "5000", "-f", "json",
                             *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, env=env)


@pytest.fixture
def cleanup():
    """Whatever a failed test left running is ended, by its own session id."""
    started: list[subprocess.Popen] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def wait_for_status(proc: subprocess.Popen) -> str:
    line = proc.stderr.readline()
    assert line.startswith("dask: "), line  # the first line: nothing (no warning) before it
    time.sleep(2)  # chunks under way
    assert proc.poll() is None, "the run ended before it could be interrupted"
    return line


def live_processes(session: int) -> list[str]:
    out = subprocess.run(["ps", "-o", "stat=,pid=,args=", "-s", str(session)],
                         capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if line.strip() and not line.startswith("Z")]


def test_ctrl_c_closes_the_cluster_it_started_and_leaves_no_process(cleanup):
    proc = start_cli("--executor", "dask", "--workers", "2")
    cleanup.append(proc)
    wait_for_status(proc)
    assert len(live_processes(proc.pid)) >= 3  # the command and its two workers
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole group
    assert proc.wait(timeout=60) == 130
    assert proc.stdout.read() == ""
    deadline = time.monotonic() + 10
    while live_processes(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert live_processes(proc.pid) == []
    assert "Traceback" not in proc.stderr.read()


def test_ctrl_c_cancels_the_tasks_on_a_shared_scheduler(cluster, client, cleanup):
    proc = start_cli("--scheduler", cluster.scheduler_address)
    cleanup.append(proc)
    wait_for_status(proc)

    def ours(dask_scheduler):
        return [str(k) for k in dask_scheduler.tasks if "whorunsit" in str(k)]

    assert client.run_on_scheduler(ours)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=60) == 130
    deadline = time.monotonic() + 10
    while client.run_on_scheduler(ours) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert client.run_on_scheduler(ours) == []
