#!/usr/bin/env bash
# Several SafeClass (Streamlit) replicas on one PostgreSQL behind HAProxy, on loopback.
#
#   DATABASE_URL=postgresql+psycopg://... SAFECLASS_COOKIE_KEY=... bench/replicas.sh start RUNDIR K [streamlit options...]
#   bench/replicas.sh stop RUNDIR
#
# start: K `streamlit run app.py` processes on 127.0.0.1 ($PORTS, default 8601..8600+K), and HAProxy on
# 127.0.0.1:$LB_PORT (default 8600) in front of them:
#   - sticky sessions: HAProxy inserts a cookie naming the replica, so a browser's page, its WebSocket and
#     its media requests reach the same process; a WebSocket is one long TCP connection (timeout tunnel);
#   - health check: GET /_stcore/health every 2 s (10 s to answer), a replica is out after 3 failures, back after 2 passes;
#   - option redispatch: when a browser's replica is down, its reconnect goes to another one (its seat and
#     progress are in the database; nothing per user lives only in a process).
# Every replica gets the same server.cookieSecret (XSRF tokens) and SAFECLASS_COOKIE_KEY (seat and sign-in
# cookies), so any replica accepts what another issued. Replica I's pid, port and log go to
# RUNDIR/replica-I.{pid,port,log} and its cookie value is rI (bench/load.py reads both); stop ends only those.
# Needs Debian's haproxy (apt-get install haproxy). Streamlit options after K go to every replica, e.g.
# --runner.postScriptGC false --server.fileWatcherType none.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
[ -x "$PYTHON" ] || PYTHON="$(command -v python3)"

usage() {
  sed -n '2,6p' "$0" >&2
  exit 2
}

start() {
  local rundir="$1" count="$2"
  shift 2
  [ -n "${DATABASE_URL:-}" ] || { echo "DATABASE_URL must name the shared PostgreSQL" >&2; exit 2; }
  [ -n "${SAFECLASS_COOKIE_KEY:-}" ] || { echo "SAFECLASS_COOKIE_KEY must be set (the same for every replica)" >&2; exit 2; }
  command -v haproxy >/dev/null || { echo "haproxy is not installed: apt-get install haproxy" >&2; exit 2; }
  mkdir -p "$rundir"
  trap 'stop "$rundir"' ERR # a start that fails half-way leaves nothing running
  local lb_port="${LB_PORT:-8600}"
  local ports=(${PORTS:-$(seq 8601 $((8600 + count)))})
  [ "${#ports[@]}" -eq "$count" ] || { echo "PORTS must list $count ports" >&2; exit 2; }
  export STREAMLIT_SERVER_COOKIE_SECRET="${STREAMLIT_SERVER_COOKIE_SECRET:-$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(32))')}"
  export SAFECLASS_TRUST_PROXY=1 # HAProxy sets X-Forwarded-For: throttles count the student's address, not the proxy's

  local servers=""
  for i in $(seq 1 "$count"); do
    local port="${ports[$((i - 1))]}"
    (cd "$ROOT" && exec "$PYTHON" -m streamlit run app.py --server.address 127.0.0.1 --server.port "$port" \
      --server.headless true --browser.gatherUsageStats false "$@") >"$rundir/replica-$i.log" 2>&1 &
    echo $! >"$rundir/replica-$i.pid"
    echo "$port" >"$rundir/replica-$i.port"
    servers+="    server r$i 127.0.0.1:$port check cookie r$i"$'\n'
  done

  cat >"$rundir/haproxy.cfg" <<EOF
global
    maxconn 4000
    log stderr format short local0 warning

defaults
    mode http
    log global
    option httplog
    option forwardfor
    option redispatch
    retries 2
    timeout connect 5s
    timeout client 1h
    timeout server 1h
    timeout tunnel 1h
    timeout http-request 10s

frontend safeclass
    bind 127.0.0.1:$lb_port
    default_backend streamlit

backend streamlit
    balance leastconn
    cookie SAFECLASS_REPLICA insert indirect nocache httponly
    option httpchk GET /_stcore/health
    http-check expect status 200
    # A saturated replica still serves its sockets but answers /_stcore/health slowly (up to 6 s measured at 300
    # sessions): with the check timing out at inter (2 s) the only replica was marked down and every new visitor
    # got a 503. Allow 10 s per check and three misses before taking a replica out.
    timeout check 10s
    default-server inter 2s fall 3 rise 2
$servers
EOF
  haproxy -c -q -f "$rundir/haproxy.cfg"

  # Ready when every replica answers its health check (bounded: 120 s).
  for i in $(seq 1 "$count"); do
    local port="${ports[$((i - 1))]}" ok=""
    for _ in $(seq 1 240); do
      if "$PYTHON" -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/_stcore/health', timeout=2)" 2>/dev/null; then
        ok=1
        break
      fi
      kill -0 "$(cat "$rundir/replica-$i.pid")" 2>/dev/null || break
      sleep 0.5
    done
    [ -n "$ok" ] || { echo "replica $i on port $port did not become healthy; see $rundir/replica-$i.log" >&2; stop "$rundir"; exit 1; }
  done
  # HAProxy starts once they answer: started before, it counted their start-up as failed checks, took them out
  # (fall) and back in only after `rise` passes, a window in which every browser went to one replica.
  haproxy -f "$rundir/haproxy.cfg" -D -p "$rundir/haproxy.pid"
  # Ready when HAProxy routes to each: a request carrying replica I's cookie comes back without a cookie
  # naming another one.
  for i in $(seq 1 "$count"); do
    local routed=""
    for _ in $(seq 1 60); do
      if "$PYTHON" - "$lb_port" "r$i" <<'PY' 2>/dev/null; then
import sys, urllib.request
request = urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}/_stcore/health", headers={"Cookie": f"SAFECLASS_REPLICA={sys.argv[2]}"})
with urllib.request.urlopen(request, timeout=2) as response:
    sys.exit(1 if "SAFECLASS_REPLICA=" in (response.headers.get("Set-Cookie") or "") else 0)
PY
        routed=1
        break
      fi
      sleep 0.5
    done
    [ -n "$routed" ] || { echo "HAProxy did not take replica $i in; see $rundir/replica-$i.log" >&2; stop "$rundir"; exit 1; }
  done
  trap - ERR
  echo "SafeClass: $count replicas behind http://127.0.0.1:$lb_port (pids and logs in $rundir)"
}

stop() {
  local rundir="$1"
  for pidfile in "$rundir"/replica-*.pid "$rundir"/haproxy.pid; do
    [ -f "$pidfile" ] || continue
    local pid
    pid="$(cat "$pidfile")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.25
    done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$pidfile"
  done
}

case "${1:-}" in
  start) [ $# -ge 3 ] || usage; shift; start "$@" ;;
  stop) [ $# -eq 2 ] || usage; stop "$2" ;;
  *) usage ;;
esac
