#!/usr/bin/env bash
# The benchmark in one command: qwen-proxy against the emulator called directly and against nginx
# as a plain streaming reverse proxy, all driven by one load client. See docs/BENCHMARKS.md.
#
#   bench/run.sh                  full run (under 10 minutes on 2 cores), report in bench/results/
#   bench/run.sh --quick          a short run to check the harness; figures are noisy
#   bench/run.sh --update-docs    also copy the report and chart into docs/BENCHMARKS.md
#   bench/run.sh --micro          also run the BenchmarkDotNet micro benchmarks first
#   bench/run.sh --steps soak --paths proxy --soak-minutes 30   the soak alone (exit 1 when it fails)
#   bench/run.sh --help           every option (sizes, durations, ports, paths, steps)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

quick=false micro=false stub=false nginx=true results=bench/results
prev=""
for arg in "$@"; do
  case "$arg" in
    --quick) quick=true ;;
    --micro) micro=true ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exec dotnet run -c Release --project bench/Proxy.LoadClient -- ;;
  esac
  if [ "$prev" = "--upstream" ] && [ "$arg" = "stub" ]; then stub=true; fi
  if [ "$prev" = "--results" ]; then results="$arg"; fi
  if [ "$prev" = "--paths" ] && [[ "$arg" != *nginx* ]]; then nginx=false; fi
  prev="$arg"
done

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# nginx from Debian, once. The package must not start the system service: a policy-rc.d that
# refuses every start is in place for the install only. The harness runs its own nginx.
if $nginx && ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  echo "bench: installing nginx"
  policy=/usr/sbin/policy-rc.d
  placed=false
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
    as_root chmod +x "$policy"
    placed=true
  fi
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends nginx >/dev/null
  if $placed; then as_root rm -f "$policy"; fi
fi

# Every process started from here (load client, emulator, proxy, nginx) gets its own open-files
# limit of this size: 8,000 streams cost the proxy two descriptors each and the load client one.
hard=$(ulimit -Hn)
if [ "$hard" = "unlimited" ]; then hard=1048576; fi
ulimit -n "$hard"

echo "bench: building (Release)"
projects=(src/Proxy.Web bench/Proxy.BaselinePipe bench/Proxy.LoadClient)
if ! $stub; then projects=(tests/Qwen.Emulator "${projects[@]}"); fi
for project in "${projects[@]}"; do
  dotnet build "$project" -c Release -nologo -v q -clp:NoSummary
done

if $micro; then
  echo "bench: micro benchmarks (BenchmarkDotNet)"
  rm -rf "$results/micro"
  # Quick: one in-process pass. Full: the short job in its own process; building that process can
  # take minutes on a busy machine, hence the long build timeout.
  job=(--job short --buildTimeout 900)
  if $quick; then job=(--job dry --inProcess); fi
  dotnet run -c Release --project bench/Proxy.Benchmarks -- --filter '*' "${job[@]}" --artifacts "$results/micro"
fi

exec dotnet bench/Proxy.LoadClient/bin/Release/net10.0/Proxy.LoadClient.dll run \
  --repo "$repo" --command-line "bench/run.sh${*:+ $*}" "$@"
