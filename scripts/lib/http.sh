# Sourced by scripts/up: a GET that needs nothing but bash, so a fresh Debian 12 without curl can run the
# platform. http_ok URL succeeds when the answer's status is 2xx. Plain http only (the local services).
http_ok() {
  local url="$1" rest host port path status
  rest="${url#http://}"
  host="${rest%%/*}"; path="/${rest#*/}"; [ "$rest" = "$host" ] && path="/"
  port="${host##*:}"; host="${host%:*}"; [ "$port" = "$host" ] && port=80
  [ "$host" = localhost ] && host=127.0.0.1
  # A subshell with a bound: a frozen server must not hang the caller.
  status="$(timeout 3 bash -c '
    exec 3<>"/dev/tcp/$1/$2" || exit 1
    printf "GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n" "$3" "$1" >&3
    IFS=" " read -r _ code _ <&3 && printf "%s" "$code"' _ "$host" "$port" "$path" 2>/dev/null)" || return 1
  [[ "$status" == 2?? ]]
}
