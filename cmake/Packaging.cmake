# Installing machine (`cmake --install build --prefix /usr/local`) and its Debian package.
#
# The package is made by CPack's DEB generator from a build configured for it
# (packaging/build-deb.sh): it packs exactly what `cmake --install` puts, so the install rules
# below are the one list of what machine installs. Files, with CPACK_PACKAGING_INSTALL_PREFIX /usr:
#   /usr/bin/machine                           the program
#   /usr/lib/machine/machine-backends.so       its module (the binary looks in ../lib/machine/)
#   /usr/share/doc/machine/README.md           the documentation
#   /usr/share/doc/machine/changelog.Debian.gz packaging/changelog, as Debian policy asks
#   bash/zsh/fish completions                  when the built binary has `machine completion SHELL`
# (the two targets' rules are in machine/CMakeLists.txt).

install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION share/doc/machine)

# Debian's changelog, compressed as policy asks (gzip -9n: no name or time, so the same bytes
# every build). A local install gets it too: it is small and says which version this is.
execute_process(COMMAND gzip -9nc ${PROJECT_SOURCE_DIR}/packaging/changelog
                OUTPUT_FILE ${CMAKE_BINARY_DIR}/changelog.Debian.gz RESULT_VARIABLE machine_gzip)
if(NOT machine_gzip EQUAL 0)
  message(FATAL_ERROR "gzip of packaging/changelog failed: ${machine_gzip}")
endif()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/packaging/changelog)
install(FILES ${CMAKE_BINARY_DIR}/changelog.Debian.gz DESTINATION share/doc/machine)

# Completions are asked of the built binary at install time, where each shell looks for them.
# Debian's zsh reads packages' functions from vendor-completions, a local install's from
# site-functions. Skipped, with a message, while the binary has no `completion` command.
if(MACHINE_DEB_REVISION)
  set(machine_zsh_dir share/zsh/vendor-completions)
else()
  set(machine_zsh_dir share/zsh/site-functions)
endif()
install(CODE "
  set(machine_binary \"$<TARGET_FILE:machine>\")
  set(machine_completion_dir \"${CMAKE_BINARY_DIR}/completions\")
  set(machine_zsh_dir \"${machine_zsh_dir}\")
  include(\"${CMAKE_CURRENT_LIST_DIR}/InstallCompletions.cmake\")")

# The Debian package.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME machine)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "create Docker hosts on local VMs (libvirt/KVM or VirtualBox), like docker-machine")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION_SUMMARY}
 machine creates virtual machines under libvirt (KVM, or qemu's software emulation) or
 VirtualBox, installs a Docker engine in them that listens on TLS, and points a docker client
 at it (machine env). It joins machines into swarms and brings up labs from a YAML file.
 The VM image is built locally from Debian packages (machine image build).")
set(MACHINE_DEB_MAINTAINER "machine developers <machine@localhost>" CACHE STRING
  "Maintainer field of the Debian package")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${MACHINE_DEB_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
if(MACHINE_DEB_REVISION)
  set(CPACK_DEBIAN_PACKAGE_RELEASE ${MACHINE_DEB_REVISION})
endif()
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # machine_VERSION-REVISION_ARCH.deb
# Depends: computed by dpkg-shlibdeps from the libraries the binary and the module link.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Recommends: what running VMs needs (libvirt's daemon and qemu driver, qemu, libvirt's DHCP),
# what `machine image build` runs (mmdebstrap, qemu-img, sfdisk, mkfs.ext4, extlinux + its MBR,
# xorriso for the seed) and ssh/scp for `machine ssh|scp`.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libvirt-daemon, libvirt-daemon-driver-qemu, qemu-system-x86, \
dnsmasq-base, mmdebstrap, qemu-utils, fdisk, e2fsprogs, extlinux, syslinux-common, xorriso, \
openssh-client")
# The docker client talks to the machines; libvirt-daemon-system runs libvirtd as a service on a
# system with systemd (scripts/setup.sh and the lab start it by hand); virsh shows what it runs.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "docker.io, libvirt-daemon-system, libvirt-clients")
set(CPACK_STRIP_FILES ON) # RelWithDebInfo: the debug info stays in the build folder
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
  OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
include(CPack)
