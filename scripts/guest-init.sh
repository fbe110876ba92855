#!/bin/bash
# PID 1 of the test VM.  The root is the host's own / over 9p, read-only;
# writable state lives on tmpfs.  The run's parameters come from the results
# share (kernel command-line quoting does not survive), its exit status goes
# back there.  Never exits: powers off through sysrq.
set -uo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=${TERM:-linux}

mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null || true
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs shm /dev/shm
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
for d in /tmp /run /var/lib /var/log /var/tmp /srv /mnt /root /lib/modules /etc/nvme; do
	mount -t tmpfs -o mode=0755 tmpfs "$d"
done
chmod 1777 /tmp /var/tmp
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true
mount -t configfs configfs /sys/kernel/config
vm_poweroff() {
	sync
	echo o >/proc/sysrq-trigger
	while :; do :; done
}
mkdir -p /run/results
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 results /run/results

# The run's parameters: PHYR_CMD, PHYR_KOUT and the test environment.
if [ ! -r /run/results/env ]; then
	echo "guest-init: no /run/results/env: the results share did not mount" >&2
	vm_poweroff
fi
# shellcheck disable=SC1091
. /run/results/env
# The project may live under a path the tmpfs mounts above hide (a clone
# in /tmp or /root): vm.sh shares it separately, mount it back in place.
if [ ! -d "$TOP/scripts" ]; then
	mkdir -p "$TOP"
	mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,ro project "$TOP" ||
		vm_poweroff
fi

# Results only count for the kernel that was built: a stale bzImage (see
# scripts/build.sh) must not pass for it.
rel=$(uname -r)
want=$(cat "$PHYR_KOUT/include/config/kernel.release" 2>/dev/null || true)
if [ -n "$want" ] && [ "$rel" != "$want" ]; then
	echo "guest-init: booted kernel $rel is not the one built in $PHYR_KOUT ($want)" |
		tee /run/results/guest.log >&2
	echo 1 >/run/results/exit-status
	umount /run/results
	vm_poweroff
fi

# Built-in drivers must be discoverable as test suites expect.  The
# modular lanes install the package's module tree instead (vm.sh unpacked
# it), for modprobe to load from.
mkdir -p "/lib/modules/$rel"
if [ -n "${PHYR_MODROOT:-}" ]; then
	cp -a "$PHYR_MODROOT/lib/modules/$rel/." "/lib/modules/$rel/"
else
	cp "$PHYR_KOUT"/modules.builtin "$PHYR_KOUT"/modules.builtin.modinfo \
		"$PHYR_KOUT"/modules.order "/lib/modules/$rel/" 2>/dev/null
fi
depmod -a "$rel" 2>/dev/null
# A stable host NQN/ID so nvme-cli does not warn.
echo "nqn.2014-08.org.nvmexpress:uuid:$(cat /proc/sys/kernel/random/uuid)" >/etc/nvme/hostnqn
cat /proc/sys/kernel/random/uuid >/etc/nvme/hostid
hostname phyr-vm
ip link set lo up

cd "$TOP" || cd /run/results || vm_poweroff
echo "phyr-vm: running $PHYR_CMD" >/dev/kmsg
bash -c "$PHYR_CMD" </dev/null 2>&1 | tee /run/results/guest.log
echo "${PIPESTATUS[0]}" >/run/results/exit-status
dmesg >/run/results/dmesg.log
umount /run/results
vm_poweroff
