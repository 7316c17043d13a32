#!/bin/bash
# Checks the stand-in sudo (simulations/sudo) against Debian's real sudo, side by side: the same
# scenarios (a wrong password followed by command input, -S -k -v, a cached credential, no stdin)
# run as a throw-away user with a password, once with each, and their stderr/stdout and exit codes
# must be identical. Run by hand as root where sudo can be installed (`apt-get install -y sudo`;
# CI machines do not have it): `bash tests/harness/ssh/compare-sudo.sh`. Last run: sudo 1.9.13p3.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "run as root (it bind-mounts a user database in a private mount namespace)" >&2; exit 1; }
[ -x /usr/bin/sudo ] || { echo "Debian's sudo is not installed (apt-get install -y sudo)" >&2; exit 1; }
stand_in="$(cd "$(dirname "$0")" && pwd)/simulations/sudo"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
uid=4299
cp /etc/passwd /etc/shadow /etc/group "$work/"
echo "sudocheck:x:$uid:$uid::$work:/bin/bash" >>"$work/passwd"
echo "sudocheck:$(openssl passwd -6 goodpw):19000:0:99999:7:::" >>"$work/shadow"
sed -i 's/^\(sudo:x:27:.*\)$/\1,sudocheck/; s/^sudo:x:27:,/sudo:x:27:/' "$work/group"
echo "sudocheck:x:$uid:" >>"$work/group"
mkdir "$work/sim"
echo password >"$work/sim/sudo-mode"
printf '%s' goodpw | sha256sum | cut -d' ' -f1 >"$work/sim/sudo-password.sha256"
chown -R "$uid" "$work/sim"
cat >"$work/scenarios.sh" <<'SCENARIOS'
mount --bind "$WORK/passwd" /etc/passwd; mount --bind "$WORK/shadow" /etc/shadow; mount --bind "$WORK/group" /etc/group
u() { setpriv --reuid "$UID_" --regid "$UID_" --init-groups env NESTLAB_SIM_DIR="$WORK/sim" "$@"; }
s() { echo "-- $*"; }
s wrong password then input lines; printf 'wrongpw\nline1\nline2\nline3\n' | u $SUDO -S -p '' -- cat; echo "exit $?"
s -S -k -v wrong; printf 'wrongpw\n' | u $SUDO -S -k -p '' -v; echo "exit $?"
s -S -k -v right; printf 'goodpw\n' | u $SUDO -S -k -p '' -v; echo "exit $?"
s -S -k cat; printf 'goodpw\ninput-line\n' | u $SUDO -S -k -p '' -- cat; echo "exit $?"
s -n; u $SUDO -n true; echo "exit $?"
s no -S; u $SUDO true </dev/null; echo "exit $?"
s cached then -S; u bash -c "printf 'goodpw\n' | $SUDO -S -p '' -v; printf 'goodpw\ninput\n' | $SUDO -S -p '' -- cat; echo exit \$?"
s cached then -S -k; u bash -c "printf 'goodpw\n' | $SUDO -S -p '' -v; printf 'goodpw\ninput\n' | $SUDO -S -k -p '' -- cat; echo exit \$?"
s empty stdin; u $SUDO -S -k -p '' -v </dev/null; echo "exit $?"
s wrong then right; printf 'bad1\ngoodpw\n' | u $SUDO -S -k -p '' -- echo ran; echo "exit $?"
SCENARIOS
run() { WORK=$work UID_=$uid SUDO=$1 unshare --mount --propagation private bash "$work/scenarios.sh" 2>&1; }
run /usr/bin/sudo >"$work/real.txt"
run "$stand_in" >"$work/stand-in.txt"
if diff -u "$work/real.txt" "$work/stand-in.txt"; then echo "stand-in sudo matches $(sudo -V | head -n 1) in every scenario"; else exit 1; fi
