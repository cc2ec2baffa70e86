#!/usr/bin/env bash
# Make sure PostgreSQL, Redis, Chromium and Tesseract are there and running; install with apt what is missing.
# Fails (never skips) when a service cannot be reached afterwards.
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

# PostgreSQL
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  command -v pg_ctlcluster >/dev/null || apt_install postgresql postgresql-client
  version=$(ls /etc/postgresql | sort -n | tail -1)
  hba=/etc/postgresql/$version/main/pg_hba.conf
  as_root sed -i -E 's/^(host\s+all\s+all\s+\S+\s+)(scram-sha-256|md5|peer)$/\1trust/' "$hba"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not reachable on 127.0.0.1:5432" >&2; exit 1; }
psql -h 127.0.0.1 -U postgres -tAc "SELECT 1" postgres >/dev/null \
  || { echo "PostgreSQL refuses user postgres without a password (set trust auth for 127.0.0.1)" >&2; exit 1; }

# Redis
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  command -v redis-server >/dev/null || apt_install redis-server
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no
  for _ in $(seq 1 20); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.5; done
fi
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { echo "Redis is not reachable on 127.0.0.1:6379" >&2; exit 1; }

# Chromium for the Playwright walks (Playwright's own browser download is not used)
if [ ! -x /usr/bin/chromium ]; then
  apt_install chromium fonts-dejavu-core
fi
/usr/bin/chromium --version >/dev/null || { echo "Chromium is missing at /usr/bin/chromium" >&2; exit 1; }
# Tesseract OCR for scanned certificates (the OCR tests fail without it, they never skip)
if ! command -v tesseract >/dev/null || [ ! -e /usr/share/tesseract-ocr/5/tessdata/eng.traineddata ]; then
  apt_install tesseract-ocr tesseract-ocr-eng
fi
tesseract --version >/dev/null 2>&1 || { echo "Tesseract is missing (apt-get install tesseract-ocr tesseract-ocr-eng)" >&2; exit 1; }
# coturn for the TURN credential test (the video call's relay)
command -v turnserver >/dev/null || apt_install coturn
turnserver --version >/dev/null 2>&1 || { echo "coturn is missing (apt-get install coturn)" >&2; exit 1; }
echo "services: postgresql, redis, chromium, tesseract, coturn ready"
