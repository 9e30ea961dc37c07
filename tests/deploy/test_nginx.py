"""deploy/nginx.conf, parsed with crossplane (nginx cannot run here): TLS only, modern protocols, the same
body limit as the app, HSTS at the proxy, proxy headers, the event stream unbuffered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import crossplane
import yaml

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "deploy" / "nginx.conf"


def parsed() -> list[dict[str, Any]]:
    # Not strict about contexts: the file is an include of nginx's http block (conf.d/default.conf).
    result = crossplane.parse(str(CONF), single=True, check_ctx=False, comments=False)
    assert result["status"] == "ok", result["errors"]
    return list(result["config"][0]["parsed"])


def servers() -> list[list[dict[str, Any]]]:
    return [d["block"] for d in parsed() if d["directive"] == "server"]


def args(block: list[dict[str, Any]], name: str) -> list[list[str]]:
    return [d["args"] for d in block if d["directive"] == name]


def one(block: list[dict[str, Any]], name: str) -> list[str]:
    (found,) = args(block, name)
    return found


def tls_server() -> list[dict[str, Any]]:
    (server,) = [s for s in servers() if ["443", "ssl"] in args(s, "listen")]
    return server


def locations(server: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    return {" ".join(d["args"]): d["block"] for d in server if d["directive"] == "location"}


def test_port_80_only_redirects_to_https() -> None:
    (plain,) = [s for s in servers() if ["80"] in args(s, "listen")]
    assert one(plain, "return") == ["301", "https://$host$request_uri"]
    assert not locations(plain), "plain HTTP must serve nothing"


def test_tls_443_with_http2_and_certificates() -> None:
    server = tls_server()
    assert ["443", "ssl"] in args(server, "listen")
    assert one(server, "http2") == ["on"]
    assert one(server, "ssl_certificate")[0].endswith(".crt")
    assert one(server, "ssl_certificate_key")[0].endswith(".key")
    volumes = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["proxy"]["volumes"]
    assert any(v.endswith(":/etc/nginx/certs:ro") for v in volumes)
    assert one(server, "ssl_certificate")[0].startswith("/etc/nginx/certs/")


def test_only_tls_1_2_and_1_3_with_forward_secret_aead_ciphers() -> None:
    server = tls_server()
    assert sorted(one(server, "ssl_protocols")) == ["TLSv1.2", "TLSv1.3"]
    ciphers = one(server, "ssl_ciphers")[0].split(":")
    assert ciphers and all(c.startswith(("ECDHE-", "DHE-")) for c in ciphers)
    assert all("GCM" in c or "CHACHA20" in c for c in ciphers)
    assert not any(weak in c for c in ciphers for weak in ("CBC", "RC4", "3DES", "MD5", "NULL", "EXPORT"))
    assert one(server, "ssl_session_tickets") == ["off"]


def test_hsts_sent_by_the_proxy_on_every_answer() -> None:
    (header,) = [a for a in args(tls_server(), "add_header") if a[0] == "Strict-Transport-Security"]
    max_age = int(header[1].split(";")[0].split("=")[1])
    assert max_age >= 31536000 and "includeSubDomains" in header[1]
    assert header[-1] == "always"


def test_body_limit_matches_the_apps_5_mb() -> None:
    assert one(tls_server(), "client_max_body_size") == ["5m"]


def test_proxy_headers_for_the_app() -> None:
    root = locations(tls_server())["/"]
    headers = {a[0]: a[1] for a in args(root, "proxy_set_header")}
    assert one(root, "proxy_pass") == ["http://tumorboard_web"]
    assert headers["X-Forwarded-Proto"] == "$scheme"  # SECURE_PROXY_SSL_HEADER in production settings
    assert headers["X-Forwarded-For"] == "$proxy_add_x_forwarded_for"  # TRUSTED_PROXY_HOPS = 1
    assert headers["Host"] == "$host"
    assert headers["X-Request-ID"] == "$request_id"


def test_event_stream_is_not_buffered() -> None:
    (events,) = [block for path, block in locations(tls_server()).items() if "/events/" in path]
    assert one(events, "proxy_buffering") == ["off"]
    assert one(events, "proxy_http_version") == ["1.1"]
    assert one(events, "proxy_pass") == ["http://tumorboard_web"]


def test_access_log_leaves_query_strings_out() -> None:
    (fmt,) = [a for a in args(parsed(), "log_format") if a[0] == "tumorboard"]
    line = " ".join(fmt[1:])
    assert "$uri" in line and "$request " not in line and "$args" not in line and "$request_uri" not in line
    for server in servers():
        assert one(server, "access_log")[-1] == "tumorboard"
        assert one(server, "server_tokens") == ["off"]
