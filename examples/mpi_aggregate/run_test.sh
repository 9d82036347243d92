#!/usr/bin/env bash
# CTest driver: the digest of 4 MPI ranks must equal the digest of 1.
#   run_test.sh <mpiexec> <mpi_aggregate> [rows]
set -euo pipefail
mpiexec="$1"; exe="$2"; rows="${3:-10000000}"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Loopback only; no network discovery on the CI machine.
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo
four=$("$mpiexec" -np 4 --oversubscribe "$exe" --rows "$rows")
one=$("$mpiexec" -np 1 "$exe" --rows "$rows")
echo "--- 4 ranks"; echo "$four"; echo "--- 1 rank"; echo "$one"
d4=$(sed -n 's/^digest //p' <<<"$four"); d1=$(sed -n 's/^digest //p' <<<"$one")
if [ -z "$d4" ] || [ "$d4" != "$d1" ]; then echo "FAIL: digest 4 ranks '$d4' != 1 rank '$d1'"; exit 1; fi
echo "ok: digest $d4 identical for 1 and 4 ranks"
