#!/bin/sh
# What `make run` needs on this machine, checked before anything is installed: one line per missing piece with
# the command that installs it (Debian/Ubuntu package names), exit 1 if any is missing.
#   scripts/prerequisites.sh          the default stand-ins (DynamoDB Local: a Java 17 JDK + npm; MiniStack: Python 3.11)
#   scripts/prerequisites.sh moto     STANDIN=moto: Python 3.11 only
missing=0
miss() { echo "missing: $1 — install with: $2" >&2; missing=1; }

if ! command -v python3.11 >/dev/null 2>&1; then
  miss "Python 3.11 (python3.11)" "sudo apt-get install -y python3.11 python3.11-venv   (or: pyenv install 3.11)"
elif ! python3.11 -c "import ensurepip, venv" >/dev/null 2>&1; then
  miss "Python 3.11's venv module" "sudo apt-get install -y python3.11-venv"
fi
if [ "${1:-}" != "moto" ]; then
  # A JDK, not only a runtime: the launcher that pins DynamoDB Local to 127.0.0.1 is compiled (javac) once.
  jdk="sudo apt-get install -y openjdk-17-jdk-headless"
  if ! command -v java >/dev/null 2>&1; then
    miss "Java 17 (java), for DynamoDB Local" "$jdk"
  else
    major="$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)"
    if [ -z "$major" ] || [ "$major" -lt 17 ]; then
      miss "Java 17 or newer (found: ${major:-unknown}), for DynamoDB Local" "$jdk"
    elif ! command -v javac >/dev/null 2>&1; then
      miss "javac (Java 17's JDK, not only its runtime), for DynamoDB Local" "$jdk"
    fi
  fi
  if ! command -v npm >/dev/null 2>&1; then
    miss "npm, which fetches DynamoDB Local once" "sudo apt-get install -y npm"
  fi
fi
if [ "$missing" -ne 0 ]; then
  echo "make run: install the above, then run it again (or STANDIN=moto make run: Python only, slow, in memory)." >&2
fi
exit "$missing"
