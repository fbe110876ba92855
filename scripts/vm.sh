#!/bin/bash
# Boot a built test kernel in QEMU (TCG) with the host root read-only over 9p
# and run one command in it.  Lanes are chosen by variables:
#   KOUT=<kernel output dir>   (default build/out/patched)
#   PROVIDER=rxe|siw           soft-RoCE or soft-iWARP (default rxe)
#   FORCE_MR=1                 ib_core.force_mr=1 (rdma_rw always uses MRs)
#   SWIOTLB=1                  swiotlb=force
#   IOMMU=1                    q35 + emulated intel-iommu, intel_iommu=on
#   DMA_DEV=1                  rxe in its DMA-faithful mode: the spare PCI
#                              function 0000:00:10.0 (QEMU pci-testdev) is
#                              rxe's DMA device, so ULP mappings use the
#                              real DMA API (needs the rxe patch)
#   DMA_DEBUG=0                dma_debug=off (benchmark lanes)
#   MODULES=1                  the modular lanes: boot the kernel of the
#                              linux-image package make deb built from KOUT
#                              (default build/out/patched-modules), whose
#                              modules the guest installs into its module
#                              tree and loads with modprobe
#   KUNIT=1                    run the built-in KUnit suites at boot; the
#                              guest then only reports them (otherwise only
#                              the rdma_rw_phyr suite runs, when
#                              tests/rdma/005 loads its module)
#   KUNIT_PCI=1                the DMA KUnit suite maps for the spare PCI
#                              function instead of a platform device
#   SG_PROBES=0                no boot-time kprobes on the scatterlist entry
#                              points (make bench)
#   EXTRA_CMDLINE=...          appended to the kernel command line
#   VM_TIMEOUT=<seconds>       hard limit for the whole boot (default 900)
#   VM_CPUS=<n>                vCPUs (default 2; make bench's counting runs
#                              use 1, see userspace-tests/common/counters)
#   RESULTS=<dir>              results directory shared with the guest
# Usage: vm.sh [command...]    (no command: an interactive shell)
# The guest's exit status is this script's exit status.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

if [ "${MODULES:-0}" = 1 ]; then
	KOUT=${KOUT:-$BUILD/out/patched-modules}
else
	KOUT=${KOUT:-$BUILD/out/patched$([ "${KASAN:-0}" != 1 ] || echo -kasan)}
fi
PROVIDER=${PROVIDER:-rxe}
VM_TIMEOUT=${VM_TIMEOUT:-900}
VM_MEM=${VM_MEM:-3G}
VM_CPUS=${VM_CPUS:-2}
[[ $VM_CPUS =~ ^[1-9][0-9]*$ ]] || die "VM_CPUS must be a positive number, not '$VM_CPUS'"
bz=$KOUT/arch/x86/boot/bzImage
modroot=
if [ "${MODULES:-0}" = 1 ]; then
	# The package's kernel and module tree, unpacked (not installed) once
	# per package: the guest copies the tree into its /lib/modules.
	rel=$(cat "$KOUT/include/config/kernel.release" 2>/dev/null) ||
		die "no modular kernel in ${KOUT#"$TOP"/}: run 'make deb' first"
	debs=("$BUILD"/deb/linux-image-"$rel"_*.deb)
	[ -f "${debs[0]}" ] || die "no linux-image-${rel} package in build/deb/: run 'make deb' first"
	modroot=$BUILD/deb/root-$rel
	if [ ! -f "$modroot/.unpacked" ] || [ "${debs[0]}" -nt "$modroot/.unpacked" ]; then
		rm -rf "$modroot"
		mkdir -p "$modroot"
		dpkg-deb -x "${debs[0]}" "$modroot"
		touch "$modroot/.unpacked"
	fi
	bz=$modroot/boot/vmlinuz-$rel
	[ -d "$modroot/lib/modules/$rel" ] || die "${debs[0]#"$TOP"/} holds no lib/modules/$rel"
fi
[ -f "$bz" ] || die "no kernel at ${bz#"$TOP"/}: run 'make kernel' first"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found: run scripts/deps.sh"

# A PCI function no driver claims: rxe's DMA device in the DMA-faithful
# lanes, and a device for DMA API unit tests to map for.
SPARE_PCI=0000:00:10.0
# KUnit lanes: a 4 MiB RAM BAR (ivshmem-plain, BAR 2) the DMA suite turns
# into PCI P2P memory.
P2P_PCI=0000:00:11.0
RESULTS=${RESULTS:-$BUILD/results/vm-$$}
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
RESULTS=$(cd "$RESULTS" && pwd)

case $PROVIDER in rxe | siw) ;; *) die "PROVIDER must be rxe or siw, not '$PROVIDER'" ;; esac

cmdline="console=ttyS0 loglevel=4 root=rootfs rootfstype=9p"
cmdline+=" rootflags=trans=virtio,version=9p2000.L,msize=512000,cache=loose ro"
cmdline+=" init=$TOP/scripts/guest-init.sh panic=-1 nokaslr"
# Under TCG the clocksource watchdog marks the TSC unstable some seconds
# into a run; the sched_clock static key is then patched while other vCPUs
# run sched_clock_cpu(), and TCG occasionally executes the int3 of the
# patch after the kernel has stopped expecting it: "Oops: int3" in
# sched_clock_cpu from __sched_clock_work, seen 39 s into the rxe lane.
# Declared unstable at boot, the TSC never flips that key (the clocksource
# is the HPET instead).
cmdline+=" tsc=unstable"
machine=(-machine pc)
[ "${FORCE_MR:-0}" = 1 ] && cmdline+=" ib_core.force_mr=1"
[ "${SWIOTLB:-0}" = 1 ] && cmdline+=" swiotlb=force"
[ "${DMA_DEBUG:-1}" = 0 ] && cmdline+=" dma_debug=off"
[ "${DMA_DEV:-0}" = 1 ] && cmdline+=" rdma_rxe.dma_device=$SPARE_PCI"
if [ "${KUNIT:-0}" = 1 ]; then
	# The DMA suite checks that its device maps the way the lane promises.
	expect=direct
	[ "${SWIOTLB:-0}" = 1 ] && expect=swiotlb
	if [ "${KUNIT_PCI:-0}" = 1 ]; then
		cmdline+=" phyr_kunit.pci_dev=$SPARE_PCI"
		[ "${IOMMU:-0}" = 1 ] && expect=iommu
	fi
	cmdline+=" phyr_kunit.expect=$expect phyr_kunit.p2p_dev=$P2P_PCI"
else
	# Built-in suites ran in the KUnit lanes; the rdma_rw self-test
	# module (tests/rdma/005) runs its suite when it is loaded.
	cmdline+=" kunit.filter_glob=rdma_rw_phyr"
fi
if [ "${IOMMU:-0}" = 1 ]; then
	machine=(-machine q35 -device "intel-iommu,intremap=off")
	cmdline+=" intel_iommu=on iommu.passthrough=0"
fi
# Probes the tests read are set up at boot: adding one later patches
# kernel text under the running vCPUs (see userspace-tests/common/rc):
# the rdma_rw context shapes, and every scatterlist entry point of the RDMA
# data path with its caller.  make bench boots without the scatterlist
# probes (SG_PROBES=0): they would slow only the kernel that takes them.
probes="p:phyr_rw/rw_wrs,rdma_rw_ctx_wrs,type=+4(%di):u8"
if [ "${SG_PROBES:-1}" = 1 ]; then
	for f in rdma_rw_ctx_init ib_dma_virt_map_sg dma_map_sg_attrs dma_map_sgtable ib_map_mr_sg sg_alloc_table_chained; do
		probes+=";p:phyr_sg/sg_$f,$f,caller=\$stack0:x64"
	done
fi
cmdline+=" kprobe_event=$probes"
# Room for a whole case's probe records (a case with more fails, it does
# not pass on a partial count): 16 MiB per CPU.
cmdline+=" trace_buf_size=16M"
cmdline+=" ${EXTRA_CMDLINE:-}"

interactive=0
if [ $# -eq 0 ]; then
	interactive=1
	set -- bash -i
fi
# The guest reads this file: the command and the test environment.
{
	printf 'PHYR_KOUT=%q\n' "$KOUT"
	printf 'PHYR_MODROOT=%q\n' "$modroot"
	printf 'PHYR_CMD=%q\n' "$*"
	printf 'export TOP=%q RESULTS_DIR=/run/results\n' "$TOP"
	printf 'export RDMA_PROVIDER=%q FORCE_MR=%q SWIOTLB=%q IOMMU=%q DMA_DEV=%q SPARE_PCI=%q KUNIT=%q MODULES=%q\n' \
		"$PROVIDER" "${FORCE_MR:-0}" "${SWIOTLB:-0}" "${IOMMU:-0}" "${DMA_DEV:-0}" "$SPARE_PCI" "${KUNIT:-0}" "${MODULES:-0}"
	for v in $(compgen -e | grep -E '^(LANE|TEST_|BENCH_|RDMA_DEV|NETDEV|ADDR|FIO_|NVME_|NFS_|PERFTEST_|RPING_)' || true); do
		printf 'export %s=%q\n' "$v" "${!v}"
	done
} >"$RESULTS/env"

qemu=(qemu-system-x86_64 -accel "tcg,thread=multi" -cpu max -smp "$VM_CPUS" -m "$VM_MEM"
	"${machine[@]}" -no-reboot -nic none
	-kernel "$bz" -append "$cmdline"
	-virtfs "local,path=/,mount_tag=rootfs,security_model=none,readonly=on,multidevs=remap"
	-virtfs "local,path=$RESULTS,mount_tag=results,security_model=none,id=results"
	-virtfs "local,path=$TOP,mount_tag=project,security_model=none,readonly=on,multidevs=remap,id=project"
	-device "pci-testdev,addr=0x10")
if [ "${KUNIT:-0}" = 1 ]; then
	qemu+=(-object "memory-backend-ram,id=p2pmem,size=4M"
		-device "ivshmem-plain,memdev=p2pmem,addr=0x11")
fi

if [ $interactive = 1 ]; then
	exec "${qemu[@]}" -nographic
fi

serial=$RESULTS/serial.log
start=$SECONDS
# boot_vm: run the VM once, serial console to $serial; sets rc.
boot_vm() {
	rc=0
	timeout -k 10 "$VM_TIMEOUT" "${qemu[@]}" -display none -monitor none \
		-serial "file:$serial" </dev/null || rc=$?
}
boot_vm
# A run that ended before the guest ran anything (no guest.log) is retried
# once when the cause is not the kernel under test's: under TCG, boot-time
# text patching (static keys) occasionally traps in code being patched
# ("Oops: int3" in sched_clock_cpu, seen on the base kernel too), and QEMU
# itself once died of SIGSEGV 3 s into a lane (status 139).  A kernel that
# cannot boot panics twice and still fails.
if [ ! -f "$RESULTS/exit-status" ] && [ ! -s "$RESULTS/guest.log" ]; then
	why=
	if grep -q "Kernel panic" "$serial" 2>/dev/null; then
		why="kernel panic at boot, before the guest ran ($(grep -m1 -E 'Oops|BUG' "$serial" || echo 'see serial-boot1.log'))"
	elif [ "$rc" -gt 128 ] && [ "$rc" != 137 ]; then
		why="QEMU died of signal $((rc - 128)) before the guest ran"
	fi
	if [ -n "$why" ]; then
		[ ! -f "$serial" ] || mv "$serial" "$RESULTS/serial-boot1.log"
		log "$why; booting once more (first serial log: serial-boot1.log)"
		boot_vm
	fi
fi
if [ $rc = 124 ] || [ $rc = 137 ]; then
	die "VM timed out after ${VM_TIMEOUT}s; serial log: $serial"
fi
[ -f "$RESULTS/exit-status" ] ||
	die "VM ended (qemu status $rc) without the guest reporting a result; serial log: $serial"
status=$(cat "$RESULTS/exit-status")
log "VM done in $((SECONDS - start)) s, guest status $status (logs: ${RESULTS#"$TOP"/})"
exit "$status"
