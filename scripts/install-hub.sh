#!/usr/bin/env bash
# Installs the hall's sync hub as a system service on a Debian computer
# with systemd: builds the `holdfast` program (release), installs it as
# /usr/local/bin/holdfast, adds the `holdfast` system user, founds the
# campaign in /var/lib/holdfast if there is none yet, and starts the
# service, which starts again at every boot.
#
#   sudo scripts/install-hub.sh "Fair Contract Now" "Local 12"
#
# The campaign's name and the local's name are only used the first time.
# Run it again after pulling a new version: it rebuilds, reinstalls and
# restarts, and leaves the campaign as it is.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "install-hub: run it as root (sudo scripts/install-hub.sh ...)" >&2
  exit 2
fi

data_dir=/var/lib/holdfast
unit_dir=/etc/systemd/system
sysusers_dir=/usr/lib/sysusers.d

# Only what building the program needs: the test tools scripts/setup.sh
# installs (a browser, the desktop stack) have no place on a hall server.
for package in build-essential pkg-config; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || { apt-get update -qq && apt-get install -y -qq "$package"; }
done
cargo build --release --locked --bin holdfast
install -D -m 0755 "${CARGO_TARGET_DIR:-target}/release/holdfast" /usr/local/bin/holdfast
install -D -m 0644 packaging/systemd/holdfast.sysusers "$sysusers_dir/holdfast.conf"
install -D -m 0644 packaging/systemd/holdfast-hub.service "$unit_dir/holdfast-hub.service"
systemd-sysusers "$sysusers_dir/holdfast.conf"
install -d -m 0700 -o holdfast -g holdfast "$data_dir"

as_hub() {
  runuser -u holdfast -- env HOLDFAST_DATA_DIR="$data_dir" HOLDFAST_KEYSTORE=off \
    /usr/local/bin/holdfast "$@"
}
if [ ! -e "$data_dir/holdfast.sqlite3" ]; then
  if [ $# -lt 2 ]; then
    echo "install-hub: there is no campaign in $data_dir yet; give its name and the local's:" >&2
    echo "  sudo scripts/install-hub.sh \"Fair Contract Now\" \"Local 12\"" >&2
    exit 2
  fi
  as_hub init "$1" --local "$2"
fi

systemctl daemon-reload
systemctl enable holdfast-hub.service
systemctl restart holdfast-hub.service
echo "install-hub: the hub is running; its link for the hall's browsers is in: journalctl -u holdfast-hub"
