"""No access-log lines for the portal's paths; the client's address and agent never logged."""

from __future__ import annotations

import logging
import subprocess
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.test import Client
from gunicorn.config import Config

from tousu.orgs.management.commands import run
from tousu.orgs.management.commands.run import PortalPathFilter, PortalQuietLogger, portal_path


def _environ(path: str) -> dict[str, str]:
    return {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "PATH_INFO": path.split("?")[0],
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.50",
        "HTTP_USER_AGENT": "SecretBrowser/1.0",
    }


def _access(logger: PortalQuietLogger, path: str) -> None:
    resp = SimpleNamespace(status="200 OK", sent=12, headers=[])
    req = SimpleNamespace(headers=[("USER-AGENT", "SecretBrowser/1.0")], path=path.split("?")[0])
    logger.access(resp, req, _environ(path), timedelta(milliseconds=5))


def test_portal_paths_are_recognised():
    assert portal_path("/o/acme/")
    assert portal_path("/o/acme/follow/?x=1")
    assert portal_path("GET /o/acme/new/ HTTP/1.1")
    assert portal_path("//o/acme/")
    assert portal_path("GET http://example.org/o/acme/ HTTP/1.1")
    assert not portal_path("/desk/acme/")
    assert not portal_path("/orgs/")
    assert not portal_path("GET /api/v1/cases HTTP/1.1")
    assert not portal_path(None)


def test_gunicorn_access_log_has_no_portal_lines(tmp_path):
    log_file = tmp_path / "access.log"
    cfg = Config()
    cfg.set("accesslog", str(log_file))
    logger = PortalQuietLogger(cfg)
    try:
        _access(logger, "/o/acme/")
        _access(logger, "/o/acme/follow/")
        _access(logger, "/desk/acme/")
        for handler in logger.access_log.handlers:
            handler.flush()
        text = log_file.read_text()
    finally:
        for handler in list(logger.access_log.handlers):
            handler.close()
            logger.access_log.removeHandler(handler)
    assert "/desk/acme/" in text
    assert "/o/" not in text


def test_the_filter_drops_gunicorn_style_records_for_the_portal():
    flt = PortalPathFilter()

    def record(path: str) -> logging.LogRecord:
        atoms = {"U": path, "r": f"GET {path} HTTP/1.1", "h": "203.0.113.50"}
        return logging.LogRecord("gunicorn.access", logging.INFO, "", 0, "%(r)s", (atoms,), None)

    assert not flt.filter(record("/o/acme/new/"))
    assert flt.filter(record("/api/v1/cases"))


def test_the_run_command_passes_the_quiet_logger(monkeypatch):
    started: list[list[str]] = []

    class Fake:
        def __init__(self, argv, *a, **k):
            started.append(list(argv))

    monkeypatch.setattr(run, "call_command", lambda *a, **k: None)
    monkeypatch.setattr(subprocess, "Popen", Fake)
    monkeypatch.setattr(run, "_supervise", lambda children: 0)
    with pytest.raises(SystemExit):
        run.Command().handle(host="127.0.0.1", port=8123, workers=1, no_worker=True)
    [web] = started
    assert web[web.index("--logger-class") + 1] == run.LOGGER_CLASS
    assert "--access-logfile" not in web


@pytest.mark.django_db
def test_django_request_warnings_for_portal_paths_are_dropped(caplog):
    logger = logging.getLogger("django.request")
    assert any(isinstance(f, PortalPathFilter) for f in logger.filters)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        Client().get("/o/nobody-here/")
        Client().get("/definitely-not-a-page/")
    messages = [r.getMessage() for r in caplog.records if r.name == "django.request"]
    assert not any("/o/" in m for m in messages)
    assert any("definitely-not-a-page" in m for m in messages)


def test_server_errors_on_portal_paths_are_kept():
    flt = PortalPathFilter()
    request = SimpleNamespace(path="/o/acme/new/")
    error = logging.LogRecord(
        "django.request", logging.ERROR, "", 0, "Internal Server Error: %s", ("/o/acme/new/",), None
    )
    error.request = request
    assert flt.filter(error)
    warning = logging.LogRecord(
        "django.request", logging.WARNING, "", 0, "Not Found: %s", ("/o/acme/x/",), None
    )
    warning.request = request
    assert not flt.filter(warning)
