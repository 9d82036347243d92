#!/bin/sh
# run_if_cpu_has.sh <cpu flag> <command...>: runs the command if /proc/cpuinfo
# lists the flag (e.g. fma), else exits 77 (CTest: skipped) saying why.
flag=$1
shift
if ! grep -qw "$flag" /proc/cpuinfo 2>/dev/null; then
  echo "this CPU does not report '$flag' in /proc/cpuinfo: cannot run a -march=haswell binary; skipped"
  exit 77
fi
exec "$@"
