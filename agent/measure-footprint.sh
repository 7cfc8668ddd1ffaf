#!/usr/bin/env bash
# Measures the heartbeat agent's memory and CPU while it sends:
#   agent/measure-footprint.sh [agent-binary] [interval] [seconds]
# With HEARTBEAT_URL, HEARTBEAT_MACHINE_ID and HEARTBEAT_TOKEN set, the agent sends to that platform (a running
# scripts/up, say); without them, to a local stand-in (python3, answering 200 as ingest does), so the figures are
# the agent's own. After a 5 s start-up that is not counted, RSS is read every second from /proc/PID/status
# (VmRSS: the lowest, the highest and the last over the window; VmHWM: the peak since start) and CPU from
# /proc/PID/stat (user + system ticks) over the window.
set -euo pipefail
agent="${1:-artifacts/agent/linux-x64/heartbeat-agent}"
interval="${2:-30s}"
seconds="${3:-60}"
server=""
trap '[ -n "$server" ] && kill $server 2>/dev/null || true' EXIT
if [ -z "${HEARTBEAT_URL:-}" ]; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  python3 - "$port" <<'PY' &
import sys, json, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
class H(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps({"status": "ok", "machine_id": self.path.rsplit("/", 1)[-1], "machine_name": "measured",
                           "heartbeat_received": True, "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat()}).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json"); self.send_header("Content-Length", str(len(body)))
        self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
  server=$!
  export HEARTBEAT_URL="http://127.0.0.1:$port" HEARTBEAT_MACHINE_ID=0192f0c5-0000-7000-8000-000000000001 HEARTBEAT_TOKEN=hb_measure
fi
runner=()
case "$agent" in *.dll) runner=(dotnet) ;; esac
# The linux-arm64 executable on another architecture runs under qemu-user with Debian's arm64 C runtime; the RSS
# read is then qemu's (the emulator and its translated code included), not what the agent takes on an arm64 machine.
if [[ "$agent" == */linux-arm64/* ]] && [ "$(uname -m)" != aarch64 ]; then runner=(qemu-aarch64 -L /usr/aarch64-linux-gnu); fi
HEARTBEAT_INTERVAL="$interval" "${runner[@]}" "$agent" 2>/dev/null &
pid=$!
sleep 5
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
hz=$(getconf CLK_TCK)
start=$(ticks)
low=$(rss); high=$low
for _ in $(seq 1 "$seconds"); do
  sleep 1
  now=$(rss)
  [ "$now" -lt "$low" ] && low=$now
  [ "$now" -gt "$high" ] && high=$now
done
end=$(ticks)
last=$(rss)
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
kill -TERM "$pid"; wait "$pid" || true
cpu_s=$(echo "scale=3; ($end - $start) / $hz" | bc)
pct=$(echo "scale=4; 100 * ($end - $start) / $hz / $seconds" | bc)
echo "agent=$agent interval=$interval window=${seconds}s: RSS ${last} kB (over the window ${low}–${high} kB; peak since start ${hwm} kB), CPU ${cpu_s} s = ${pct} % of one core"
