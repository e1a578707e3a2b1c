"""Load test of the HTTP API on loopback, with the in-process ``check()`` time for the same drafts beside it.

    .venv/bin/python tests/bench/bench_http.py [--duration 20] [--workers 2] [--levels 1,4,16]
    (or: make bench)

Starts ``wording serve`` (gunicorn, the engine preloaded in the master, as deployed) on a free
loopback port, then, for 1, 4 and 16 concurrent clients (threads, one keep-alive connection each),
POSTs drafts to ``/api/v1/check`` for ``--duration`` seconds per level and prints p50/p99 latency,
throughput and error rate (non-200 answers and connection failures). Every request carries a
different draft: sentences of five languages, recombined with a different customer name and order
number each time, each with the customer's message; the same drafts are then checked in this process,
one after another, so the HTTP overhead (and what concurrency buys on this machine) is visible.
Bounded in time: about ``len(levels) * duration + 60`` seconds. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

NAMES = [
    "Daniel",
    "Aiga",
    "Omar",
    "Olga",
    "Narek",
    "Sofia",
    "Jānis",
    "Leila",
    "Anna",
    "Tigran",
    "Maria",
    "Ilya",
]
PIECES = {
    "en": (
        "My order {id} arrived damaged and nobody answers my emails!",
        [
            "Hi {name},",
            "I'm so sorry the parcel {id} arrived damaged.",
            "We apologize for the inconvenience.",
            "Good news: a replacement is already in stock.",
            "Unfortunately, the courier cannot come before Thursday.",
            "Please send us your order number and contact our returns team.",
            "I have issued a refund of $35 for the delivery.",
            "Check out our new premium plans while you wait!",
            "You will get a confirmation email within 24 hours.",
            "I understand how frustrating it is to wait this long.",
            "Best regards,\nMarta",
        ],
    ),
    "ru": (
        "Заказ {id} пришёл сломанным, никто не отвечает!",
        [
            "Здравствуйте, {name}!",
            "Приносим извинения за повреждённый заказ {id}.",
            "Мы уже отправили замену.",
            "Пожалуйста, позвоните в отдел доставки.",
            "Извините ещё раз.",
            "С уважением,\nМарта",
        ],
    ),
    "lv": (
        "Pasūtījums {id} ir bojāts, neviens neatbild!",
        [
            "Labdien, {name}!",
            "Atvainojamies par bojāto pasūtījumu {id}.",
            "Mēs jau esam nosūtījuši jaunu.",
            "Lūdzu, sazinieties ar piegādes nodaļu.",
            "Vēlreiz atvainojamies.",
            "Ar cieņu,\nMarta",
        ],
    ),
    "ar": (
        "الطلب {id} وصل تالفا ولا أحد يرد!",
        [
            "مرحباً {name}،",
            "نعتذر عن الطلب التالف {id}.",
            "لقد أرسلنا بديلا بالفعل.",
            "يرجى الاتصال بقسم التوصيل.",
            "نعتذر مرة أخرى.",
            "مع أطيب التحيات،\nمارتا",
        ],
    ),
    "hy": (
        "Պատվերը {id} վնասված է հասել, ոչ ոք չի պատասխանում։",
        [
            "Բարև, {name}։",
            "Ներողություն ենք խնդրում վնասված պատվերի {id} համար։",
            "Մենք արդեն ուղարկել ենք նորը։",
            "Խնդրում ենք զանգահարել առաքման բաժին։",
            "Կրկին ներողություն։",
            "Հարգանքով՝\nՄարտա",
        ],
    ),
}
WEIGHTS = {"en": 6, "ru": 1, "lv": 1, "ar": 1, "hy": 1}


def make_requests(n: int, seed: int = 7) -> list[dict[str, str]]:
    rnd = random.Random(seed)
    langs = [lang for lang, w in WEIGHTS.items() for _ in range(w)]
    out = []
    for k in range(n):
        lang = rnd.choice(langs)
        context, sentences = PIECES[lang]
        order_id = f"WM-{20000 + k}"
        body = sentences[1:-1]
        chosen = rnd.sample(body, k=rnd.randint(2, len(body)))
        text = "\n".join([sentences[0], " ".join(chosen), sentences[-1]])
        out.append(
            {
                "draft": text.format(name=rnd.choice(NAMES), id=order_id),
                "context": context.format(id=order_id),
            }
        )
    return out


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[max(0, min(len(values) - 1, round(q * (len(values) - 1))))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "WORDING_RATE_LIMIT": "1000000/minute", "WORDING_LOG_LEVEL": "WARNING"}
    env.pop("WORDING_API_KEYS", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "wording.cli", "serve", "--port", str(port), "--workers", str(workers)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/v1/health")
            if conn.getresponse().status == 200:
                conn.close()
                return proc
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit("the server did not start within 300 s")


def run_level(port: int, clients: int, duration: float, pool: list[dict[str, str]]) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(10**9))
    stop_at = time.monotonic() + duration

    def client() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < stop_at:
            with lock:
                body = json.dumps(pool[next(counter) % len(pool)]).encode()
            t0 = time.perf_counter()
            try:
                conn.request("POST", "/api/v1/check", body=body, headers={"Content-Type": "application/json"})
                resp = conn.getresponse()
                resp.read()
                ok = resp.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            elapsed = (time.perf_counter() - t0) * 1000
            with lock:
                latencies.append(elapsed)
                if not ok:
                    errors += 1
        conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - started
    n = len(latencies)
    return {
        "clients": clients,
        "requests": n,
        "p50": pct(latencies, 0.50),
        "p99": pct(latencies, 0.99),
        "rps": n / wall,
        "errors": errors,
        "error_rate": errors / n if n else 1.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per concurrency level")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--levels", default="1,4,16", help="concurrent clients, comma-separated")
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]

    pool = make_requests(4000)
    load_before = os.getloadavg()[0]
    port = free_port()
    print(f"starting wording serve on 127.0.0.1:{port} with {args.workers} worker(s)...", flush=True)
    t0 = time.monotonic()
    proc = start_server(port, args.workers)
    print(f"ready in {time.monotonic() - t0:.1f} s (the engine loads once, in the master)", flush=True)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", "/api/v1/health")
        engine = json.loads(conn.getresponse().read())["result"]["engine"]
        conn.close()
        run_level(port, 2, 3.0, pool[-200:])  # warm both workers
        results = []
        offset = 0
        for clients in levels:
            r = run_level(port, clients, args.duration, pool[offset:])
            offset += int(r["requests"])
            results.append(r)
            print(
                f"  {clients:>2} clients: {int(r['requests']):>5} requests, p50 {r['p50']:7.1f} ms, "
                f"p99 {r['p99']:7.1f} ms, {r['rps']:6.1f} req/s, errors {int(r['errors'])}",
                flush=True,
            )
    finally:
        proc.terminate()
        proc.wait(timeout=60)

    # the same drafts, in this process, one after another (the server's workers cache the same way),
    # with the torch threads one server worker gets (wording serve gives each cpu_count // workers)
    threads = os.environ.get("WORDING_TORCH_THREADS") or str(max(1, (os.cpu_count() or 1) // args.workers))
    os.environ["WORDING_TORCH_THREADS"] = threads
    import wording

    for item in pool[-20:]:
        local_engine = wording.check(item["draft"], context=item["context"]).engine.name
    times = []
    t_all = time.perf_counter()
    for item in pool[:300]:  # the drafts the 1-client level sent first, for at most 60 s
        t = time.perf_counter()
        wording.check(item["draft"], context=item["context"])
        times.append((time.perf_counter() - t) * 1000)
        if time.perf_counter() - t_all > 60:
            break
    in_rps = len(times) / (time.perf_counter() - t_all)
    in_p50, in_p99 = pct(times, 0.5), pct(times, 0.99)

    print()
    print(
        f"wording {wording.__version__}, engine {engine['name']} (model loaded: {engine['model_loaded']}), "
        f"{args.workers} gunicorn worker(s) x 2 threads, {os.cpu_count()} CPU(s), loopback, "
        f"{args.duration:.0f} s per level, a different draft per request (5 languages); "
        f"load average before: {load_before:.1f}, after: {os.getloadavg()[0]:.1f}"
    )
    print()
    print(
        "| clients | requests | p50 ms | p99 ms | req/s | errors "
        "| in-process check() p50 / p99 ms | HTTP p50 − in-process p50 |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {int(r['clients'])} | {int(r['requests'])} | {r['p50']:.1f} | {r['p99']:.1f} "
            f"| {r['rps']:.1f} | "
            f"{r['error_rate']:.1%} | {in_p50:.1f} / {in_p99:.1f} | {r['p50'] - in_p50:+.1f} ms |"
        )
    print()
    print(
        f"in-process, one after another: p50 {in_p50:.1f} ms, p99 {in_p99:.1f} ms, {in_rps:.1f} checks/s "
        f"(mean {statistics.mean(times):.1f} ms over {len(times)} drafts, {threads} torch thread(s))"
    )
    if local_engine != engine["name"]:
        print(
            f"WARNING: the server ran the {engine['name']} engine, this process the {local_engine} engine; "
            "the two columns are not comparable (was the model changed during the run?)"
        )
    failed = sum(int(r["errors"]) for r in results)
    if failed:
        print(f"FAILED: {failed} requests did not get a 200", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
