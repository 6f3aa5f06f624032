"""Production configuration: Streamlit's safe defaults and a reverse-proxy sample with every header the docs promise."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from safeclass.content.roster import MAX_ROSTER_BYTES

ROOT = Path(__file__).resolve().parents[2]


def test_streamlit_config_is_safe_for_production() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"  # not False: that is deprecated and shows tracebacks
    server = config["server"]
    assert server["enableXsrfProtection"] is True and server["enableCORS"] is True
    assert server["address"] == "127.0.0.1" and server["headless"] is True
    assert server["maxUploadSize"] * 1024 * 1024 >= MAX_ROSTER_BYTES and server["maxUploadSize"] <= 10
    assert server["fileWatcherType"] == "none" and config["runner"]["postScriptGC"] is False  # issue 12
    assert config["browser"]["gatherUsageStats"] is False


def test_nginx_sample_has_https_websockets_headers_and_a_real_client_address() -> None:
    conf = (ROOT / "docs" / "nginx.conf").read_text(encoding="utf-8")
    directives = [line.split("#")[0].strip() for line in conf.splitlines() if line.split("#")[0].strip()]
    assert conf.count("{") == conf.count("}")
    assert "listen 443 ssl;" in directives and "return 301 https://$host$request_uri;" in directives
    stream = conf[conf.index("location /_stcore/stream") :]
    stream = stream[: stream.index("}")]
    assert "proxy_set_header Upgrade $http_upgrade;" in stream and "proxy_set_header Connection $connection_upgrade;" in stream
    assert "hash $remote_addr consistent;" in directives  # sticky sessions
    # The throttles read the first X-Forwarded-For entry: it must be set by nginx, never appended to.
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in directives and "$proxy_add_x_forwarded_for" not in "".join(directives)
    headers = dict(re.findall(r'add_header ([\w-]+) "([^"]+)" always;', conf))
    assert headers["Strict-Transport-Security"].startswith("max-age=63072000")
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["Referrer-Policy"] == "no-referrer"
    csp = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";") if " " in part.strip())
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    assert "'unsafe-inline'" in csp["style-src"]  # Streamlit's Emotion styles
    assert "wss://" in csp["connect-src"] and "'self'" in csp["connect-src"]  # the WebSocket
    assert "'unsafe-eval'" not in headers["Content-Security-Policy"]  # Vega runs with its interpreter
    assert f"client_max_body_size {MAX_ROSTER_BYTES // (1024 * 1024)}m;" in directives


def test_the_overview_refreshes_every_30_seconds_unless_told_otherwise(monkeypatch) -> None:
    from safeclass import config

    monkeypatch.delenv("SAFECLASS_OVERVIEW_REFRESH", raising=False)
    assert config.overview_refresh_seconds() == 30  # the promise: a completion shows within 30 s
    for ignored in ("", "0", "-5", "soon", "2.5"):
        monkeypatch.setenv("SAFECLASS_OVERVIEW_REFRESH", ignored)
        assert config.overview_refresh_seconds() == 30
    monkeypatch.setenv("SAFECLASS_OVERVIEW_REFRESH", "3")
    assert config.overview_refresh_seconds() == 3
    dashboard = (ROOT / "app_pages" / "dashboard.py").read_text(encoding="utf-8")
    # The interval is set in one place, from the setting.
    assert dashboard.count("run_every=") == 1 and "run_every=REFRESH" in dashboard
    assert "REFRESH = dt.timedelta(seconds=config.overview_refresh_seconds())" in dashboard
