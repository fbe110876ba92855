# phyr/dma_vec for the Linux RDMA stack: entry points.  See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Lane and build knobs are plain environment/make variables, e.g.
#   make check LANES="rxe siw"      make shell PROVIDER=siw IOMMU=1
#   make check SERIES=none          (the same suite on the unpatched base)
export PROVIDER FORCE_MR SWIOTLB IOMMU DMA_DEBUG KASAN SERIES LANES VM_TIMEOUT EXTRA_CMDLINE STRESS

.PHONY: help deps run check check-stress tree export kernel base-kernel deb shell bench bench-map lint install-tests

## make help   this list (the "## make" lines of this Makefile)
help:
	@echo "phyr/dma_vec for the Linux RDMA stack (README.md).  make TARGET:"
	@sed -n 's/^## make //p' $(firstword $(MAKEFILE_LIST)) | \
		awk '{ t = $$1; sub(/^[^ ]+ +/, ""); printf "  %-14s %s\n", t, $$0 }'

## make deps   install the Debian packages the build and the VM need (scripts/deps.sh)

deps:
	scripts/deps.sh

## make run    build (if stale) and boot the patched kernel, NFS + NVMe-oF over RDMA, summary
run: deps
	scripts/run.sh

## make check  every test: series applies, kernel builds, KUnit + integration suite (TAP)
check:
	scripts/check.sh

## make check-stress  what make check defers (lib.sh lane_deferred), on its lanes (7-17 min, machine-dependent)
check-stress:
	STRESS=1 scripts/check.sh

## make tree   base source + kernel/series as git commits in build/linux
tree:
	scripts/tree.sh

## make export build/linux commits back into kernel/**.patch + kernel/series
export:
	scripts/export.sh

## make kernel build build/linux (FLAVOUR=base: the unpatched base)
kernel: deps
	scripts/tree.sh
	scripts/build.sh >/dev/null

## make base-kernel  build the unpatched base kernel (make bench, SERIES=none)
base-kernel: deps
	FLAVOUR=base scripts/build.sh >/dev/null

## make deb    kernel packages (bindeb-pkg) into build/deb/: RDMA, NFS, NVMe as modules; KCONFIG=/boot/config-... builds that config with kernel/config/host.fragment
deb: deps
	scripts/tree.sh
	DEB=1 $(if $(KCONFIG),KCONFIG=$(KCONFIG),MODULES=1) scripts/build.sh >/dev/null

## make shell  interactive VM on the built kernel (PROVIDER, IOMMU, SWIOTLB...)
shell:
	scripts/vm.sh

## make bench  benchmarks, baseline vs patched, side by side in one run; then bench-map
bench: deps
	scripts/bench.sh
	scripts/bench-map.sh

## make bench-map  DMA map benchmark: dma_map_sgtable() vs dma_map_phyrs(), direct and IOMMU
bench-map: deps
	scripts/bench-map.sh

## make install-tests  the suite and the phyr-rdma-tests command for a real host (DESTDIR, PREFIX=/usr/local)
install-tests:
	scripts/install-tests.sh

## make lint   shellcheck every script and test case
lint:
	shellcheck -x scripts/*.sh userspace-tests/run userspace-tests/common/* userspace-tests/tests/*/*
