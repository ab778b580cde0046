#!/usr/bin/env bash
# Times whole `bsr` processes against Buf 1.75 in the same run (issue 3's targets):
#   logout with no netrc, logout with a 10,000-entry netrc, login --token-stdin against a
#   loopback registry over http and over https (trust roots: SSL_CERT_FILE = the system bundle
#   plus a test CA; CPU time compared, issue 12's target is bsr <= 1/10 of Buf); then peak
#   memory (max RSS) and the release binary's size.
#
# Needs: hyperfine (Debian package), python3, openssl, npm (to fetch Buf 1.75 once).
# Usage: scripts/bench-cli.sh [runs]      (BUF=/path/to/buf to use another Buf binary)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-50}

command -v hyperfine >/dev/null || { echo "install hyperfine (apt-get install hyperfine)" >&2; exit 1; }
cargo build --release --locked --quiet
bsr=$PWD/target/release/bsr

cache=${XDG_CACHE_HOME:-$HOME/.cache}/bsr-bench
buf=${BUF:-$cache/buf-1.75.0/package/bin/buf}
if [ ! -x "$buf" ]; then
  mkdir -p "$cache/buf-1.75.0"
  (cd "$cache/buf-1.75.0" && npm pack --silent @bufbuild/buf-linux-x64@1.75.0 >/dev/null && tar xzf bufbuild-buf-linux-x64-1.75.0.tgz)
fi

work=$(mktemp -d)
server_pid=
tls_pid=
cleanup() { for pid in $server_pid $tls_pid; do kill "$pid" 2>/dev/null; done; rm -rf "$work"; }
trap cleanup EXIT

# A loopback Connect registry that answers GetCurrentUser for any token, in the codec asked
# for: Buf sends binary protobuf (application/proto), bsr JSON. A bare socket loop rather than
# http.server, whose header parsing would add a few hundred microseconds to every call.
cat > "$work/server.py" <<'PY'
import socket, ssl, sys
USER = b"\x0a\x02u1" + b"\x22\x05alice"          # User{id: "u1", username: "alice"}
PROTO = b"\x0a" + bytes([len(USER)]) + USER      # GetCurrentUserResponse{user: ...}
JSON = b'{"user":{"id":"u1","username":"alice"}}'
listener = socket.create_server(("127.0.0.1", 0))
open(sys.argv[1], "w").write(str(listener.getsockname()[1]))
tls = None
if len(sys.argv) > 2:
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(sys.argv[2], sys.argv[3])
while True:
    conn, _ = listener.accept()
    if tls:
        try:
            conn = tls.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError):
            conn.close()
            continue
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    proto = b"content-type: application/proto" in head.lower()
    payload, kind = (PROTO, b"application/proto") if proto else (JSON, b"application/json")
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: " + kind + b"\r\nContent-Length: "
                 + str(len(payload)).encode() + b"\r\nConnection: close\r\n\r\n" + payload)
    conn.close()
PY
python3 "$work/server.py" "$work/port" &
server_pid=$!
while [ ! -s "$work/port" ]; do sleep 0.05; done
domain=127.0.0.1:$(cat "$work/port")

# The same registry over TLS, with a certificate from a test CA; SSL_CERT_FILE for the https
# runs is the system bundle with that CA appended (how a private registry's CA is usually added).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=bench-ca \
  -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=127.0.0.1 \
  -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' > "$work/san.ext"
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial \
  -days 2 -extfile "$work/san.ext" -out "$work/server.pem" 2>/dev/null
cat /etc/ssl/certs/ca-certificates.crt "$work/ca.pem" > "$work/bundle.pem"
python3 "$work/server.py" "$work/tls-port" "$work/server.pem" "$work/server.key" &
tls_pid=$!
while [ ! -s "$work/tls-port" ]; do sleep 0.05; done
tls_domain=127.0.0.1:$(cat "$work/tls-port")

export HOME=$work/home BUF_CONFIG_DIR=$work/config
# A typical machine sets neither SSL_CERT_FILE nor SSL_CERT_DIR (some CI images set both).
unset NETRC BUF_TOKEN HTTP_PROXY HTTPS_PROXY ALL_PROXY http_proxy https_proxy all_proxy \
  SSL_CERT_FILE SSL_CERT_DIR
mkdir -p "$HOME" "$BUF_CONFIG_DIR"
printf 'version: v1\ntls:\n  use: "false"\n' > "$BUF_CONFIG_DIR/config.yaml"
printf 'bsr-bench-token-0123456789abcdef\n' > "$work/token"

# A 10,000-entry netrc (about 1 MB) that holds BSR entries, restored before every run.
python3 - "$work/netrc-10k" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(10000):
        if i == 5000:
            f.write("machine buf.build\n\tlogin alice\n\tpassword bsr-bench-token\n")
            f.write("machine go.buf.build\n\tlogin alice\n\tpassword bsr-bench-token\n")
        f.write(f"machine host-{i:05}.example.com\n\tlogin user{i:05}\n\tpassword p{i:05}-0123456789abcdef0123456789\n")
PY
chmod 600 "$work/netrc-10k"

echo "== bsr $("$bsr" --version | cut -d' ' -f2) vs buf $("$buf" --version), $runs runs each"
hyperfine --style basic --warmup 5 --runs "$runs" -N \
  --prepare "rm -f $HOME/.netrc" \
  -n "bsr logout (no netrc)" "$bsr registry logout" \
  -n "buf logout (no netrc)" "$buf registry logout" \
  --export-json "$work/no-netrc.json"
hyperfine --style basic --warmup 5 --runs "$runs" -N \
  --prepare "cp --preserve=mode $work/netrc-10k $HOME/.netrc" \
  -n "bsr logout (10,000 entries)" "$bsr registry logout" \
  -n "buf logout (10,000 entries)" "$buf registry logout" \
  --export-json "$work/10k.json"
# hyperfine 1.15 (Debian 12) has no --input: a shell redirects stdin, and hyperfine subtracts
# the shell's own start-up time.
hyperfine --style basic --warmup 5 --runs "$runs" \
  --prepare "rm -f $HOME/.netrc" \
  -n "bsr login --token-stdin" "$bsr registry login $domain --token-stdin < $work/token" \
  -n "buf login --token-stdin" "$buf registry login $domain --token-stdin < $work/token" \
  --export-json "$work/login.json"
mkdir -p "$work/tls-config"
hyperfine --style basic --warmup 5 --runs "$runs" \
  --prepare "rm -f $HOME/.netrc" \
  -n "bsr login over https" "BUF_CONFIG_DIR=$work/tls-config SSL_CERT_FILE=$work/bundle.pem $bsr registry login $tls_domain --token-stdin < $work/token" \
  -n "buf login over https" "BUF_CONFIG_DIR=$work/tls-config SSL_CERT_FILE=$work/bundle.pem $buf registry login $tls_domain --token-stdin < $work/token" \
  --export-json "$work/login-https.json"

echo
echo "== medians and ratios (wall), and CPU (user + system, mean)"
python3 - "$work"/no-netrc.json "$work"/10k.json "$work"/login.json "$work"/login-https.json <<'PY'
import json, sys
for path in sys.argv[1:]:
    results = json.load(open(path))["results"]
    bsr, buf = results[0], results[1]
    cpu = lambda r: (r["user"] + r["system"]) * 1000
    print(f"{bsr['command']:<28} median {bsr['median']*1000:7.2f} ms, CPU {cpu(bsr):6.2f} ms   "
          f"{buf['command']:<28} median {buf['median']*1000:7.2f} ms, CPU {cpu(buf):6.2f} ms   "
          f"bsr is {buf['median']/bsr['median']:5.1f}x faster; CPU ratio bsr/buf {cpu(bsr)/cpu(buf):.3f}")
PY

echo
echo "== peak memory (max RSS of one run)"
# A tiny C launcher forks, execs and reads the child's ru_maxrss. The kernel counts the
# launcher's own pages at exec in that figure too, so its floor (launching /bin/true) is shown.
cat > "$work/maxrss.c" <<'C'
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv) {
    pid_t pid = fork();
    if (pid == 0) { execv(argv[1], argv + 1); _exit(127); }
    int status; struct rusage usage;
    wait4(pid, &status, 0, &usage);
    double cpu_ms = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e3
                  + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e3;
    printf("%6.2f MiB %8.3f ms\n", usage.ru_maxrss / 1024.0, cpu_ms);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
C
cc -O2 -o "$work/maxrss" "$work/maxrss.c"
peak() { # label, prepare, command...
  local label=$1 prepare=$2; shift 2
  eval "$prepare"
  printf '%s: ' "$label"
  "$work/maxrss" "$@" < "$work/token" > "$work/peak.out" 2>/dev/null || true
  tail -n 1 "$work/peak.out" | awk '{print $1, $2}'
}
peak "floor (/bin/true)          " ":" /bin/true
for tool in bsr buf; do
  exe=$bsr; [ $tool = buf ] && exe=$buf
  peak "$tool logout (no netrc)      " "rm -f $HOME/.netrc" "$exe" registry logout
  peak "$tool logout (10,000 entries)" "cp --preserve=mode $work/netrc-10k $HOME/.netrc" "$exe" registry logout
  peak "$tool login --token-stdin    " "rm -f $HOME/.netrc" "$exe" registry login "$domain" --token-stdin
done

echo
echo "== CPU time (user + system) of one login, from wait4's rusage: median of $runs"
# Per process and nothing else: no shell, no env, no harness in the figure.
cpu_median() { # config dir, SSL_CERT_FILE or "", command... (stdin: the token)
  local config=$1 certs=$2; shift 2
  for _ in $(seq "$runs"); do
    rm -f "$HOME/.netrc"
    if [ -n "$certs" ]; then
      BUF_CONFIG_DIR=$config SSL_CERT_FILE=$certs "$work/maxrss" "$@" < "$work/token" > "$work/cpu.out" 2>/dev/null || true
    else
      BUF_CONFIG_DIR=$config "$work/maxrss" "$@" < "$work/token" > "$work/cpu.out" 2>/dev/null || true
    fi
    tail -n 1 "$work/cpu.out" | awk '{print $3}'
  done | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
for scheme in http https; do
  if [ $scheme = http ]; then config=$BUF_CONFIG_DIR certs= target=$domain
  else config=$work/tls-config certs=$work/bundle.pem target=$tls_domain; fi
  bsr_cpu=$(cpu_median "$config" "$certs" "$bsr" registry login "$target" --token-stdin)
  buf_cpu=$(cpu_median "$config" "$certs" "$buf" registry login "$target" --token-stdin)
  awk -v s=$scheme -v a="$bsr_cpu" -v b="$buf_cpu" 'BEGIN {printf "login over %-5s bsr %.2f ms, buf %.2f ms: bsr uses %.3f of Buf'"'"'s CPU\n", s, a, b, a/b}'
done

echo
echo "== release binary size"
stat -c '%s bytes' "$bsr" | awk '{printf "bsr: %.2f MB (%d bytes)\n", $1/1e6, $1}'
