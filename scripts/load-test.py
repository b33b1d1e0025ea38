"""Load test of `threatscape serve` on loopback (driven by scripts/load-test.sh).

    load-test.py BASE_URL READER:PASSWORD[,READER:PASSWORD...] WRITER:PASSWORD SECONDS
    load-test.py --attack-only BASE_URL WRITER:PASSWORD SECONDS   (phase 2's attacker alone)

Two phases of SECONDS each against one running server:
  1. baseline: one thread per reader account (each account has its own rate budget) pages through the TLP:CLEAR collection, 100 objects a page, over
     keep-alive connections, again and again;
  2. under attack: the same readers while a second client sends malformed requests without pause:
     broken JSON, 10,000-deep JSON, wrong types, bad query parameters, bad credentials, an oversized
     body, raw garbage instead of HTTP, and slowloris connections that trickle their headers.
Prints one JSON object: pages/s and objects/s per phase, latency percentiles, reader errors, and
the attacker's responses by status. Exits 1 when a reader saw an error, or the server answered a
malformed request with a 5xx, or the readers got no pages.
"""
import base64
import http.client
import json
import socket
import sys
import threading
import time
import urllib.parse

PAGE = 100


def auth(user_pw):
    return "Basic " + base64.b64encode(user_pw.encode()).decode()


class Reader(threading.Thread):
    def __init__(self, host, port, path, header, until):
        super().__init__(daemon=True)
        self.host, self.port, self.path, self.header, self.until = host, port, path, header, until
        self.pages = self.objects = 0
        self.errors = []
        self.latencies = []

    def run(self):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        nxt = None
        while time.monotonic() < self.until:
            query = f"?limit={PAGE}" + (f"&next={nxt}" if nxt else "")
            start = time.monotonic()
            try:
                conn.request("GET", self.path + query, headers={
                    "Authorization": self.header, "Accept": "application/taxii+json;version=2.1"})
                resp = conn.getresponse()
                body = resp.read()
            except Exception as e:  # a reset connection is an error the test must see
                self.errors.append(f"{type(e).__name__}: {e}")
                conn.close()
                conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                continue
            self.latencies.append(time.monotonic() - start)
            if resp.status != 200:
                self.errors.append(f"status {resp.status}: {body[:200]!r}")
                continue
            page = json.loads(body)
            self.pages += 1
            self.objects += len(page.get("objects", []))
            nxt = page.get("next") if page.get("more") else None


class Attacker(threading.Thread):
    """Malformed requests, one after another, each on a fresh connection."""

    def __init__(self, host, port, objects_path, writer, until):
        super().__init__(daemon=True)
        self.host, self.port, self.until = host, port, until
        self.statuses = {}
        self.failures = []
        w = auth(writer)
        deep = "[" * 10_000 + "]" * 10_000
        post = {"Authorization": w, "Content-Type": "application/taxii+json;version=2.1"}
        self.requests = [
            ("POST", objects_path, post, b'{"objects": [{"type": "campaign",, }]}'),
            ("POST", objects_path, post, ('{"objects": [{"type": "campaign", "x": %s}]}' % deep).encode()),
            ("POST", objects_path, post, b'{"objects": 5}'),
            ("POST", objects_path, post, b'{"objects": [{"type": "campaign", "name": "a", "name": "b"}]}'),
            ("POST", objects_path, post, b"\xff\xfe{\x00}\x00"),
            ("POST", objects_path, {**post, "Content-Type": "text/plain"}, b"hello"),
            ("GET", objects_path + "?limit=abc", {"Authorization": w}, b""),
            ("GET", objects_path + "?added_after=yesterday", {"Authorization": w}, b""),
            ("GET", objects_path + "?next=" + urllib.parse.quote("'; DROP TABLE x;--"), {"Authorization": w}, b""),
            ("GET", objects_path + "?match%5Bversion%5D=" + "9" * 5000, {"Authorization": w}, b""),
            ("GET", objects_path, {"Authorization": "Basic " + "A" * 4000}, b""),
            ("GET", objects_path, {"Authorization": "Bearer ts_not_a_token"}, b""),
            ("GET", "/threatscape/collections/../../etc/passwd/objects/", {"Authorization": w}, b""),
        ]
        self.oversized = ("POST", objects_path, post, b'{"objects": [' + b" " * (17 << 20) + b"]}")

    def send(self, method, path, headers, body):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.request(method, path, body=body or None, headers=headers)
            resp = conn.getresponse()
            resp.read()
            return resp.status
        except (ConnectionError, http.client.HTTPException, socket.timeout) as e:
            # The server may close on a body it refuses before reading it all (the oversized one).
            return type(e).__name__
        finally:
            conn.close()

    def garbage(self):
        with socket.create_connection((self.host, self.port), timeout=10) as s:
            s.sendall(b"\x16\x03\x01\x02\x00garbage that is not HTTP\r\n\r\n")
            try:
                answer = s.recv(64)
            except socket.timeout:
                return "no answer"
            return int(answer.split(b" ")[1]) if answer.startswith(b"HTTP/1.1 ") else "closed"

    def run(self):
        slow = []
        n = 0
        while time.monotonic() < self.until:
            for req in self.requests:
                self.count(self.send(*req), req)
            if n % 10 == 0:
                self.count(self.send(*self.oversized), self.oversized)
                self.count(self.garbage(), ("RAW", "garbage", {}, b""))
                # Keep about 50 connections trickling their headers.
                slow = [s for s in slow if s.fileno() != -1][-40:]
                for _ in range(10):
                    s = socket.create_connection((self.host, self.port))
                    s.sendall(b"GET /taxii2/ HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                    slow.append(s)
            n += 1
        for s in slow:
            s.close()

    def count(self, status, req):
        self.statuses[str(status)] = self.statuses.get(str(status), 0) + 1
        if isinstance(status, int) and status >= 500:
            self.failures.append(f"{status} for {req[0]} {req[1][:80]}")


def percentile(values, p):
    values = sorted(values)
    return round(values[min(len(values) - 1, int(len(values) * p))] * 1000, 2) if values else None


def phase(host, port, path, headers, seconds, attack=None):
    until = time.monotonic() + seconds
    readers = [Reader(host, port, path, h, until) for h in headers]
    attacker = Attacker(host, port, path, attack, until) if attack else None
    started = time.monotonic()
    for t in readers + ([attacker] if attacker else []):
        t.start()
    for t in readers + ([attacker] if attacker else []):
        t.join()
    elapsed = time.monotonic() - started
    latencies = [x for r in readers for x in r.latencies]
    out = {
        "seconds": round(elapsed, 1),
        "pages": sum(r.pages for r in readers),
        "pages_per_s": round(sum(r.pages for r in readers) / elapsed, 1),
        "objects_per_s": round(sum(r.objects for r in readers) / elapsed),
        "latency_ms_p50": percentile(latencies, 0.5),
        "latency_ms_p99": percentile(latencies, 0.99),
        "reader_errors": [e for r in readers for e in r.errors][:20],
    }
    if attacker:
        out["attack_responses"] = attacker.statuses
        out["attack_server_errors"] = attacker.failures[:20]
    return out


def attack_only(base, writer, seconds):
    """Only the malformed requests, for SECONDS, while another tool loads the server
    (scripts/bench-100k.sh): prints the answers by status; exits 1 on any 5xx."""
    url = urllib.parse.urlparse(base)
    attacker = Attacker(url.hostname, url.port, "/threatscape/collections/tlp-clear/objects/",
                        writer, time.monotonic() + seconds)
    attacker.start()
    attacker.join()
    print(json.dumps({"attack_statuses": attacker.statuses, "attack_server_errors": attacker.failures}))
    sys.exit(1 if attacker.failures else 0)


def main():
    if sys.argv[1] == "--attack-only":
        attack_only(sys.argv[2], sys.argv[3], float(sys.argv[4]))
        return
    base, reader, writer, seconds = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    url = urllib.parse.urlparse(base)
    path = "/threatscape/collections/tlp-clear/objects/"
    headers = [auth(r) for r in reader.split(",")]
    result = {
        "readers": len(headers),
        "page_size": PAGE,
        "baseline": phase(url.hostname, url.port, path, headers, seconds),
        "under_attack": phase(url.hostname, url.port, path, headers, seconds, attack=writer),
    }
    base_rate = result["baseline"]["pages_per_s"] or 1
    result["throughput_kept"] = round(result["under_attack"]["pages_per_s"] / base_rate, 3)
    print(json.dumps(result, indent=1))
    bad = (result["baseline"]["reader_errors"] or result["under_attack"]["reader_errors"]
           or result["under_attack"]["attack_server_errors"] or not result["under_attack"]["pages"])
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
