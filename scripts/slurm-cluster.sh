#!/usr/bin/env bash
# A real one-node Slurm cluster on this machine, for the Slurm executor's tests and benchmark.
#
#   bash scripts/slurm-cluster.sh                      # up: install, configure, start; wait until the node is idle
#   bash scripts/slurm-cluster.sh --max-array-size 11  # the same with MaxArraySize=11 (restarts the daemons)
#   bash scripts/slurm-cluster.sh stop                 # stop slurmctld, slurmd and munged
#   bash scripts/slurm-cluster.sh status               # print whether the node is usable; exit 0 when it is
#
# Idempotent, and fast when the cluster is already up with the same configuration (the config is regenerated
# from the environment every time and the daemons restart only when it changed: a cluster left at
# MaxArraySize=11 by a test returns to the default on the next plain call).
#
# Environment: SLURM_MAX_ARRAY_SIZE (default 1001), SLURM_MAX_JOB_COUNT (default 20000),
# SLURM_CLUSTER_WAIT (seconds to wait for the node, default 60), SLURM_CLUSTER_NAME (default curate).
#
# No systemd here: munged runs as the munge user, slurmctld and slurmd as root, started directly with pid files.
# No accounting database (no slurmdbd, no sacct): the executor judges finished tasks by their completion
# records on shared storage, and by `scontrol show job` while slurmctld still remembers them (MinJobAge).
set -euo pipefail

die() { echo "slurm-cluster: error: $*" >&2; exit 1; }
note() { echo "slurm-cluster: $*" >&2; }

action=up
max_array=${SLURM_MAX_ARRAY_SIZE:-1001}
while [ $# -gt 0 ]; do
  case "$1" in
    up|stop|status) action=$1 ;;
    --max-array-size) [ $# -ge 2 ] || die "--max-array-size needs a number"; max_array=$2; shift ;;
    --max-array-size=*) max_array=${1#*=} ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument \"$1\" (expected up, stop, status or --max-array-size N)" ;;
  esac
  shift
done
case "$max_array" in ''|*[!0-9]*) die "MaxArraySize must be a whole number, got \"$max_array\"" ;; esac
[ "$max_array" -ge 1 ] && [ "$max_array" -le 4000001 ] || die "MaxArraySize must be in 1...4000001, got $max_array"
max_jobs=${SLURM_MAX_JOB_COUNT:-20000}
case "$max_jobs" in ''|*[!0-9]*) die "SLURM_MAX_JOB_COUNT must be a whole number, got \"$max_jobs\"" ;; esac
wait_s=${SLURM_CLUSTER_WAIT:-60}
case "$wait_s" in ''|*[!0-9]*) die "SLURM_CLUSTER_WAIT must be a whole number of seconds, got \"$wait_s\"" ;; esac
cluster_name=${SLURM_CLUSTER_NAME:-curate}

[ "$(id -u)" = 0 ] || die "must run as root (it installs packages and starts slurmctld/slurmd as root)"

conf_dir=/etc/slurm
conf=$conf_dir/slurm.conf
ctld_pid=/run/slurmctld.pid
slurmd_pid=/run/slurmd.pid
log_dir=/var/log/slurm
ctld_log=$log_dir/slurmctld.log
slurmd_log=$log_dir/slurmd.log
munge_key=/etc/munge/munge.key

# The pid in FILE when that process is alive.
alive() { local p; p=$(cat "$1" 2>/dev/null || true); [ -n "$p" ] && kill -0 "$p" 2>/dev/null && echo "$p"; }

# Sends TERM to the daemon in pid FILE and waits (at most GRACE seconds, default 15, then KILL) until it is gone.
stop_daemon() {
  local file=$1 name=$2 grace=${3:-15} p i
  p=$(alive "$file") || { rm -f "$file"; return 0; }
  kill "$p" 2>/dev/null || true
  for i in $(seq 1 $((grace * 10))); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$p" 2>/dev/null; then note "$name ($p) ignored TERM for $grace s; killing it"; kill -9 "$p" 2>/dev/null || true; sleep 0.2; fi
  rm -f "$file"
}

log_tails() {
  for f in "$ctld_log" "$slurmd_log"; do
    [ -f "$f" ] && { echo "--- last lines of $f:" >&2; tail -n 25 "$f" >&2; }
  done
  return 0
}

munged_pid() { pgrep -u munge -x munged 2>/dev/null | head -n1; }

if [ "$action" = stop ]; then
  # slurmd often sits out a TERM for many seconds on this machine; its batch steps run on without it.
  stop_daemon "$slurmd_pid" slurmd 5
  stop_daemon "$ctld_pid" slurmctld
  if p=$(munged_pid) && [ -n "$p" ]; then
    kill "$p" 2>/dev/null || true
    for i in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  fi
  note "stopped"
  exit 0
fi

node=$(hostname -s)
[ -n "$node" ] || die "hostname -s printed nothing; Slurm needs this host's short name for NodeName"

# The node's state letters from sinfo (idle, mix, alloc, down, drain, ...), empty when slurmctld does not answer.
node_state() { timeout 10 sinfo -h -n "$node" -o %t 2>/dev/null | head -n1 | tr -d ' *~#!%$@^-' || true; }

if [ "$action" = status ]; then
  s=$(node_state)
  case "$s" in
    idle|mix|alloc|comp) echo "slurm-cluster: node $node is $s"; exit 0 ;;
    *) echo "slurm-cluster: node $node is ${s:-unreachable (slurmctld not answering)}"; exit 1 ;;
  esac
fi

# --- packages
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  command -v apt-get >/dev/null || die "slurm-wlm and munge are not installed and there is no apt-get to install them"
  note "installing slurm-wlm and munge (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || die "apt-get update failed"
  apt-get install -y -qq slurm-wlm munge >/dev/null || die "apt-get install slurm-wlm munge failed"
fi

# --- munge: a key owned by munge (0400), munged running as munge
if [ ! -s "$munge_key" ]; then
  note "writing a munge key at $munge_key"
  mkdir -p /etc/munge
  dd if=/dev/urandom of="$munge_key" bs=1024 count=1 status=none || die "cannot write $munge_key"
fi
chown munge:munge /etc/munge "$munge_key" && chmod 0700 /etc/munge && chmod 0400 "$munge_key" || die "cannot set the owner/mode of $munge_key"
for d in /run/munge /var/lib/munge /var/log/munge; do mkdir -p "$d"; chown munge:munge "$d"; done
chmod 0755 /run/munge
if [ -z "$(munged_pid)" ]; then
  note "starting munged as munge"
  rm -f /run/munge/munge.socket.2.lock 2>/dev/null || true
  if command -v runuser >/dev/null; then runuser -u munge -- /usr/sbin/munged || die "munged did not start (see /var/log/munge/munged.log)"
  else su -s /bin/sh munge -c /usr/sbin/munged || die "munged did not start (see /var/log/munge/munged.log)"; fi
fi
for i in $(seq 1 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
munge -n 2>/dev/null | unmunge >/dev/null 2>&1 || die "munge does not work (munge -n | unmunge failed; see /var/log/munge/munged.log)"

# --- slurm.conf for this host
hw=$(slurmd -C 2>/dev/null | head -n1) || true
case "$hw" in NodeName=*) ;; *) die "slurmd -C printed no NodeName line (got \"$hw\")" ;; esac
# slurmd -C names the node by its own idea of the hostname; the config uses hostname -s.
hw_fields=$(echo "$hw" | tr ' ' '\n' | grep -E '^(CPUs|Boards|SocketsPerBoard|CoresPerSocket|ThreadsPerCore|RealMemory)=' | tr '\n' ' ')
echo "$hw_fields" | grep -q 'CPUs=' || die "slurmd -C printed no CPUs (got \"$hw\")"

mkdir -p "$conf_dir" /var/spool/slurmctld /var/spool/slurmd "$log_dir"
new_conf=$(mktemp)
trap 'rm -f "$new_conf"' EXIT
cat > "$new_conf" <<EOF
# Written by scripts/slurm-cluster.sh: a one-node test cluster (regenerated on every call; edit the script).
ClusterName=$cluster_name
SlurmctldHost=$node
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
ReturnToService=2
SlurmctldPidFile=$ctld_pid
SlurmdPidFile=$slurmd_pid
SlurmctldPort=6817
SlurmdPort=6818
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldLogFile=$ctld_log
SlurmdLogFile=$slurmd_log
SlurmctldDebug=info
SlurmdDebug=info
SchedulerType=sched/backfill
# Throughput for thousands of short array tasks: look deeper into the queue on each pass. The partition
# lets jobs that ask (sbatch --oversubscribe) share a CPU, up to 8 per CPU: the benchmark's trivial tasks
# do, so a 2-CPU machine is not bound to 2 at a time by scheduling latency; other jobs get whole CPUs.
SchedulerParameters=default_queue_depth=1000,bf_max_job_test=1000,bf_interval=5
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MaxArraySize=$max_array
MaxJobCount=$max_jobs
MinJobAge=300
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
NodeName=$node $hw_fields State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES:8
EOF

changed=0 node_changed=0
if ! cmp -s "$new_conf" "$conf"; then
  # The node's own line (its CPUs, memory) is what slurmd must restart for; the rest is slurmctld's.
  [ "$(grep '^NodeName=' "$new_conf")" = "$(grep '^NodeName=' "$conf" 2>/dev/null)" ] || node_changed=1
  cp "$new_conf" "$conf" && chmod 0644 "$conf" || die "cannot write $conf"
  changed=1
  note "wrote $conf (MaxArraySize=$max_array, MaxJobCount=$max_jobs)"
fi

# --- daemons: restart on a changed config, start when not running. slurmctld is restarted (MaxArraySize is
# read at start-up; its state survives in StateSaveLocation); slurmd only when its node changed, since it can
# take 15 s to stop while it cleans up finished jobs; otherwise `scontrol reconfigure` makes it re-read.
if [ $changed = 1 ]; then
  [ $node_changed = 0 ] || stop_daemon "$slurmd_pid" slurmd 5
  stop_daemon "$ctld_pid" slurmctld
fi
if ! alive "$ctld_pid" >/dev/null; then
  note "starting slurmctld"
  slurmctld -f "$conf" || { log_tails; die "slurmctld did not start"; }
fi
if ! alive "$slurmd_pid" >/dev/null; then
  note "starting slurmd"
  slurmd -f "$conf" || { log_tails; die "slurmd did not start"; }
elif [ $changed = 1 ] && [ $node_changed = 0 ]; then
  for i in $(seq 1 20); do timeout 10 scontrol ping >/dev/null 2>&1 && break; sleep 0.25; done
  timeout 20 scontrol reconfigure >/dev/null 2>&1 || note "scontrol reconfigure failed; slurmd keeps its old copy of the config until restarted"
fi

# --- wait (bounded) until the node is usable; resume it when down or drained
deadline=$(( $(date +%s) + wait_s ))
resumed=0
while :; do
  s=$(node_state)
  case "$s" in
    idle|mix|alloc|comp) note "node $node is $s (MaxArraySize=$max_array)"; exit 0 ;;
    down|drain|drng|fail|failg)
      if [ $resumed -lt 3 ]; then
        timeout 10 scontrol update nodename="$node" state=resume >/dev/null 2>&1 || true
        resumed=$((resumed + 1))
      fi ;;
  esac
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "slurm-cluster: error: node $node is not idle after ${wait_s} s (state: ${s:-slurmctld not answering})" >&2
    log_tails
    exit 1
  fi
  sleep 0.5
done
