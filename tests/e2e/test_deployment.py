"""The clinic-network deployment, tested as deployed.

Debian's nginx, run as an unprivileged process on loopback with the project's own site
config (deploy/nginx/thaw.conf and thaw-locations.conf, rendered for the test: ports, paths,
no TLS), in front of two app servers (`thaw serve --no-worker`) and one `thaw worker`, all
on one PostgreSQL database. Everything below goes through nginx unless it says otherwise
(metrics are read from each app server directly, as Prometheus would).

PostgreSQL only: several app servers cannot share one SQLite file across machines, so when
DATABASE_URL is not PostgreSQL ``tests/conftest.py`` deselects this module at collection time
(it is neither run nor reported as skipped). CI runs it in `.ci/run`'s PostgreSQL pass.

The tests run in file order and share one network (a module fixture): the last ones stop an
app server, and the very last reads every log line the flow produced.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.support import free_port, isolated_env, thaw, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.postgres_only]

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy" / "nginx"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PASSWORD = "a calm, long passphrase"
PERSON = "network-person@example.org"
LIMITED = "network-limited@example.org"
CLINICIANS = ("network-onduty-1@clinic.example", "network-onduty-2@clinic.example", "network-offduty@clinic.example")
CRISIS_NOTE = "I want to end my life"
PLAIN_NOTE = "Quiet evening at the allotment"
WORDS = ("lonely", "hopeful")
CLIENT_ADDRESS = "127.0.0.5"  # the "outside" client: another loopback address than nginx's own
SPOOFED = "198.51.100.7"

SETUP = f"""
from thaw.accounts.models import User
from thaw.clinic import services
from thaw.clinic.models import Membership, Program
on_duty_1, on_duty_2, off_duty = (User.objects.get(email=e) for e in {CLINICIANS!r})
program = Program.objects.create(name="Network IOP", lead=off_duty)
Membership.objects.create(program=program, clinician=on_duty_1, on_duty=True)
Membership.objects.create(program=program, clinician=on_duty_2, on_duty=True)
Membership.objects.create(program=program, clinician=off_duty, on_duty=False)
invite, _ = services.invite_person(program, on_duty_1)
services.enrol(invite, User.objects.get(email={PERSON!r}), ["summary", "checkins", "assessments", "flags"])
"""


# --- rendering the project's nginx config for the test ------------------------------------------

def _replace(text: str, old: str, new: str, *, regex: bool = False) -> str:
    """Replace, and fail loudly when the project's config no longer has what the test expects."""
    result, count = (re.subn(old, new, text, flags=re.S) if regex else (text.replace(old, new), text.count(old)))
    assert count, f"deploy/nginx config changed: {old!r} not found; update tests/e2e/test_deployment.py"
    return result


def render_nginx(workdir: Path, port: int, upstreams: list[int], static_dir: Path,
                 writes: list[int] | None = None, clinic: list[int] | None = None) -> Path:
    """deploy/nginx rendered for loopback: ``upstreams`` serve pages; ``writes`` take check-ins
    and ``clinic`` the clinicians' pages (each by default the same servers), with the other page
    servers as their backup."""
    locations = (DEPLOY / "thaw-locations.conf").read_text()
    locations = _replace(locations, "alias /srv/thaw/static/;", f"alias {static_dir}/;")
    (workdir / "thaw-locations.conf").write_text(locations)
    site = (DEPLOY / "thaw.conf").read_text()
    servers = "".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;\n" for p in upstreams)
    site = _replace(site, r"(upstream thaw_app \{\n).*?(\})", rf"\g<1>{servers}\g<2>", regex=True)
    writes = writes or upstreams
    servers = "".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;\n" for p in writes)
    servers += "".join(f"    server 127.0.0.1:{p} backup;\n" for p in upstreams if p not in writes)
    site = _replace(site, r"(upstream thaw_writes \{\n).*?(\})", rf"\g<1>{servers}\g<2>", regex=True)
    clinic = clinic or upstreams
    servers = "".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;\n" for p in clinic)
    servers += "".join(f"    server 127.0.0.1:{p} backup;\n" for p in upstreams if p not in clinic)
    site = _replace(site, r"(upstream thaw_clinic \{\n).*?(\})", rf"\g<1>{servers}\g<2>", regex=True)
    site = _replace(site, r"server \{\n    listen 80;.*?\n\}\n", "", regex=True)  # the HTTPS redirect
    site = _replace(site, "    listen 443 ssl http2;\n", f"    listen 127.0.0.1:{port};\n")
    site = _replace(site, "    listen [::]:443 ssl http2;\n", "")
    site = _replace(site, r"\n    ssl_[^\n]*", "", regex=True)
    site = _replace(site, "/var/log/nginx/", f"{workdir}/")
    site = _replace(site, "/etc/nginx/snippets/thaw-locations.conf", str(workdir / "thaw-locations.conf"))
    (workdir / "site.conf").write_text(site)
    return _main_conf(workdir)


def _main_conf(workdir: Path) -> Path:
    """What /etc/nginx/nginx.conf would be, with every path of nginx's own in ``workdir``."""
    main = workdir / "nginx.conf"
    temp = "\n".join(f"    {kind}_temp_path {workdir}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    main.write_text(f"""worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {workdir}/access.log;
    gzip on;  # as Debian's /etc/nginx/nginx.conf has it
{temp}
    include {workdir}/site.conf;
}}
""")
    return main


def _self_signed(workdir: Path) -> tuple[Path, Path]:
    """A throwaway certificate for thaw.example.org, standing in for Let's Encrypt's."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "thaw.example.org")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    cert_path, key_path = workdir / "fullchain.pem", workdir / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def render_shipped_nginx(workdir: Path) -> Path:
    """deploy/nginx exactly as an operator installs it, changed only where this machine must
    differ: unprivileged ports, a throwaway certificate, log and snippet paths nginx (run as
    nobody) can reach. Every directive, TLS and HTTP/2 included, is the shipped one."""
    (workdir / "thaw-locations.conf").write_text((DEPLOY / "thaw-locations.conf").read_text())
    site = (DEPLOY / "thaw.conf").read_text()
    cert, key = _self_signed(workdir)
    plain, tls = free_port(), free_port()
    for port, mine in (("80", plain), ("443", tls)):
        site = _replace(site, rf"(\n    listen (?:\[::\]:)?){port}([ ;])", rf"\g<1>{mine}\g<2>", regex=True)
    site = _replace(site, "/etc/letsencrypt/live/thaw.example.org/fullchain.pem", str(cert))
    site = _replace(site, "/etc/letsencrypt/live/thaw.example.org/privkey.pem", str(key))
    site = _replace(site, "/var/log/nginx/", f"{workdir}/")
    site = _replace(site, "/etc/nginx/snippets/thaw-locations.conf", str(workdir / "thaw-locations.conf"))
    (workdir / "site.conf").write_text(site)
    return _main_conf(workdir)


# --- a small HTTP client that can pick its source address and keeps cookies --------------------

@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def text(self) -> str:
        return self.body.decode(errors="replace")


@dataclass
class Browser:
    port: int
    source: str = "127.0.0.1"
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None,
                port: int | None = None) -> Answer:
        conn = http.client.HTTPConnection("127.0.0.1", port or self.port, timeout=180,
                                          source_address=(self.source, 0))
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            data = response.read()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key.strip()] = rest.split(";", 1)[0]
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
        finally:
            conn.close()

    def api(self, method: str, path: str, body: Any = None, token: str = "", headers: dict[str, str] | None = None) -> Answer:
        sent = {"Content-Type": "application/json", **(headers or {})}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        return self.request(method, path, json.dumps(body).encode() if body is not None else None, sent)

    def sign_in(self, email: str, extra: dict[str, str] | None = None) -> Answer:
        page = self.request("GET", "/accounts/login/", headers=extra).text()
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert csrf, page[:500]
        form = urlencode({"login": email, "password": PASSWORD, "csrfmiddlewaretoken": csrf.group(1)}).encode()
        return self.request("POST", "/accounts/login/", form,
                            {"Content-Type": "application/x-www-form-urlencoded", **(extra or {})})


# --- the network --------------------------------------------------------------------------------

@dataclass
class AppServer:
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    def stop(self, sig: int = signal.SIGTERM) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)


@dataclass
class Network:
    env: dict[str, str]
    workdir: Path
    nginx_port: int
    servers: list[AppServer]
    logs: list[Path]
    tokens: dict[str, str] = field(default_factory=dict)
    secrets: set[str] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.nginx_port}"

    def client(self, source: str = "127.0.0.1") -> Browser:
        return Browser(self.nginx_port, source)

    def metrics(self, server: AppServer) -> dict[str, float]:
        """One app server's own /metrics (read directly, as Prometheus does)."""
        answer = Browser(server.port).request("GET", "/metrics")
        assert answer.status == 200, answer.text()[:300]
        values: dict[str, float] = {}
        for line in answer.text().splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                values[name] = float(value)
        return values

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.env["DATABASE_URL"], autocommit=True) as conn:
            return conn.execute(query, params).fetchall()


def _start_app(env: dict[str, str], port: int, workdir: Path, name: str, **extra: str) -> AppServer:
    log_path = workdir / f"{name}.log"
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "thaw.cli", "serve", "--no-worker", "--host", "127.0.0.1", "--port", str(port),
             "--workers", "1"],
            env={**env, **extra}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    server = AppServer(port, process, log_path)

    def answering() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"app server {name} exited:\n{log_path.read_text(errors='replace')}")
        try:
            return Browser(port).request("GET", "/readyz").status == 200
        except OSError:
            return False

    wait_until(answering, f"app server {name} ready")
    return server


def _nginx_command(workdir: Path, conf: Path, *extra: str) -> list[str]:
    command = [NGINX, "-p", str(workdir), "-e", str(workdir / "error.log"), "-c", str(conf), *(extra or ("-g", "daemon off;"))]
    if os.geteuid() == 0:  # CI runs as root: nginx itself must not
        command = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *command]
    return command


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    if not Path(NGINX).exists():
        pytest.fail("nginx not found: install Debian's nginx (`apt-get install nginx`; .ci/run does).")
    workdir = Path(tempfile.mkdtemp(prefix="thaw-network-"))
    workdir.chmod(0o755)
    data_dir = tmp_path_factory.mktemp("network") / "data"
    # The app servers collect the static files here as `thaw serve` does (under its umask 0077),
    # and nginx, another user, serves them from disk.
    static_dir = workdir / "static"
    nginx_port, ports = free_port(), [free_port(), free_port()]
    # Check-ins and the crisis pages go to the second server (the first is its backup), the
    # clinicians' pages to the first (the second is its backup), other pages to both.
    conf = render_nginx(workdir, nginx_port, ports, static_dir, writes=[ports[1]], clinic=[ports[0]])
    if os.geteuid() == 0:
        for path in [workdir, *workdir.rglob("*")]:
            os.chown(path, 65534, -1)  # nobody
    started: list[Any] = []
    servers: list[AppServer] = []  # the network's, including any a test started in place of another
    try:
        with isolated_env(data_dir) as env:
            env.update({
                "THAW_SITE_URL": f"http://127.0.0.1:{nginx_port}",
                "THAW_TRUSTED_PROXY_COUNT": "1",
                "THAW_LOG_LEVEL": "INFO",
                "THAW_METRICS_ALLOW": "127.0.0.1/32",
                "THAW_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "THAW_STATIC_ROOT": str(static_dir),
            })
            setup_env = {**env, "THAW_PASSWORD": PASSWORD}
            first = _start_app(env, ports[0], workdir, "app-a")  # migrates; the others find it done
            started.append(first)
            for email, role in [(PERSON, "person"), (LIMITED, "person")] + [(c, "clinician") for c in CLINICIANS]:
                result = thaw("user", "add", email, "--role", role, env=setup_env)
                assert result.returncode == 0, result.stderr
            result = thaw("manage", "shell", "--no-imports", "-c", SETUP, env=env)
            assert result.returncode == 0, result.stderr
            second = _start_app(env, ports[1], workdir, "app-b")
            started.append(second)
            worker_log = workdir / "worker.log"
            with open(worker_log, "ab") as log:
                worker = subprocess.Popen([sys.executable, "-m", "thaw.cli", "worker", "--poll", "0.5"], env=env,
                                          stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            started.append(worker)
            nginx_log = workdir / "nginx.out"
            with open(nginx_log, "ab") as log:
                nginx = subprocess.Popen(_nginx_command(workdir, conf), stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
            started.append(nginx)
            net = Network(env, workdir, nginx_port, [first, second], [first.log_path, second.log_path, worker_log])
            servers = net.servers

            def proxied() -> bool:
                if nginx.poll() is not None:
                    raise RuntimeError(f"nginx exited:\n{nginx_log.read_text()}\n{(workdir / 'error.log').read_text()}")
                try:
                    return net.client().request("GET", "/healthz").status == 200
                except OSError:
                    return False

            wait_until(proxied, "nginx passing /healthz to the app servers")
            yield net
    finally:
        for item in [s for s in servers if s not in started] + list(reversed(started)):
            if isinstance(item, AppServer):
                item.stop()
            else:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(item.pid, signal.SIGTERM)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    item.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)


def _requests_on(net: Network, server: AppServer, route: str, status: str = "200") -> float:
    values = net.metrics(server)
    return sum(v for k, v in values.items()
               if k.startswith("thaw_http_requests_total{") and f'route="{route}"' in k and f'status="{status}"' in k)


def _token(net: Network, email: str) -> str:
    answer = net.client().api("POST", "/api/v1/auth/token", {"email": email, "password": PASSWORD})
    assert answer.status == 200, answer.text()
    token = answer.json()["token"]
    net.secrets.add(token)
    return token


# --- the tests ------------------------------------------------------------------------------------

def test_the_shipped_nginx_config_loads_on_this_nginx() -> None:
    """`nginx -t` on deploy/nginx as shipped (TLS, HTTP/2, every directive): a directive the
    installed nginx does not know (`http2 on;` on Debian 12's 1.22) fails here, not at a clinic."""
    if not Path(NGINX).exists():
        pytest.fail("nginx not found: install Debian's nginx (`apt-get install nginx`; .ci/run does).")
    workdir = Path(tempfile.mkdtemp(prefix="thaw-nginx-t-"))
    try:
        workdir.chmod(0o755)
        conf = render_shipped_nginx(workdir)
        if os.geteuid() == 0:
            for path in [workdir, *workdir.rglob("*")]:
                os.chown(path, 65534, -1)  # nobody
        result = subprocess.run(_nginx_command(workdir, conf, "-t"), capture_output=True, text=True, timeout=60)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_static_files_and_closed_metrics_through_nginx(network: Network) -> None:
    browser = network.client()
    page = browser.request("GET", "/accounts/login/").text()
    assets = re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', page)
    assert any(a.endswith(".css") for a in assets) and any(a.endswith(".js") for a in assets), page[:1000]
    for asset in assets:  # the hashed names the page asks for, from the files `thaw serve` collected
        answer = browser.request("GET", asset, headers={"Accept-Encoding": "gzip"})
        assert answer.status == 200 and answer.body, (asset, answer.status)
        assert "immutable" in answer.headers["cache-control"]
        if (network.workdir / "static" / f"{asset.removeprefix('/static/')}.gz").exists():
            assert answer.headers.get("content-encoding") == "gzip", asset  # gzip_static read the copy
    assert browser.request("GET", "/metrics").status == 404  # only on each app server, for Prometheus
    ready = browser.request("GET", "/readyz")
    assert ready.status == 200 and ready.json()["migrations"] == "ok"
    # nginx makes the request id; Thaw answers with the same one.
    assert re.fullmatch(r"[0-9a-f]{32}", ready.headers["x-request-id"])


def test_tokens_in_paths_stay_out_of_nginxs_access_log(network: Network) -> None:
    """An invitation, an enrolment link, a calendar feed and allauth's reset and confirmation
    links carry their secret in the path: nginx logs the path with the secret replaced."""
    import secrets

    browser = network.client()
    paths = {}
    for shape in ("/invite/{}/", "/enrol/{}/", "/calendar/{}.ics", "/invite/{}",
                  "/accounts/password/reset/key/1-{}/", "/accounts/confirm-email/{}/"):
        token = secrets.token_urlsafe(24)
        paths[shape.format(token)] = token
        network.secrets.add(token)  # and the app servers' own logs must not hold it either
    for path in paths:
        assert browser.request("GET", path).status < 500, path
    # The invitation page is one Thaw never compresses (its address is a secret, BREACH); nginx,
    # with gzip on as Debian ships it, must not compress it either.
    shown = browser.request("GET", next(iter(paths)), headers={"Accept-Encoding": "gzip"})
    assert shown.body and "content-encoding" not in shown.headers, "nginx compressed a page Thaw keeps uncompressed"
    browser.request("GET", "/learn/")  # a path without a secret is logged as it is
    access_log = network.workdir / "thaw.access.log"
    wait_until(lambda: '"GET /learn/"' in access_log.read_text(), "nginx logging the requests")
    logged = access_log.read_text()
    for path, token in paths.items():
        assert token not in logged, f"{path} logged with its token"
    for redacted in ("/invite/REDACTED/", "/enrol/REDACTED/", "/calendar/REDACTED.ics", "/invite/REDACTED\"",
                     "/accounts/password/reset/key/REDACTED/", "/accounts/confirm-email/REDACTED/"):
        assert f'"GET {redacted}' in logged, (redacted, logged[-2000:])


def test_a_session_signed_in_on_one_server_works_on_the_other(network: Network) -> None:
    browser = network.client()
    before = [_requests_on(network, s, "/settings/") for s in network.servers]
    signed_in = browser.sign_in(PERSON)
    assert signed_in.status == 302, signed_in.text()[:300]
    network.secrets.update(browser.cookies.values())
    for _ in range(4):  # nginx alternates between the two servers
        page = browser.request("GET", "/settings/")
        # The settings page itself (signed out, it redirects to the sign-in form).
        assert page.status == 200 and "<h1>Settings</h1>" in page.text() and "name=\"login\"" not in page.text()
    after = [_requests_on(network, s, "/settings/") for s in network.servers]
    assert all(a > b for a, b in zip(after, before, strict=True)), (before, after)
    network.tokens["person"] = _token(network, PERSON)


def test_the_sign_in_limit_is_counted_across_both_servers(network: Network) -> None:
    def failures() -> list[float]:
        return [network.metrics(s).get('thaw_sign_in_failures_total{channel="api"}', 0.0) for s in network.servers]

    before = failures()
    browser = network.client()
    for attempt in range(10):  # THAW_SIGNIN_ACCOUNT_LIMIT
        answer = browser.api("POST", "/api/v1/auth/token", {"email": LIMITED, "password": f"wrong guess {attempt}"})
        assert answer.status == 401, answer.text()
    refused = browser.api("POST", "/api/v1/auth/token", {"email": LIMITED, "password": PASSWORD})
    assert refused.status == 429, refused.text()
    assert 1 <= int(refused.headers["retry-after"]) <= 15 * 60 + 1  # Thaw's header, through nginx unchanged
    counted = [a - b for a, b in zip(failures(), before, strict=True)]
    assert sum(counted) == 10 and all(c > 0 for c in counted), counted


def test_too_large_bodies_get_thaws_own_413_through_nginx(network: Network) -> None:
    body = json.dumps({"emotions": [], "note": "x" * 2_700_000}).encode()  # over Django's 2.5 MB, under nginx's 3 MB
    answer = network.client().request("POST", "/api/v1/checkins", body, {
        "Content-Type": "application/json", "Authorization": f"Bearer {network.tokens['person']}"})
    assert answer.status == 413
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.json()["errors"][0]["field"] == "body"


MAIL_SEPARATOR = "\n" + "-" * 79 + "\n"  # what Django's file backend writes after each email


def test_a_crisis_flag_alerts_each_on_duty_clinician_exactly_once(network: Network) -> None:
    answer = network.client().api("POST", "/api/v1/checkins", {
        "emotions": [{"word": WORDS[0], "intensity": 8}], "numbness": 9, "note": CRISIS_NOTE},
        token=network.tokens["person"])
    assert answer.status == 201 and answer.json()["crisis"] is True, answer.text()
    request_id = answer.headers["x-request-id"]
    mail_dir = Path(network.env["THAW_DATA_DIR"]) / "mail"

    def messages() -> list[str]:
        """Each email, not each file: Django's file backend names a file by the second and the
        sending connection's id(), so two alerts sent in one second can share a file (CI failed
        once waiting for a second file)."""
        if not mail_dir.exists():
            return []
        return [message for path in sorted(mail_dir.glob("*"))
                for message in path.read_text(errors="replace").split(MAIL_SEPARATOR) if message.strip()]

    def settled() -> bool:
        pending = network.sql("SELECT count(*) FROM tasks_job WHERE status IN ('queued', 'running')")[0][0]
        return pending == 0 and sum("crisis flag" in m for m in messages()) >= 2

    wait_until(settled, "the worker sending the crisis alerts")
    alerts = [m for m in messages() if "crisis flag" in m]
    for clinician in CLINICIANS[:2]:
        assert sum(f"To: {clinician}" in m for m in alerts) == 1, alerts
    assert not any(f"To: {CLINICIANS[2]}" in m for m in alerts)  # off duty, and the on-duty ones were reached
    assert len(alerts) == 2
    # The worker's log lines for those jobs carry the id of the request that raised the flag.
    wait_until(lambda: request_id in (network.workdir / "worker.log").read_text(errors="replace"),
               "the worker logging the alert jobs")


def test_a_cached_page_invalidated_on_one_server_is_fresh_on_the_other(network: Network) -> None:
    browser = network.client()
    browser.sign_in(PERSON)
    network.secrets.update(browser.cookies.values())

    def cache_counts() -> list[tuple[float, float]]:
        found = []
        for server in network.servers:
            values = network.metrics(server)
            found.append(tuple(values.get(f'thaw_page_cache_total{{page="insights",result="{r}"}}', 0.0)
                               for r in ("hit", "miss")))
        return found  # type: ignore[return-value]

    def shown_count() -> int:
        page = browser.request("GET", "/insights/?window=30")
        assert page.status == 200
        match = re.search(r"(\d+) check-ins?;", page.text())
        assert match, page.text()[:2000]
        return int(match.group(1))

    start = cache_counts()
    first, second = shown_count(), shown_count()
    assert first == second
    middle = cache_counts()
    # One server computed the figures (a miss), the other found them in the shared cache (a hit).
    deltas = sorted((m[0] - s[0], m[1] - s[1]) for m, s in zip(middle, start, strict=True))
    assert deltas == [(0, 1), (1, 0)], deltas
    saved = browser.api("POST", "/api/v1/checkins", {"emotions": [{"word": WORDS[1], "intensity": 3}],
                                                     "numbness": 2, "note": PLAIN_NOTE}, token=network.tokens["person"])
    assert saved.status == 201
    assert shown_count() == first + 1 and shown_count() == first + 1
    end = cache_counts()
    deltas = sorted((e[0] - m[0], e[1] - m[1]) for e, m in zip(end, middle, strict=True))
    assert deltas == [(0, 1), (1, 0)], deltas


def test_the_client_address_comes_from_the_proxy_when_trusted(network: Network) -> None:
    browser = network.client(CLIENT_ADDRESS)
    assert browser.sign_in(PERSON, {"X-Forwarded-For": SPOOFED}).status == 302
    network.secrets.update(browser.cookies.values())
    events = network.client().api("GET", "/api/v1/audit?limit=5", token=network.tokens["person"]).json()["items"]
    latest = next(e for e in events if e["action"] == "account.signed_in")
    # nginx appended the address it saw; Thaw trusts exactly that one entry, not the spoofed one.
    assert latest["details"]["ip"] == CLIENT_ADDRESS


def test_check_ins_go_to_their_own_server_and_pages_to_both(network: Network) -> None:
    """deploy/nginx: check-ins (POST /api/v1/checkins, /checkin/, /checkin/quick) on the write
    server, so one never waits behind a page; reads (here the list of check-ins) on the page
    servers, in turn."""
    token = network.tokens.get("person") or _token(network, PERSON)
    page_server, write_server = network.servers

    def counts() -> dict[int, tuple[float, float]]:
        return {s.port: (_requests_on(network, s, "/api/v1/checkins", "201"),
                         _requests_on(network, s, "/api/v1/checkins", "200")) for s in network.servers}

    before = counts()
    browser = network.client()
    for i in range(6):
        answer = browser.api("POST", "/api/v1/checkins", {"emotions": [{"word": "calm", "intensity": 3}],
                                                          "numbness": i}, token=token)
        assert answer.status == 201, answer.text()
        assert browser.api("GET", "/api/v1/checkins", token=token).status == 200
    after = counts()
    written = {port: after[port][0] - before[port][0] for port in after}
    read = {port: after[port][1] - before[port][1] for port in after}
    assert written == {page_server.port: 0, write_server.port: 6}
    assert sum(read.values()) == 6 and all(n >= 1 for n in read.values()), read

    # The web app's own check-ins go the same way: the one tap (and the form, and the phone's
    # offline outbox, which posts to these two addresses).
    assert browser.sign_in(PERSON).status == 302
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', browser.request("GET", "/").text())
    assert csrf
    before = {s.port: _requests_on(network, s, "/checkin/quick", "302") for s in network.servers}
    for _ in range(3):
        answer = browser.request("POST", "/checkin/quick", urlencode({"csrfmiddlewaretoken": csrf.group(1), "choice": "okay"}).encode(),
                                 {"Content-Type": "application/x-www-form-urlencoded"})
        assert answer.status == 302 and "saved=1" in answer.headers.get("location", ""), (answer.status, answer.text()[:300])
    after = {s.port: _requests_on(network, s, "/checkin/quick", "302") for s in network.servers}
    assert {port: after[port] - before[port] for port in after} == {page_server.port: 0, write_server.port: 3}


def test_crisis_pages_go_with_the_check_ins_and_clinicians_pages_to_their_own(network: Network) -> None:
    """deploy/nginx: the crisis pages and their API on the write servers (never behind a busy
    page server), the clinicians' pages and API on the clinician servers (here the first server,
    with the second as its backup); both still answer as they would anywhere."""
    page_server, write_server = network.servers
    routes = [("/help/", "200"), ("/api/v1/crisis-resources", "200"), ("/clinic/", "302"),
              ("/api/v1/clinic/caseload", "401")]

    def counts() -> dict[tuple[str, int], float]:
        return {(route, s.port): _requests_on(network, s, route, status) for route, status in routes
                for s in network.servers}

    before = counts()
    browser = network.client()
    # Four in a row each: the page servers' round robin would split them two and two.
    for _ in range(4):
        assert browser.request("GET", "/help/").status == 200
    for _ in range(4):
        assert browser.api("GET", "/api/v1/crisis-resources").status == 200
    for _ in range(4):
        assert browser.request("GET", "/clinic/").status == 302  # to sign in
    for _ in range(4):
        assert browser.api("GET", "/api/v1/clinic/caseload").status == 401
    after = counts()
    moved = {key: after[key] - before[key] for key in after}
    assert moved == {("/help/", page_server.port): 0, ("/help/", write_server.port): 4,
                     ("/api/v1/crisis-resources", page_server.port): 0,
                     ("/api/v1/crisis-resources", write_server.port): 4,
                     ("/clinic/", page_server.port): 4, ("/clinic/", write_server.port): 0,
                     ("/api/v1/clinic/caseload", page_server.port): 4,
                     ("/api/v1/clinic/caseload", write_server.port): 0}, moved


CUT_OFF = 0  # a status for an answer the killed server never finished sending


def test_killing_an_app_server_mid_load_loses_no_acknowledged_checkin(network: Network) -> None:
    token = network.tokens["person"]
    acknowledged: list[str] = []
    statuses: list[int] = []
    lock = threading.Lock()
    killed = threading.Event()
    after_kill = [0]

    def writer(n: int) -> None:
        browser = network.client()
        for i in range(60):
            try:
                answer = browser.api("POST", "/api/v1/checkins", {"emotions": [{"word": "calm", "intensity": 2}],
                                                                  "numbness": i % 11}, token=token)
            except (http.client.HTTPException, ConnectionError):
                # The killed server's answer was cut off mid-way: not acknowledged, like a 502.
                with lock:
                    statuses.append(CUT_OFF)
                continue
            with lock:
                statuses.append(answer.status)
                if answer.status == 201:
                    acknowledged.append(answer.json()["id"])
                    after_kill[0] += killed.is_set()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    wait_until(lambda: len(acknowledged) >= 40 or not any(t.is_alive() for t in threads), "40 check-ins acknowledged")
    # The write server (check-ins go there first): no goodbye, master and workers at once.
    # The page server, its backup in nginx, takes the check-ins from then on.
    network.servers[1].stop(signal.SIGKILL)
    killed.set()
    for thread in threads:
        thread.join(timeout=600)
    assert not any(t.is_alive() for t in threads)
    assert set(statuses) <= {201, 502, CUT_OFF}, statuses
    assert statuses.count(502) + statuses.count(CUT_OFF) <= 4  # at most the requests in flight on the killed server
    assert after_kill[0] >= 20  # the other server carried on
    stored = network.sql("SELECT count(*) FROM checkins_checkin WHERE id = ANY(%s::uuid[])", acknowledged)[0][0]
    assert stored == len(acknowledged)


def test_without_a_trusted_proxy_count_the_proxy_headers_are_ignored(network: Network) -> None:
    # Replace the killed server with one that trusts no proxy, and stop the other.
    untrusting = _start_app(network.env, network.servers[1].port, network.workdir, "app-b-untrusting",
                            THAW_TRUSTED_PROXY_COUNT="0")
    network.servers[1] = untrusting
    network.servers[0].stop()
    browser = network.client(CLIENT_ADDRESS)
    wait_until(lambda: browser.request("GET", "/healthz").status == 200, "nginx passing to the remaining server")
    assert browser.sign_in(PERSON, {"X-Forwarded-For": SPOOFED}).status == 302
    network.secrets.update(browser.cookies.values())
    events = network.client().api("GET", "/api/v1/audit?limit=5", token=network.tokens["person"]).json()["items"]
    latest = next(e for e in events if e["action"] == "account.signed_in")
    assert latest["details"]["ip"] == "127.0.0.1"  # the socket: nginx itself, neither the client nor the spoof


def test_no_log_line_holds_a_note_an_address_a_feeling_a_score_or_a_token(network: Network) -> None:
    answer = network.client().api("POST", "/api/v1/assessments", {"instrument": "phq9", "answers": [3] * 8 + [0]},
                                  token=network.tokens["person"])
    assert answer.status in (200, 201), answer.text()
    score = str(answer.json()["score"])
    lines = [line for path in [*network.logs, network.workdir / "app-b-untrusting.log"] if path.exists()
             for line in path.read_text(errors="replace").splitlines() if line.strip()]
    structured = [json.loads(line) for line in lines if line.startswith("{")]
    assert any(entry.get("request_id") and entry.get("route") for entry in structured)  # access lines are there
    forbidden = [CRISIS_NOTE, PLAIN_NOTE, *WORDS, *network.secrets, "@example.org", "@clinic.example"]
    for line in lines:
        for word in forbidden:
            assert word.lower() not in line.lower(), f"{word!r} in log line: {line}"
        assert "score" not in line.lower(), line
    for entry in structured:
        values = {k: v for k, v in entry.items() if k not in ("ts", "ms", "request_id", "status", "queries")}
        assert not re.search(rf"\b{score}\b", json.dumps(values)), entry
