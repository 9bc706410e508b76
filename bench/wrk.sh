#!/usr/bin/env bash
# An external load generator's view: wrk against the emulator directly, through nginx, through a plain
# YARP forwarder and through qwen-proxy (and any other build of it named with --also), side by side in
# one run. Non-streaming and streaming: median latency one connection at a time, then throughput with
# many connections. Writes a markdown table to stdout and to bench/results/wrk.md.
#
#   bench/wrk.sh                                      this tree's proxy
#   bench/wrk.sh --also before=/path/to/Proxy.Web.dll  also another build (an older commit) in the same run
#   options: --duration 10 (seconds per measurement), --connections 64, --threads 2, --runs 1
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

duration=10 connections=64 threads=2 runs=1
also=()
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift ;;
    --connections) connections=$2; shift ;;
    --threads) threads=$2; shift ;;
    --runs) runs=$2; shift ;;
    --also) also+=("$2"); shift ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/wrk.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
need=()
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
if [ ${#need[@]} -gt 0 ]; then
  # The packages must not start system services: a policy-rc.d refusing every start is in place for the install.
  echo "wrk.sh: installing ${need[*]}" >&2
  policy=/usr/sbin/policy-rc.d placed=false
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null; as_root chmod +x "$policy"; placed=true; fi
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  if $placed; then as_root rm -f "$policy"; fi
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
hard=$(ulimit -Hn); [ "$hard" = unlimited ] && hard=1048576; ulimit -n "$hard"

echo "wrk.sh: building (Release)" >&2
for project in tests/Qwen.Emulator src/Proxy.Web bench/Proxy.YarpForwarder; do
  dotnet build "$project" -c Release -nologo -v q -clp:NoSummary >&2
done

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ -f "$work/nginx/nginx.pid" ]; then kill "$(cat "$work/nginx/nginx.pid")" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

key=bench-key
emu=18380 ngx=18381 yarp=18382 first_proxy=18390
wait_health() { # url name
  for _ in $(seq 1 150); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.2; done
  echo "wrk.sh: $2 did not come up ($1)" >&2
  exit 1
}

dotnet tests/Qwen.Emulator/bin/Release/net10.0/Qwen.Emulator.dll --port $emu --api-key $key --log-level none >"$work/emulator.log" 2>&1 &
pids+=($!)
wait_health "http://127.0.0.1:$emu/" emulator

mkdir -p "$work/nginx"
user_line=""
if [ "$(id -u)" -eq 0 ]; then user_line="user root root;"; fi
cat >"$work/nginx/nginx.conf" <<CONF
$user_line
worker_processes auto;
worker_rlimit_nofile 20000;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 20000; multi_accept on; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body; proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fcgi; uwsgi_temp_path $work/nginx/uwsgi; scgi_temp_path $work/nginx/scgi;
  keepalive_requests 1000000; keepalive_timeout 120s;
  upstream emulator { server 127.0.0.1:$emu; keepalive 512; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:$ngx reuseport backlog=4096;
    location / {
      proxy_pass http://emulator; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_buffering off; proxy_request_buffering off; proxy_read_timeout 900s;
    }
  }
}
CONF
"$nginx_bin" -p "$work/nginx" -c "$work/nginx/nginx.conf"

SERVER_PORT=$yarp UPSTREAM_BASE_URL="http://127.0.0.1:$emu/v1" UPSTREAM_API_KEY=$key \
  dotnet bench/Proxy.YarpForwarder/bin/Release/net10.0/Proxy.YarpForwarder.dll >"$work/yarp.log" 2>&1 &
pids+=($!)
wait_health "http://127.0.0.1:$yarp/health" yarp

# Every proxy build: this tree's first, then each --also NAME=DLL, on ports of their own.
names=(proxy) ports=($first_proxy) dlls=("$PWD/src/Proxy.Web/bin/Release/net10.0/Proxy.Web.dll")
i=1
for spec in ${also[@]+"${also[@]}"}; do
  names+=("${spec%%=*}"); dlls+=("$(realpath "${spec#*=}")"); ports+=($((first_proxy + i))); i=$((i + 1))
done
for j in "${!names[@]}"; do
  (cd "$work" && SERVER_HOST=127.0.0.1 SERVER_PORT=${ports[$j]} UPSTREAM_BASE_URL="http://127.0.0.1:$emu/v1" \
    UPSTREAM_API_KEY=$key RATE_LIMIT_RPS=0 MAX_CONCURRENT_STREAMS=0 LOG_LEVEL=warn QWEN_DIR="$work/qwen-${names[$j]}" \
    exec dotnet "${dlls[$j]}") >"$work/${names[$j]}.log" 2>&1 &
  pids+=($!)
  wait_health "http://127.0.0.1:${ports[$j]}/health" "${names[$j]}"
done

paths=(direct nginx yarp "${names[@]}") targets=($emu $ngx $yarp "${ports[@]}")
measure() { # port stream connections -> the RESULT line
  local t=$threads
  if [ "$3" -eq 1 ]; then t=1; fi
  STREAM=$2 BENCH_KEY=$key wrk -t "$t" -c "$3" -d "${duration}s" -s bench/wrk/chat.lua "http://127.0.0.1:$1" | grep '^RESULT'
}
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$2"; }

declare -A p50 rps bad
for run in $(seq 1 "$runs"); do
  for stream in 0 1; do
    for k in "${!paths[@]}"; do
      name=${paths[$k]}
      STREAM=$stream BENCH_KEY=$key wrk -t 1 -c 1 -d 2s -s bench/wrk/chat.lua "http://127.0.0.1:${targets[$k]}" >/dev/null # warm-up
      one=$(measure "${targets[$k]}" $stream 1)
      many=$(measure "${targets[$k]}" $stream "$connections")
      p50[$name.$stream.$run]=$(field p50 "$one")
      rps[$name.$stream.$run]=$(awk -v r="$(field requests "$many")" -v s="$(field seconds "$many")" 'BEGIN { printf "%.0f", r / s }')
      bad[$name.$stream.$run]=$(( $(field bad "$one") + $(field bad "$many") ))
      echo "wrk.sh: run $run stream=$stream $name p50=${p50[$name.$stream.$run]}us rps=${rps[$name.$stream.$run]} bad=${bad[$name.$stream.$run]}" >&2
    done
  done
done

mkdir -p bench/results
{
  echo "wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}'), $(nproc) cores, ${duration}s per measurement, $connections connections for throughput, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "| run | path | non-streaming p50 (1 conn) | added vs direct | req/s @$connections | x nginx | streaming p50 (1 conn) | added vs direct | streams/s @$connections | x nginx | bad answers |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  for run in $(seq 1 "$runs"); do
    for name in "${paths[@]}"; do
      row="| $run | $name"
      for stream in 0 1; do
        d=${p50[direct.$stream.$run]} me=${p50[$name.$stream.$run]}
        row+=" | $(awk -v v="$me" 'BEGIN { printf "%.3f ms", v / 1000 }') | $(awk -v a="$me" -v b="$d" 'BEGIN { printf "%+.3f ms", (a - b) / 1000 }')"
        row+=" | ${rps[$name.$stream.$run]} | $(awk -v a="${rps[$name.$stream.$run]}" -v b="${rps[nginx.$stream.$run]}" 'BEGIN { printf "%.2fx", a / b }')"
      done
      echo "$row | $(( ${bad[$name.0.$run]} + ${bad[$name.1.$run]} )) |"
    done
  done
} | tee bench/results/wrk.md
